import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './references.cases.js';

describeBadWorkflows(cases);

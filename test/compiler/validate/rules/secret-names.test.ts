import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './secret-names.cases.js';

describeBadWorkflows(cases);

import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './resources.cases.js';

describeBadWorkflows(cases);

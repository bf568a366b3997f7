import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './trigger-params.cases.js';

describeBadWorkflows(cases);

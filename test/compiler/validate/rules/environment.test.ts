import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './environment.cases.js';

describeBadWorkflows(cases);

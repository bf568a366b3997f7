import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './executor-options.cases.js';

describeBadWorkflows(cases);

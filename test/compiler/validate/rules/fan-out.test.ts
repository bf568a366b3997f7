import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './fan-out.cases.js';

describeBadWorkflows(cases);

import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './schedule.cases.js';

describeBadWorkflows(cases);

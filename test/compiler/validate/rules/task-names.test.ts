import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './task-names.cases.js';

describeBadWorkflows(cases);

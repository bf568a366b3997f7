import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './task-files.cases.js';

describeBadWorkflows(cases);

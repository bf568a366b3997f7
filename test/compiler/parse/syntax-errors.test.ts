import { describeBadWorkflows } from '../../support/bad-workflows.js';
import { cases } from './syntax-errors.cases.js';

describeBadWorkflows(cases);

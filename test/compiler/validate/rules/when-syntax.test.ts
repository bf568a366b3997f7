import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './when-syntax.cases.js';

describeBadWorkflows(cases);

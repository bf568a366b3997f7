import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './trigger-shape.cases.js';

describeBadWorkflows(cases);

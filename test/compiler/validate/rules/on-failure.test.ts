import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './on-failure.cases.js';

describeBadWorkflows(cases);

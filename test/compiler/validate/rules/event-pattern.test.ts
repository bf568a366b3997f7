import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './event-pattern.cases.js';

describeBadWorkflows(cases);

import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './event-bus.cases.js';

describeBadWorkflows(cases);

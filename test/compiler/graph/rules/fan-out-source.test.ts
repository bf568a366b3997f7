import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './fan-out-source.cases.js';

describeBadWorkflows(cases);

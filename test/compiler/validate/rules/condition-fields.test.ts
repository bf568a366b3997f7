import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './condition-fields.cases.js';

describeBadWorkflows(cases);

import { describeBadWorkflows } from '../../support/bad-workflows.js';
import { cases } from './workflow-schema.cases.js';

describeBadWorkflows(cases);

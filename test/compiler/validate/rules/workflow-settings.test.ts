import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './workflow-settings.cases.js';

describeBadWorkflows(cases);

import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './s3-trigger.cases.js';

describeBadWorkflows(cases);

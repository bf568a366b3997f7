import { describeBadWorkflows } from '../../../support/bad-workflows.js';
import { cases } from './required-params.cases.js';

describeBadWorkflows(cases);

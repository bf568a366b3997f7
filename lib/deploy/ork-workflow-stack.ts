import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OrkWorkflow, type OrkWorkflowProps } from './ork-workflow.js';

export interface OrkWorkflowStackProps extends StackProps, OrkWorkflowProps {}

/** A stack holding one workflow: what the repo's CDK app deploys for each workflow directory. */
export class OrkWorkflowStack extends Stack {
  readonly workflow: OrkWorkflow;

  constructor(scope: Construct, id: string, props: OrkWorkflowStackProps) {
    super(scope, id, props);
    this.workflow = new OrkWorkflow(this, 'Workflow', props);
  }
}

#!/usr/bin/env node
// The CDK app of cdk.json: one stack per workflow under examples/ (or -c workflows=DIR). The same app serves
// `ork init` projects. Context (read by OrkWorkflow itself): -c pythonRuntime=python3.11, -c nodeRuntime=nodejs22.x,
// -c architecture=x86_64.
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { compileForDeploy } from '../lib/deploy/compile-for-deploy.js';
import { findWorkflowDirectories, OrkWorkflowStack, stackNameFor, synthErrorLine } from '../lib/deploy/index.js';

try {
  const app = new App();
  const root = path.resolve(String(app.node.tryGetContext('workflows') ?? 'examples'));
  const directories = findWorkflowDirectories(root);
  if (directories.length === 0) {
    console.error(`ork: no workflow.yaml in ${root} or its subdirectories`);
    process.exit(2);
  }
  for (const directory of directories) {
    const name = compileForDeploy(directory, 'App').manifest.workflow;
    new OrkWorkflowStack(app, stackNameFor(name), {
      workflow: directory,
      description: `Ork workflow ${name}`,
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    });
  }
  // cdk-nag's AWS Solutions checks run at every synth; findings not acknowledged with a reason fail it.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  app.synth();
} catch (error) {
  // A user's mistake or a machine that cannot build the code: one line, never a stack trace.
  console.error(`ork: ${synthErrorLine(error)}`);
  process.exit(1);
}

import type { TaskSpec } from '../model/index.js';

/**
 * Task resources are `${…}` placeholders in the definition. The deploy constructs fill them in with
 * DefinitionSubstitutions and the local engine with its runners, so one definition serves both and stays
 * a plain string that cfn-lint can check.
 */
export const Placeholders = {
  /** The Lambda function of a python or node task. */
  function: (task: string) => `OrkFunction_${task}`,
  /** The ECS task definition of a container task. */
  taskDefinition: (task: string) => `OrkTaskDefinition_${task}`,
  /** Container name inside that task definition. */
  containerName: (task: string) => `OrkContainer_${task}`,
  cluster: 'OrkCluster',
  /** The payload bucket (Distributed Map results); locally, the run's payload directory. */
  payloadBucket: 'OrkPayloadBucket',
  /** Comma-separated subnet ids and security group ids for Fargate tasks. */
  subnets: 'OrkSubnets',
  securityGroups: 'OrkSecurityGroups',
  /** ENABLED or DISABLED. */
  assignPublicIp: 'OrkAssignPublicIp',
} as const;

export function ref(placeholder: string): string {
  return `\${${placeholder}}`;
}

/** The placeholders a task's states use. */
export function placeholdersOf(task: TaskSpec): string[] {
  if (task.executor === 'container') {
    return [
      Placeholders.cluster,
      Placeholders.taskDefinition(task.name),
      Placeholders.containerName(task.name),
      Placeholders.subnets,
      Placeholders.securityGroups,
      Placeholders.assignPublicIp,
    ];
  }
  return [Placeholders.function(task.name)];
}

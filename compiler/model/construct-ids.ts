/**
 * How a task name becomes the ids (and descriptions) of the CDK constructs that lib/deploy creates for it
 * (OrkWorkflow). It lives here, not in lib/deploy, so that `ork validate` refuses task names whose constructs
 * would collide (ORK227) or whose function description would be too long (ORK229) instead of `cdk synth`
 * failing on them: lib/deploy imports it from here, so the two cannot drift.
 */

/** `my_task` → `MyTask`: split on `_`, capitalise each part; a name of underscores only becomes `Task`. */
export function pascalCase(name: string): string {
  return (
    name
      .split('_')
      .filter(Boolean)
      .map((part) => part[0]?.toUpperCase() + part.slice(1))
      .join('') || 'Task'
  );
}

/** The construct ids of one task, all children of the OrkWorkflow construct. */
export interface TaskConstructIds {
  /** Its Lambda function or Fargate task definition. */
  readonly task: string;
  /** Its log group. */
  readonly logs: string;
  /** Its function's role (python and node tasks). */
  readonly role: string;
}

export function taskConstructIds(name: string): TaskConstructIds {
  const task = `Task${pascalCase(name)}`;
  return { task, logs: `${task}Logs`, role: `${task}Role` };
}

/** What Lambda accepts as a function's Description (CDK's Function refuses more at synth). */
export const MAX_FUNCTION_DESCRIPTION = 256;

/** The description of a task's Lambda function and of its role: `Ork task <workflow>/<task>`. */
export function taskDescription(workflow: string, task: string): string {
  return `Ork task ${workflow}/${task}`;
}

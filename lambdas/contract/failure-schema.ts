/**
 * The failure the `on_failure:` handler is told about: the payload's `failure` field (docs/payload.md). In a
 * file of its own, apart from payload-schema.ts, because the Node SDK hands this schema to task files
 * (`import { failureSchema } from 'ork/task'`) and should not build the payload's other schemas to do so.
 */
import { z } from 'zod';

export const failureSchema = z
  .object({
    task: z.string().nullable().default(null).describe('the task that failed; null when no one task did (a state of the machine)'),
    instance: z.string().nullable().default(null).describe('its instance (`process[item 3]`); null for a fan-out as a whole, or when task is null'),
    error: z.string().describe("the error name the execution fails with, e.g. 'ValueError', 'States.Timeout'"),
    cause: z.string().describe('its cause: the message, or the JSON text Step Functions gives'),
    execution_id: z.string().describe('$$.Execution.Id of the failed execution'),
  })
  .describe('Why the workflow failed, handed to its on_failure: handler');

/** The `failure` field of the handler's input. */
export type Failure = z.output<typeof failureSchema>;

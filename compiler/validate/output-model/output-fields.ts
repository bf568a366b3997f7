import type { Executor } from '../../model/index.js';
import { nodeOutputFields } from './node-output-fields.js';
import { pythonOutputFields } from './python-output-fields.js';

/** The top-level fields a task's output may have, from its source; undefined when that is not known. */
export function outputFields(executor: Executor, source: string): ReadonlySet<string> | undefined {
  if (executor === 'python') return pythonOutputFields(source);
  if (executor === 'node') return nodeOutputFields(source);
  return undefined;
}

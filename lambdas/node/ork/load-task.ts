import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskDefinitionError } from './errors.js';
import { findTask } from './runtime.js';
import type { OrkTask } from './task.js';

const cache = new Map<string, Promise<OrkTask>>();

/** Imports a task file once per process, as a warm Lambda container does. */
export function loadTask(file: string): Promise<OrkTask> {
  const absolute = path.resolve(file);
  let loaded = cache.get(absolute);
  if (!loaded) {
    loaded = import(pathToFileURL(absolute).href).then(
      (module: Record<string, unknown>) => findTask(module, absolute),
      (error: unknown) => {
        cache.delete(absolute);
        throw TaskDefinitionError(`cannot import ${absolute}: ${error instanceof Error ? error.message : String(error)}`, error);
      },
    );
    cache.set(absolute, loaded);
  }
  return loaded;
}

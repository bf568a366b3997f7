import path from 'node:path';
import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { Executor } from '../../model/index.js';
import type { PathSegment } from '../../parse/index.js';
import type { CompilerHost } from '../compiler-host.js';
import { everyTask, rawTask, type ValidationContext, type ValidationRule } from './validation-rule.js';

const EXTENSIONS: Readonly<Record<Executor, readonly string[]>> = {
  python: ['.py'],
  container: ['.py'],
  node: ['.ts', '.mts', '.js', '.mjs'],
};

function isInside(directory: string, target: string): boolean {
  const relative = path.relative(directory, target);
  return relative === '' ? false : !relative.startsWith('..') && !path.isAbsolute(relative);
}

function checkPath(
  host: CompilerHost,
  written: string,
  what: string,
  at: readonly PathSegment[],
  context: ValidationContext,
  taskName: string,
): Diagnostic | undefined {
  const span = context.sourceMap.locate(at);
  const absolute = path.resolve(host.directory, written);
  if (path.isAbsolute(written) || !isInside(host.directory, absolute)) {
    return makeDiagnostic(
      Codes.taskFileOutside,
      span,
      `task '${taskName}': ${what} '${written}' is outside the workflow directory`,
      'task files are deployed with the workflow directory: move the file inside it and use a relative path',
    );
  }
  if (!host.fileExists(absolute)) {
    return makeDiagnostic(
      Codes.taskFileMissing,
      span,
      `task '${taskName}': ${what} '${written}' not found`,
      `create ${written} (relative to ${host.directory})`,
    );
  }
  const real = host.realpath(absolute);
  const realDirectory = host.realpath(host.directory) ?? host.directory;
  if (real !== undefined && !isInside(realDirectory, real)) {
    return makeDiagnostic(
      Codes.taskFileOutside,
      span,
      `task '${taskName}': ${what} '${written}' is a link to a file outside the workflow directory`,
      'copy the file into the workflow directory',
    );
  }
  return undefined;
}

/** ORK211, ORK212, ORK221: task files and Dockerfiles exist, stay inside the workflow, and fit the executor. */
export const taskFilesRule: ValidationRule = {
  name: 'task-files',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { task, path: taskPath } of everyTask(context.spec)) {
      // An empty file means the task's `file:` was invalid or missing; that is reported already.
      const fileProblem = task.file === '' ? undefined : checkPath(context.host, task.file, 'file', [...taskPath, 'file'], context, task.name);
      if (task.file === '') {
        // nothing more to check
      } else if (fileProblem) found.push(fileProblem);
      else if (!EXTENSIONS[task.executor].includes(path.extname(task.file))) {
        found.push(
          makeDiagnostic(
            Codes.taskFileExtension,
            context.sourceMap.locate([...taskPath, 'file']),
            `task '${task.name}': '${task.file}' does not look like a ${task.executor === 'node' ? 'TypeScript or JavaScript' : 'Python'} file (executor '${task.executor}')`,
            `expected ${EXTENSIONS[task.executor].join(' or ')}`,
          ),
        );
      }
      if (task.dockerfile !== undefined) {
        const at = rawTask(context, taskPath)?.dockerfile !== undefined ? [...taskPath, 'dockerfile'] : ['defaults', 'dockerfile'];
        const problem = checkPath(context.host, task.dockerfile, 'dockerfile', at, context, task.name);
        if (problem) found.push(problem);
      }
    }
    return found;
  },
};

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { MAX_FUNCTION_DESCRIPTION, ON_FAILURE_TASK, taskConstructIds, taskDescription, type TaskConstructIds } from '../../model/index.js';
import type { ValidationRule } from './validation-rule.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Input fields of the task SDK and keys JavaScript objects treat specially. */
const RESERVED = new Set(['item', 'params', '__proto__', 'constructor', 'prototype']);

/** Task names become fields of downstream Python Input models, so a keyword could not be declared. */
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

function suggestion(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^(\d)/, '_$1')
    .replace(/^_+$/, 'task');
  return cleaned && cleaned !== name ? `try '${cleaned}'` : 'use letters, digits and _ (not starting with a digit)';
}

const CONSTRUCT_KINDS: Readonly<Record<keyof TaskConstructIds, string>> = { task: 'function', logs: 'log group', role: 'role' };

/**
 * ORK227: deploy names each task's constructs after it (taskConstructIds: `Task` + the name in PascalCase,
 * plus `Logs` and `Role`), and CDK refuses two constructs with one id, so `my_task` and `myTask` (both
 * `TaskMyTask`), or `a` and `a_logs` (`TaskALogs`), would validate and run but fail `cdk synth`. The later
 * task in the file is reported, naming the earlier one.
 */
function constructIdCollisions(names: readonly string[], isContainer: (name: string) => boolean, locate: (name: string) => Diagnostic['span']): Diagnostic[] {
  const owners = new Map<string, { task: string; kind: string }>();
  const found: Diagnostic[] = [];
  for (const name of names) {
    const ids = taskConstructIds(name);
    const mine = (Object.keys(CONSTRUCT_KINDS) as (keyof TaskConstructIds)[])
      .filter((kind) => kind !== 'role' || !isContainer(name))
      .map((kind) => ({ id: ids[kind], kind: kind === 'task' && isContainer(name) ? 'task definition' : CONSTRUCT_KINDS[kind] }));
    const clash = mine.map((own) => ({ own, other: owners.get(own.id) })).find((c) => c.other !== undefined);
    if (clash?.other) {
      const other = clash.other;
      const line = locate(other.task).start.line;
      const what =
        clash.own.kind === other.kind
          ? `both deploy their ${other.kind} as construct '${clash.own.id}'`
          : `would deploy its ${clash.own.kind} as construct '${clash.own.id}', the id of the ${other.kind} of task '${other.task}'`;
      found.push(
        makeDiagnostic(
          Codes.constructIdCollision,
          locate(name),
          clash.own.kind === other.kind
            ? `tasks '${name}' and '${other.task}' (line ${line}) ${what}, so \`cdk synth\` would fail`
            : `task '${name}' ${what} (line ${line}), so \`cdk synth\` would fail`,
          `rename one of them: deploy names each task's constructs after it in PascalCase (split on _, each part capitalised: '${name}' → ${mine.map((m) => m.id).join(', ')}), and construct ids must be unique`,
        ),
      );
      continue;
    }
    for (const own of mine) owners.set(own.id, { task: name, kind: own.kind });
  }
  return found;
}

/** ORK204, ORK203, ORK227, ORK229: task names are identifiers, not reserved, at least one, and deployable. */
export const taskNamesRule: ValidationRule = {
  name: 'task-names',
  check({ raw, spec, sourceMap }) {
    const tasks = raw.tasks;
    if (tasks === null || typeof tasks !== 'object' || Array.isArray(tasks)) return [];
    const names = Object.keys(tasks);
    if (names.length === 0) {
      return [makeDiagnostic(Codes.noTasks, sourceMap.locate(['tasks'], 'key'), '`tasks:` is empty', 'add at least one task')];
    }
    const found: Diagnostic[] = [];
    for (const name of names) {
      const span = sourceMap.locate(['tasks', name], 'key');
      if (!IDENTIFIER.test(name)) {
        found.push(
          makeDiagnostic(
            Codes.invalidTaskName,
            span,
            `invalid task name '${name}': names are identifiers (letters, digits, _; not starting with a digit)`,
            suggestion(name),
          ),
        );
      } else if (name === ON_FAILURE_TASK) {
        found.push(
          makeDiagnostic(
            Codes.invalidTaskName,
            span,
            `task name '${name}' is the failure handler's: its runs and records go by that name`,
            `rename the task, or move it to a top-level \`on_failure:\` if it should run when the workflow fails`,
          ),
        );
      } else if (RESERVED.has(name)) {
        found.push(
          makeDiagnostic(Codes.invalidTaskName, span, `task name '${name}' is reserved`, `rename it, e.g. '${name.replace(/^_+|_+$/g, '') || 'task'}_task'`),
        );
      } else if (PYTHON_KEYWORDS.has(name)) {
        found.push(
          makeDiagnostic(
            Codes.invalidTaskName,
            span,
            `task name '${name}' is a Python keyword, so downstream tasks could not declare it as an Input field`,
            `rename it, e.g. '${name}_task'`,
          ),
        );
      }
    }
    const executors = new Map(spec.tasks.map((t) => [t.name, t.executor]));
    const valid = names.filter((name) => IDENTIFIER.test(name));
    found.push(
      ...constructIdCollisions(
        valid,
        (name) => executors.get(name) === 'container',
        (name) => sourceMap.locate(['tasks', name], 'key'),
      ),
    );
    // ORK229: a python or node task's function is described `Ork task <workflow>/<task>` (taskDescription), and
    // Lambda takes at most 256 characters there: CDK's Function throws at synth on a longer one.
    for (const name of valid) {
      if (executors.get(name) === 'container') continue;
      const length = taskDescription(spec.name, name).length;
      if (length <= MAX_FUNCTION_DESCRIPTION) continue;
      const most = name.length - (length - MAX_FUNCTION_DESCRIPTION);
      found.push(
        makeDiagnostic(
          Codes.taskNameTooLong,
          sourceMap.locate(['tasks', name], 'key'),
          `task name '${name.slice(0, 40)}…' (${name.length} characters) is too long to deploy: its Lambda function's description 'Ork task ${spec.name}/<task>' would be ${length} characters, above the ${MAX_FUNCTION_DESCRIPTION} Lambda accepts`,
          `shorten it to at most ${most} characters${spec.name.length > 40 ? ', or shorten the workflow name' : ''}`,
        ),
      );
    }
    return found;
  },
};

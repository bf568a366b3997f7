import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { ValidationRule } from './validation-rule.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Input fields of the task SDK and keys JavaScript objects treat specially. */
const RESERVED = new Set(['item', 'params', '__proto__', 'constructor', 'prototype']);

/** Task names become fields of downstream Python Input models, so a keyword could not be declared. */
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

function suggestion(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1').replace(/^_+$/, 'task');
  return cleaned && cleaned !== name ? `try '${cleaned}'` : 'use letters, digits and _ (not starting with a digit)';
}

/** ORK204, ORK203: task names are identifiers, not reserved, and there is at least one task. */
export const taskNamesRule: ValidationRule = {
  name: 'task-names',
  check({ raw, sourceMap }) {
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
        found.push(makeDiagnostic(Codes.invalidTaskName, span, `invalid task name '${name}': names are identifiers (letters, digits, _; not starting with a digit)`, suggestion(name)));
      } else if (RESERVED.has(name)) {
        found.push(makeDiagnostic(Codes.invalidTaskName, span, `task name '${name}' is reserved`, `rename it, e.g. '${name.replace(/^_+|_+$/g, '') || 'task'}_task'`));
      } else if (PYTHON_KEYWORDS.has(name)) {
        found.push(makeDiagnostic(Codes.invalidTaskName, span, `task name '${name}' is a Python keyword, so downstream tasks could not declare it as an Input field`, `rename it, e.g. '${name}_task'`));
      }
    }
    return found;
  },
};

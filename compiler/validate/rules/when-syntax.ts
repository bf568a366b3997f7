import type { ValidationRule } from './validation-rule.js';

/** ORK230–ORK233: a task's `when:` that does not parse; each problem is at its line and column in the expression. */
export const whenSyntaxRule: ValidationRule = {
  name: 'when-syntax',
  check({ spec }) {
    return spec.tasks.flatMap((task) => task.when?.problems ?? []);
  },
};

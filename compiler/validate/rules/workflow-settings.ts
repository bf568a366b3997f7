import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { PathSegment } from '../../parse/index.js';
import type { ValidationRule } from './validation-rule.js';

const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Params defaults are embedded in the state machine, so some keys cannot be: keys ending in `.$` would be read
 * as JSONPath by Step Functions, and a key named `States` anywhere is taken for a map of states by
 * asl-validator (JSONPath `$..States`), which aws-local-stepfunctions runs on every definition `ork run` loads:
 * it wrote into the values and `ork run` stopped with an internal error.
 */
function embeddableKeyProblems(value: unknown, at: PathSegment[], found: { at: PathSegment[]; message: string; hint: string }[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const here = [...at, Array.isArray(value) ? Number(key) : key];
    if (!Array.isArray(value) && key.endsWith('.$'))
      found.push({ at: here, message: `param key '${key}' must not end in '.$'`, hint: 'Step Functions reads such keys as paths; rename it' });
    if (!Array.isArray(value) && key === 'States') {
      found.push({
        at: here,
        message: "param key 'States' cannot be embedded in the state machine: the ASL validator of `ork run` reads every key named 'States' as a map of states",
        hint: "rename it (e.g. 'states'), or pass it as workflow input (ork run --input, ork start --input)",
      });
    }
    embeddableKeyProblems(child, here, found);
  }
}

/** ORK220, ORK222: a state machine can take the workflow's name; params are plain data. */
export const workflowSettingsRule: ValidationRule = {
  name: 'workflow-settings',
  check({ raw, sourceMap }) {
    const found: Diagnostic[] = [];
    if (typeof raw.name === 'string' && !STATE_MACHINE_NAME.test(raw.name)) {
      found.push(
        makeDiagnostic(
          Codes.invalidWorkflowName,
          sourceMap.locate(['name']),
          `workflow name '${raw.name}' must be 1–80 letters, digits, - or _`,
          `try '${raw.name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80)}'`,
        ),
      );
    }
    const bad: { at: PathSegment[]; message: string; hint: string }[] = [];
    embeddableKeyProblems(raw.params, ['params'], bad);
    for (const { at, message, hint } of bad) found.push(makeDiagnostic(Codes.invalidParams, sourceMap.locate(at, 'key'), message, hint));
    return found;
  },
};

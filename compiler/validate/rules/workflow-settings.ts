import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { PathSegment } from '../../parse/index.js';
import type { ValidationRule } from './validation-rule.js';

const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Keys ending in `.$` would be read as JSONPath by Step Functions when the params are embedded in the machine. */
function pathLikeKeys(value: unknown, at: PathSegment[], found: PathSegment[][]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const here = [...at, Array.isArray(value) ? Number(key) : key];
    if (!Array.isArray(value) && key.endsWith('.$')) found.push(here);
    pathLikeKeys(child, here, found);
  }
}

/** ORK220, ORK222: a state machine can take the workflow's name; params are plain data. */
export const workflowSettingsRule: ValidationRule = {
  name: 'workflow-settings',
  check({ raw, sourceMap }) {
    const found: Diagnostic[] = [];
    if (typeof raw.name === 'string' && !STATE_MACHINE_NAME.test(raw.name)) {
      found.push(makeDiagnostic(Codes.invalidWorkflowName, sourceMap.locate(['name']), `workflow name '${raw.name}' must be 1–80 letters, digits, - or _`, `try '${raw.name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80)}'`));
    }
    const bad: PathSegment[][] = [];
    pathLikeKeys(raw.params, ['params'], bad);
    for (const at of bad) {
      found.push(makeDiagnostic(Codes.invalidParams, sourceMap.locate(at, 'key'), `param key '${String(at[at.length - 1])}' must not end in '.$'`, 'Step Functions reads such keys as paths; rename it'));
    }
    return found;
  },
};

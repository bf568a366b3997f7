import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { INPUT_PATHS_MAX_ENTRIES, INPUT_TEMPLATE_MAX_LENGTH } from '../../model/index.js';
import { triggerRules } from '../../emit/trigger-rules.js';
import { checkInputPath } from '../input-path.js';
import { isMapping, rawTriggers } from './raw-triggers.js';
import type { ValidationRule } from './validation-rule.js';

/**
 * ORK242, ORK247: each trigger param is a JSONPath EventBridge's InputPathsMap takes, and the params fit one
 * InputTransformer (100 variables, a template of 8,192 characters).
 */
export const triggerParamsRule: ValidationRule = {
  name: 'trigger-params',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { index, entry } of rawTriggers(context)) {
      const params = entry.params;
      if (!isMapping(params)) continue;
      const at = ['triggers', index, 'params'];
      for (const [name, path] of Object.entries(params)) {
        // Not text: the schema reports it.
        if (typeof path !== 'string') continue;
        const problem = checkInputPath(path);
        if (problem)
          found.push(makeDiagnostic(Codes.invalidTriggerParam, context.sourceMap.locate([...at, name]), `param '${name}': ${problem.message}`, problem.hint));
      }
      const count = Object.keys(params).length;
      if (count > INPUT_PATHS_MAX_ENTRIES) {
        found.push(
          makeDiagnostic(
            Codes.tooManyTriggerParams,
            context.sourceMap.locate(at, 'key'),
            `trigger ${index + 1} maps ${count} params; an EventBridge InputTransformer holds at most ${INPUT_PATHS_MAX_ENTRIES}`,
            'map an object that holds them, e.g. `detail: $.detail`, and read its fields in the tasks',
          ),
        );
        continue;
      }
      const strings = Object.fromEntries(Object.entries(params).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
      const [rule] = triggerRules([{ source: { kind: 'event', pattern: {} }, params: strings, span: context.sourceMap.locate(at) }]);
      const length = rule?.inputTransformer.inputTemplate.length ?? 0;
      if (length > INPUT_TEMPLATE_MAX_LENGTH) {
        found.push(
          makeDiagnostic(
            Codes.tooManyTriggerParams,
            context.sourceMap.locate(at, 'key'),
            `the input template of trigger ${index + 1} is ${length.toLocaleString('en-US')} characters; EventBridge takes at most ${INPUT_TEMPLATE_MAX_LENGTH.toLocaleString('en-US')}`,
            'use shorter param names, or map an object that holds several values',
          ),
        );
      }
    }
    return found;
  },
};

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { EVENT_PATTERN_DEFAULT_QUOTA_CHARACTERS, EVENT_PATTERN_MAX_CHARACTERS } from '../../model/index.js';
import { checkEventPattern } from '../event-pattern-grammar.js';
import { isMapping, rawTriggers } from './raw-triggers.js';
import type { ValidationRule } from './validation-rule.js';

/**
 * ORK241, ORK248: an `event:` pattern EventBridge would refuse, at the field that is wrong; and one above the
 * default quota on a pattern's size (2,048 characters, adjustable up to PutRule's 4,096).
 */
export const eventPatternRule: ValidationRule = {
  name: 'event-pattern',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { index, entry } of rawTriggers(context)) {
      const pattern = entry.event;
      // Not a mapping: the schema reports it.
      if (!isMapping(pattern)) continue;
      const at = ['triggers', index, 'event'];
      for (const problem of checkEventPattern(pattern)) {
        const key = problem.path.length > 0 && typeof problem.path[problem.path.length - 1] === 'string' ? 'key' : 'value';
        found.push(makeDiagnostic(Codes.invalidEventPattern, context.sourceMap.locate([...at, ...problem.path], key), problem.message, problem.hint));
      }
      const size = JSON.stringify(pattern).length;
      const characters = (n: number): string => n.toLocaleString('en-US');
      if (size > EVENT_PATTERN_MAX_CHARACTERS) {
        found.push(
          makeDiagnostic(
            Codes.invalidEventPattern,
            context.sourceMap.locate(at, 'key'),
            `the pattern is ${characters(size)} characters as JSON; EventBridge takes at most ${characters(EVENT_PATTERN_MAX_CHARACTERS)}`,
            'match on fewer values, or use prefix or wildcard filters',
          ),
        );
      } else if (size > EVENT_PATTERN_DEFAULT_QUOTA_CHARACTERS) {
        found.push(
          makeDiagnostic(
            Codes.eventPatternAboveQuota,
            context.sourceMap.locate(at, 'key'),
            `the pattern is ${characters(size)} characters as JSON, above EventBridge's default quota of ${characters(EVENT_PATTERN_DEFAULT_QUOTA_CHARACTERS)}`,
            `deploy fails unless the account's "Event pattern size" quota is raised (up to ${characters(EVENT_PATTERN_MAX_CHARACTERS)})`,
          ),
        );
      }
    }
    return found;
  },
};

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { rawTriggers } from './raw-triggers.js';
import type { ValidationRule } from './validation-rule.js';

/** ORK240: a trigger listens to exactly one source, and only an `event:` trigger names a bus. */
export const triggerShapeRule: ValidationRule = {
  name: 'trigger-shape',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { index, entry } of rawTriggers(context)) {
      const at = ['triggers', index];
      const hasS3 = Object.hasOwn(entry, 's3');
      const hasEvent = Object.hasOwn(entry, 'event');
      if (!hasS3 && !hasEvent) {
        found.push(
          makeDiagnostic(
            Codes.invalidTrigger,
            context.sourceMap.locate(at),
            `trigger ${index + 1} has neither \`s3:\` nor \`event:\``,
            'add `s3: {bucket: name}` for uploads to a bucket, or `event: {source: [...]}` for an EventBridge pattern',
          ),
        );
      } else if (hasS3 && hasEvent) {
        found.push(
          makeDiagnostic(
            Codes.invalidTrigger,
            context.sourceMap.locate([...at, 'event'], 'key'),
            `trigger ${index + 1} has both \`s3:\` and \`event:\``,
            'a trigger is one EventBridge rule with one pattern: write two triggers',
          ),
        );
      }
      if (hasS3 && Object.hasOwn(entry, 'bus')) {
        found.push(
          makeDiagnostic(
            Codes.invalidTrigger,
            context.sourceMap.locate([...at, 'bus'], 'key'),
            `trigger ${index + 1}: \`bus:\` is for \`event:\` triggers`,
            'S3 sends its events to the default event bus: remove `bus:`',
          ),
        );
      }
    }
    return found;
  },
};

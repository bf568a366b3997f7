import { Codes, closestMatch, makeDiagnostic, type Diagnostic, type SourceSpan } from '../../diagnostics/index.js';
import { missingScheduleParams, requiredParams } from '../../model/index.js';
import type { ValidationRule } from './validation-rule.js';

const sameStart = (a: SourceSpan, b: SourceSpan): boolean => a.start.line === b.start.line && a.start.col === b.start.col;

/** Where an S3 "Object Created" event holds what a param is most likely named after; `$.detail.<name>` otherwise. */
function examplePath(kind: 's3' | 'event', name: string): string {
  const s3: Readonly<Record<string, string>> = {
    bucket: '$.detail.bucket.name',
    key: '$.detail.object.key',
    size: '$.detail.object.size',
    etag: '$.detail.object.etag',
  };
  return (kind === 's3' ? s3[name] : undefined) ?? `$.detail.${name}`;
}

const quoted = (names: readonly string[]): string => names.map((name) => `'${name}'`).join(', ');

/**
 * ORK243, ORK244: a param whose default is null is required, so every way the workflow starts on AWS must give
 * it: each trigger maps it from the event, and the schedule's `input:` sets it (`scheduled_time` comes with
 * every scheduled start).
 */
export const requiredParamsRule: ValidationRule = {
  name: 'required-params',
  check({ spec, raw, sourceMap }) {
    const required = requiredParams(spec.params);
    if (required.length === 0) return [];
    const found: Diagnostic[] = [];
    const written = Array.isArray(raw.triggers) ? (raw.triggers as unknown[]) : [];
    for (const trigger of spec.triggers) {
      // The spec keeps the valid entries only: find the entry's place in the file from its span.
      const index = written.findIndex((_, i) => sameStart(sourceMap.locate(['triggers', i]), trigger.span));
      const missing = required.filter((name) => !Object.hasOwn(trigger.params, name));
      if (missing.length === 0) continue;
      // A mapped name that is no param is most likely the required one misspelt.
      const stray = Object.keys(trigger.params).find((name) => !Object.hasOwn(spec.params, name));
      const close = stray === undefined ? undefined : closestMatch(stray, missing);
      const [first = ''] = missing;
      const entry = written[index];
      const hasParams = entry !== null && typeof entry === 'object' && Object.hasOwn(entry, 'params');
      found.push(
        makeDiagnostic(
          Codes.requiredParamNotMapped,
          hasParams ? sourceMap.locate(['triggers', index, 'params'], 'key') : trigger.span,
          `trigger ${index + 1} does not map required param${missing.length > 1 ? 's' : ''} ${quoted(missing)} (default null)`,
          stray !== undefined
            ? `it maps '${stray}', which is not a param${close !== undefined ? `: did you mean '${close}'?` : ''}`
            : `map ${missing.length > 1 ? 'each' : 'it'} from the event, e.g. params: { ${first}: "${examplePath(trigger.source.kind, first)}" }, or give ${missing.length > 1 ? 'them defaults' : 'it a default'} under \`params:\``,
        ),
      );
    }
    const schedule = spec.schedule;
    if (schedule) {
      const missing = missingScheduleParams(spec.params, schedule.input);
      if (missing.length > 0) {
        const inSchedule = raw.schedule !== null && typeof raw.schedule === 'object' && Object.hasOwn(raw.schedule, 'input');
        const [first = ''] = missing;
        found.push(
          makeDiagnostic(
            Codes.requiredParamNotScheduled,
            sourceMap.locate(inSchedule ? ['schedule', 'input'] : ['schedule'], 'key'),
            `the schedule does not give required param${missing.length > 1 ? 's' : ''} ${quoted(missing)} (default null)`,
            typeof raw.schedule === 'string'
              ? `write the schedule as a mapping with its input: schedule: { expression: "${schedule.expression}", input: { ${first}: ... } }`
              : `set ${missing.length > 1 ? 'them' : 'it'} under schedule.input, e.g. input: { ${first}: ... }`,
          ),
        );
      }
    }
    return found;
  },
};

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { PathSegment } from '../../parse/index.js';
import { isMapping, rawTriggers } from './raw-triggers.js';
import type { ValidationRule } from './validation-rule.js';

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Why a general purpose bucket cannot have this name, or undefined (Amazon S3 User Guide, "General purpose
 * bucket naming rules"): 3 to 63 of lowercase letters, digits, `.` and `-`, starting and ending with a letter or
 * digit, no `..`, not an IP address, none of the prefixes and suffixes S3 keeps for itself.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `is ${name.length} characters; a bucket name has 3 to 63`;
  if (/[A-Z]/.test(name) && /^[A-Za-z0-9.-]+$/.test(name)) return 'has capital letters; bucket names are lowercase';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may hold only lowercase letters, digits, . and -';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must start and end with a letter or digit';
  if (name.includes('..')) return 'has two periods in a row';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'is formatted as an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `starts with '${prefix}', which S3 reserves`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `ends with '${suffix}', which S3 reserves`;
  return undefined;
}

/** ORK245: the buckets of an `s3:` trigger are bucket names, and a prefix or suffix given is not empty. */
export const s3TriggerRule: ValidationRule = {
  name: 's3-trigger',
  check(context) {
    const { sourceMap } = context;
    const found: Diagnostic[] = [];
    for (const { index, entry } of rawTriggers(context)) {
      const s3 = entry.s3;
      if (!isMapping(s3)) continue;
      const at: PathSegment[] = ['triggers', index, 's3'];
      const buckets: [string, PathSegment[]][] =
        typeof s3.bucket === 'string'
          ? [[s3.bucket, [...at, 'bucket']]]
          : Array.isArray(s3.bucket)
            ? s3.bucket.flatMap((name: unknown, i): [string, PathSegment[]][] => (typeof name === 'string' ? [[name, [...at, 'bucket', i]]] : []))
            : [];
      for (const [name, path] of buckets) {
        const problem = bucketNameProblem(name);
        if (problem) {
          found.push(
            makeDiagnostic(
              Codes.invalidS3Trigger,
              sourceMap.locate(path),
              `bucket '${name}' ${problem}`,
              name.startsWith('arn:') || name.startsWith('s3://')
                ? `write the bucket's name alone: '${name.replace(/^(arn:[^:]*:s3:::|s3:\/\/)/, '').split('/')[0] ?? ''}'`
                : undefined,
            ),
          );
        }
      }
      for (const key of ['prefix', 'suffix'] as const) {
        if (s3[key] === '') {
          found.push(
            makeDiagnostic(
              Codes.invalidS3Trigger,
              sourceMap.locate([...at, key], 'key'),
              `an empty ${key} matches every object`,
              `remove \`${key}:\` to match every object`,
            ),
          );
        }
      }
    }
    return found;
  },
};

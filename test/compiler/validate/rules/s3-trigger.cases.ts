import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const TASKS = ['tasks:', '  a:', '    file: tasks/a.py'];

/** Bad workflows that compiler/validate/rules/s3-trigger.ts reports: bucket names, empty prefixes and suffixes. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a bucket name with capitals',
    source: yaml('triggers:', '  - s3: { bucket: Landing }', ...TASKS),
    expect: [{ code: 'ORK245', line: 2, col: 19, message: "bucket 'Landing' has capital letters" }],
  },
  {
    name: 'bucket names in a list, each at its place',
    source: yaml(
      'triggers:',
      '  - s3:',
      '      bucket:',
      '        - landing',
      '        - my_bucket',
      '        - ab',
      '        - 10.0.0.1',
      '        - xn--bucket',
      '        - a..b',
      '        - data-s3alias',
      ...TASKS,
    ),
    expect: [
      { code: 'ORK245', line: 5, col: 11, message: "bucket 'my_bucket' may hold only lowercase letters, digits, . and -" },
      { code: 'ORK245', line: 6, col: 11, message: "bucket 'ab' is 2 characters; a bucket name has 3 to 63" },
      { code: 'ORK245', line: 7, col: 11, message: 'is formatted as an IP address' },
      { code: 'ORK245', line: 8, col: 11, message: "starts with 'xn--', which S3 reserves" },
      { code: 'ORK245', line: 9, col: 11, message: 'has two periods in a row' },
      { code: 'ORK245', line: 10, col: 11, message: "ends with '-s3alias', which S3 reserves" },
    ],
  },
  {
    name: 'a bucket ARN or URL instead of a name',
    source: yaml('triggers:', '  - s3: { bucket: "arn:aws:s3:::landing" }', '  - s3: { bucket: "s3://landing/incoming" }', ...TASKS),
    expect: [
      { code: 'ORK245', line: 2, col: 19, message: "bucket 'arn:aws:s3:::landing'", hint: "write the bucket's name alone: 'landing'" },
      { code: 'ORK245', line: 3, col: 19, message: "bucket 's3://landing/incoming'", hint: "write the bucket's name alone: 'landing'" },
    ],
  },
  {
    name: 'an empty prefix and suffix',
    source: yaml('triggers:', '  - s3:', '      bucket: landing', '      prefix: ""', '      suffix: ""', ...TASKS),
    expect: [
      { code: 'ORK245', line: 4, col: 7, message: 'an empty prefix matches every object', hint: 'remove `prefix:`' },
      { code: 'ORK245', line: 5, col: 7, message: 'an empty suffix matches every object', hint: 'remove `suffix:`' },
    ],
  },
  {
    name: 'a bucket that is not text, and an empty list of buckets',
    source: yaml('triggers:', '  - s3: { bucket: 5 }', '  - s3: { bucket: [] }', ...TASKS),
    expect: [
      { code: 'ORK245', line: 2, col: 19, message: 'the s3: of trigger 1: bucket must be a bucket name or a list of bucket names (got 5)' },
      { code: 'ORK245', line: 3, col: 19, message: 'the s3: of trigger 2: bucket must be a bucket name or a list of bucket names (got [])' },
    ],
  },
];

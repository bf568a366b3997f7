import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const TASKS = ['tasks:', '  a:', '    file: tasks/a.py'];
const trigger = (bus: string): string[] => ['  - event: { source: [shop] }', `    bus: "${bus}"`];

/** Bad workflows that compiler/validate/rules/event-bus.ts reports: `bus:` is an event bus name or ARN. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a bus name with a space',
    source: yaml('triggers:', ...trigger('my orders'), ...TASKS),
    expect: [{ code: 'ORK246', line: 3, col: 10, message: "'my orders' is neither an event bus name nor an event bus ARN", hint: 'leave `bus:` out' }],
  },
  {
    name: 'an ARN with a short account id',
    source: yaml('triggers:', ...trigger('arn:aws:events:eu-west-1:1234:event-bus/orders'), ...TASKS),
    expect: [{ code: 'ORK246', line: 3, col: 10, message: 'neither an event bus name nor an event bus ARN', hint: 'event-bus/<name>' }],
  },
  {
    name: 'an ARN of something else than a bus',
    source: yaml('triggers:', ...trigger('arn:aws:events:eu-west-1:123456789012:rule/orders'), ...TASKS),
    expect: [{ code: 'ORK246', line: 3, col: 10, message: 'neither an event bus name nor an event bus ARN' }],
  },
  {
    name: 'names, partner bus names and ARNs are fine',
    source: yaml(
      'triggers:',
      ...trigger('orders'),
      ...trigger('aws.partner/example.com/123/orders'),
      ...trigger('arn:aws:events:eu-west-1:123456789012:event-bus/orders'),
      ...trigger('arn:aws-cn:events:cn-north-1:123456789012:event-bus/orders'),
      ...TASKS,
    ),
    expect: [],
  },
];

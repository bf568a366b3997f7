/** Stage 2, validateWorkflow: parsed YAML → WorkflowSpec, with defaults merged, units normalised and rules run. */
import { describe, expect, it } from 'vitest';
import { inMemoryHost, permissiveHost, sanitiseWorkflowName, workflowJsonSchema, type CompilerHost } from '../../compiler/index.js';
// The stages' own entry points and helpers, by path: they are not the compiler's public API.
import { sortDiagnostics } from '../../compiler/diagnostics/index.js';
import type { TaskSpec } from '../../compiler/model/index.js';
import { parseWorkflow } from '../../compiler/parse/index.js';
import {
  checkScheduleExpression,
  formatSeconds,
  isTimeZone,
  parseDuration,
  parseMemory,
  validateWorkflow,
  type ValidateResult,
} from '../../compiler/validate/index.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

function validate(source: string, host: CompilerHost = permissiveHost('/work/etl')): ValidateResult {
  const parse = parseWorkflow('workflow.yaml', source);
  if (!parse.parsed) throw new Error(`did not parse: ${JSON.stringify(parse.diagnostics)}`);
  const result = validateWorkflow(parse.parsed, host);
  // Source order, as compile() reports them.
  return { ...result, diagnostics: sortDiagnostics(result.diagnostics) };
}

/** Validates and insists on no diagnostics at all. */
function spec(source: string) {
  const result = validate(source);
  expect(result.diagnostics).toEqual([]);
  return result.spec;
}

function task(source: string, name = 'a'): TaskSpec {
  const found = spec(source).tasks.find((t) => t.name === name);
  if (!found) throw new Error(`no task ${name}`);
  return found;
}

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86400],
    ['1h30m', 5400],
    ['1d2h3m4s', 93784],
    ['90m', 5400],
    [' 45s ', 45],
    [45, 45],
    [3600, 3600],
  ] as const)('parseDuration(%j) = %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([['0s'], ['0'], [0], [-5], [1.5], ['5'], ['5 minutes'], ['1m30'], ['30s1m'], ['h'], [''], ['-1s'], [null], [true], [[30]]])(
    'parseDuration(%j) is not a duration',
    (value) => {
      expect(parseDuration(value)).toBeUndefined();
    },
  );

  it.each([
    [30, '30s'],
    [90, '90s'],
    [900, '15m'],
    [5400, '90m'],
    [7200, '2h'],
  ])('formatSeconds(%d) = %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });

  it.each([
    ['30s', 30],
    ['15m', 900],
    ['2h', 7200],
    ['1h30m', 5400],
    ['600', undefined],
    [600, 600],
  ] as const)('timeout: %j on a container task is %j seconds', (written, seconds) => {
    const value = typeof written === 'string' && /^\d+$/.test(written) ? `"${written}"` : String(written);
    const result = validate(yaml('tasks:', '  a:', '    file: a.py', '    executor: container', `    timeout: ${value}`));
    if (seconds === undefined) {
      // A quoted number is text, and text needs a unit.
      expect(result.diagnostics.map((d) => d.code)).toEqual(['ORK209']);
    } else {
      expect(result.diagnostics).toEqual([]);
      expect(result.spec.tasks[0]?.timeoutSeconds).toBe(seconds);
    }
  });

  it('normalises every duration setting', () => {
    const a = task(
      yaml(
        'tasks:',
        '  a:',
        '    file: a.py',
        '    executor: container',
        '    timeout: 2h',
        '    heartbeat: 90s',
        '    retries: 3',
        '    retry_delay: 1m',
        '    max_retry_delay: 1h30m',
        '    backoff: 1.5',
        '    jitter: true',
      ),
    );
    expect(a).toMatchObject({
      timeoutSeconds: 7200,
      heartbeatSeconds: 90,
      retry: { retries: 3, delaySeconds: 60, maxDelaySeconds: 5400, backoff: 1.5, jitter: true },
    });
  });
});

describe('memory', () => {
  it.each([
    [512, 512],
    ['512', 512],
    ['512MB', 512],
    ['512 MB', 512],
    ['512mb', 512],
    ['512MiB', 512],
    ['512M', 512],
    ['2GB', 2048],
    ['2gb', 2048],
    ['1GiB', 1024],
    ['3G', 3072],
  ] as const)('parseMemory(%j) = %d MB', (text, mb) => {
    expect(parseMemory(text)).toBe(mb);
  });

  it.each([['0MB'], [0], [-1], ['1.5GB'], ['2TB'], ['lots'], [''], [512.5], [null]])('parseMemory(%j) is not a size', (value) => {
    expect(parseMemory(value)).toBeUndefined();
  });

  it('reads units in workflow.yaml', () => {
    const tasks = spec(
      yaml('tasks:', '  a:', '    file: a.py', '    memory: 512MB', '  b:', '    file: b.py', '    memory: 2GB', '  c:', '    file: c.py', '    memory: 1536'),
    ).tasks;
    expect(tasks.map((t) => t.memoryMb)).toEqual([512, 2048, 1536]);
  });

  it('defaults to 1024 MB on Lambda and 2048 MB in a container', () => {
    const tasks = spec(
      yaml('tasks:', '  a:', '    file: a.py', '  b:', '    file: b.ts', '    executor: node', '  c:', '    file: c.py', '    executor: container'),
    ).tasks;
    expect(tasks.map((t) => t.memoryMb)).toEqual([1024, 1024, 2048]);
  });

  it('refuses a zero size instead of quietly using the default', () => {
    const result = validate(yaml('tasks:', '  a:', '    file: a.py', '    memory: 0GB'));
    expect(result.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([['ORK214', 4]]);
  });
});

describe('defaults merged into tasks', () => {
  const source = yaml(
    'defaults:',
    '  executor: container',
    '  retries: 3',
    '  retry_delay: 10s',
    '  timeout: 2h',
    '  memory: 4GB',
    '  cpu: 1',
    '  env:',
    '    STAGE: prod',
    '    LEVEL: info',
    'tasks:',
    '  inherits:',
    '    file: a.py',
    '  overrides:',
    '    file: b.py',
    '    executor: python',
    '    retries: 0',
    '    timeout: 5m',
    '    memory: 512MB',
    '    env:',
    '      LEVEL: debug',
    '      EXTRA: 1',
  );
  const [inherits, overrides] = spec(source).tasks;

  it('a task without a setting takes the default', () => {
    expect(inherits).toMatchObject({
      executor: 'container',
      retry: { retries: 3, delaySeconds: 10 },
      timeoutSeconds: 7200,
      memoryMb: 4096,
      cpu: 1,
      env: { STAGE: 'prod', LEVEL: 'info' },
    });
  });

  it('a task setting wins over the default, including retries: 0', () => {
    expect(overrides).toMatchObject({ executor: 'python', retry: { retries: 0, delaySeconds: 10 }, timeoutSeconds: 300, memoryMb: 512 });
  });

  it('env merges key by key, task over defaults, values as text', () => {
    expect(overrides?.env).toEqual({ STAGE: 'prod', LEVEL: 'debug', EXTRA: '1' });
  });

  it('built-in defaults apply when neither sets a value', () => {
    const a = task(yaml('tasks:', '  a:', '    file: a.py'));
    expect(a).toMatchObject({
      executor: 'python',
      retry: { retries: 0, delaySeconds: 1, backoff: 2, jitter: false },
      timeoutSeconds: 900,
      memoryMb: 1024,
      env: {},
    });
    expect(a.heartbeatSeconds).toBeUndefined();
    const c = task(yaml('tasks:', '  c:', '    file: c.py', '    executor: container'), 'c');
    expect(c.timeoutSeconds).toBeUndefined();
    expect(c.heartbeatSeconds).toBe(300);
  });

  it('retries: 0 is valid, in a task and in defaults', () => {
    expect(task(yaml('tasks:', '  a:', '    file: a.py', '    retries: 0')).retry.retries).toBe(0);
    expect(task(yaml('defaults:', '  retries: 0', 'tasks:', '  a:', '    file: a.py')).retry.retries).toBe(0);
  });

  it('a timeout inherited by a python task is checked against Lambda', () => {
    const result = validate(yaml('defaults:', '  timeout: 30m', 'tasks:', '  a:', '    file: a.py'));
    expect(result.diagnostics).toMatchObject([
      { code: 'ORK210', span: { start: { line: 2, col: 12 } }, message: expect.stringContaining("task 'a' inherits it") },
    ]);
  });

  it('a bad default does not hide the checks of the other defaults', () => {
    const result = validate(yaml('defaults:', '  executor: dockr', '  timeout: 1h', 'tasks:', '  a:', '    file: a.py'));
    expect(result.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ['ORK208', 2],
      ['ORK210', 3],
    ]);
  });
});

describe('tasks', () => {
  it('keeps file order and file paths as written', () => {
    const s = spec(yaml('tasks:', '  z:', '    file: tasks/z.py', '  a:', '    file: ./a.py', '  m:', '    file: deep/er/m.py'));
    expect(s.tasks.map((t) => [t.name, t.file])).toEqual([
      ['z', 'tasks/z.py'],
      ['a', './a.py'],
      ['m', 'deep/er/m.py'],
    ]);
  });

  it('depends_on as a name or a list; fan-out sources are implicit dependencies', () => {
    const s = spec(
      yaml(
        'tasks:',
        '  a:',
        '    file: a.py',
        '  b:',
        '    file: b.py',
        '    depends_on: a',
        '  c:',
        '    file: c.py',
        '    depends_on: [a, b]',
        '    foreach: a.items',
        '    parallel: b.count',
      ),
    );
    const deps = Object.fromEntries(
      s.tasks.map((t) => [t.name, t.dependsOn.map((d) => `${d.task}${d.implicit ? '*' : ''}@${d.span.start.line}:${d.span.start.col}`)]),
    );
    expect(deps).toEqual({ a: [], b: ['a@6:17'], c: ['a@9:18', 'b@9:21', 'a*@10:14', 'b*@11:15'] });
  });

  it('describes each fan-out form', () => {
    const s = spec(
      yaml(
        'tasks:',
        '  src:',
        '    file: s.py',
        '  fixed:',
        '    file: f.py',
        '    parallel: 4',
        '    concurrency: 2',
        '  counted:',
        '    file: c.py',
        '    parallel: src.count',
        '  each:',
        '    file: e.py',
        '    foreach: src.files.list',
        '  both:',
        '    file: b.py',
        '    foreach: src.files',
        '    parallel: 3',
      ),
    );
    const [src, fixed, counted, each, both] = s.tasks;
    expect(src?.fanOut).toBeUndefined();
    expect(fixed?.fanOut).toMatchObject({ parallel: { kind: 'static', count: 4 }, concurrency: 2 });
    expect(counted?.fanOut).toMatchObject({ parallel: { kind: 'reference', ref: { task: 'src', field: ['count'], text: 'src.count' } } });
    expect(each?.fanOut).toMatchObject({ foreach: { task: 'src', field: ['files', 'list'] } });
    expect(each?.fanOut?.parallel).toBeUndefined();
    expect(both?.fanOut).toMatchObject({ foreach: { task: 'src', field: ['files'] }, parallel: { kind: 'static', count: 3 } });
  });

  it('a task with one bad setting keeps its others, so they are checked too', () => {
    const result = validate(yaml('tasks:', '  a:', '    file: a.py', '    retries: -1', '    timeout: 1h', '    depends_on: [b]'));
    expect(result.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ['ORK206', 4],
      ['ORK210', 5],
    ]);
    // The dependency survives for the graph stage to report.
    expect(result.spec.tasks[0]?.dependsOn.map((d) => d.task)).toEqual(['b']);
  });

  it('a task without a valid file still takes part in the graph', () => {
    const result = validate(yaml('tasks:', '  a:', '    depends_on: [b]'));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['ORK202']);
    expect(result.spec.tasks).toMatchObject([{ name: 'a', file: '', dependsOn: [{ task: 'b' }] }]);
  });

  it('points each task at its key', () => {
    const s = spec(yaml('tasks:', '  first:', '    file: a.py', '  second:', '    file: b.py'));
    expect(s.tasks.map((t) => t.span.start)).toEqual([
      { line: 2, col: 3 },
      { line: 4, col: 3 },
    ]);
  });
});

describe('task files', () => {
  const host = inMemoryHost(['tasks/a.py', 'app/main.ts'], '/work/etl');

  it('accepts files inside the workflow directory', () => {
    const result = validate(
      yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: ./tasks/../tasks/a.py', '  c:', '    file: app/main.ts', '    executor: node'),
      host,
    );
    expect(result.diagnostics).toEqual([]);
  });

  it('reports missing and escaping files at their line', () => {
    const result = validate(yaml('tasks:', '  a:', '    file: tasks/b.py', '  b:', '    file: ../etl2/tasks/a.py'), host);
    expect(result.diagnostics.map((d) => [d.code, d.span.start.line, d.span.start.col])).toEqual([
      ['ORK211', 3, 11],
      ['ORK212', 5, 11],
    ]);
  });
});

describe('schedules', () => {
  it.each([
    ['rate(1 hour)'],
    ['rate(5 minutes)'],
    ['rate(1 day)'],
    ['rate(7 days)'],
    ['cron(0 6 * * ? *)'],
    ['cron(0/15 8-17 ? * MON-FRI *)'],
    ['cron(0 12 L * ? 2026)'],
    ['cron(0 10 ? * 6#3 *)'],
    ['at(2026-01-01T00:00:00)'],
  ])('%s is a valid expression', (expression) => {
    expect(checkScheduleExpression(expression)).toBeUndefined();
  });

  it.each([
    ['rate(0 hours)', 'at least 1'],
    ['rate(1 minutes)', 'singular'],
    ['rate(2 hour)', 'plural'],
    ['rate(1 week)', 'not a schedule expression'],
    ['cron(0 6 * * *)', '5 fields'],
    ['cron(0 6 * * ? * *)', '7 fields'],
    ['cron(0 6 * * MON *)', 'exactly one'],
    ['cron(0 6 ? * ? *)', 'exactly one'],
    ['cron(x 6 * * ? *)', "minutes field: 'x' is not a number"],
    ['at(2026-01-01)', 'not a schedule expression'],
    ['daily', 'not a schedule expression'],
  ])('%s is refused: %s', (expression, message) => {
    expect(checkScheduleExpression(expression)?.message).toContain(message);
  });

  it('time zones are IANA names', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Europe/Pariss')).toBe(false);
    expect(isTimeZone('CEST+1')).toBe(false);
  });

  it('a string is an enabled schedule', () => {
    expect(spec(yaml('schedule: " rate(1 hour) "', 'tasks:', '  a:', '    file: a.py')).schedule).toEqual({ expression: 'rate(1 hour)', enabled: true });
  });

  it('a mapping carries time zone, window, input and enabled', () => {
    const s = spec(
      yaml(
        'schedule:',
        '  expression: cron(0 6 * * ? *)',
        '  timezone: Europe/Paris',
        '  enabled: false',
        '  flexible_window: 15m',
        '  input: {day: today}',
        'tasks:',
        '  a:',
        '    file: a.py',
      ),
    );
    expect(s.schedule).toEqual({
      expression: 'cron(0 6 * * ? *)',
      timezone: 'Europe/Paris',
      enabled: false,
      flexibleWindowSeconds: 900,
      input: { day: 'today' },
    });
  });

  it('no schedule: key, no schedule', () => {
    expect(spec(yaml('tasks:', '  a:', '    file: a.py')).schedule).toBeUndefined();
  });

  it('one bad schedule setting does not hide the others', () => {
    const result = validate(
      yaml('schedule:', '  expression: rate(1 hours)', '  timezone: Mars/Olympus', '  flexible_window: soon', 'tasks:', '  a:', '    file: a.py'),
    );
    expect(result.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ['ORK215', 2],
      ['ORK216', 3],
      ['ORK209', 4],
    ]);
  });
});

describe('workflow settings', () => {
  it('the name defaults to the directory name, made valid', () => {
    expect(validate(yaml('tasks:', '  a:', '    file: a.py'), permissiveHost('/work/My ETL (v2)')).spec.name).toBe('My-ETL-v2');
    expect(sanitiseWorkflowName('***')).toBe('workflow');
    expect(sanitiseWorkflowName('x'.repeat(100))).toHaveLength(80);
  });

  it('name, description and params as written', () => {
    const s = spec(yaml('name: etl-daily', 'description: Daily ETL', 'params:', '  day: today', '  limits: {rows: 10}', 'tasks:', '  a:', '    file: a.py'));
    expect(s).toMatchObject({ name: 'etl-daily', description: 'Daily ETL', params: { day: 'today', limits: { rows: 10 } }, file: 'workflow.yaml' });
  });

  it('accepts $schema for editors', () => {
    expect(validate(yaml('$schema: https://ork.dev/schemas/workflow.json', 'tasks:', '  a:', '    file: a.py')).diagnostics).toEqual([]);
  });

  it('the JSON Schema for editors is derived from the same schema', () => {
    const schema = workflowJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'params', 'defaults', 'schedule', 'tasks']));
    expect(schema.required).toContain('tasks');
    expect(Object.keys(schema.properties.defaults?.properties ?? {})).toContain('retries');
    const trigger = (schema.properties.triggers as { items?: Record<string, unknown> } | undefined)?.items;
    expect(trigger?.oneOf).toStrictEqual([{ required: ['s3'] }, { required: ['event'] }]);
    expect(trigger?.dependencies).toStrictEqual({ bus: { required: ['event'] } });
  });
});

describe('messages for values of the wrong kind', () => {
  it.each([
    ['backoff: x', 'ORK200', "backoff must be a number, 1 or more (got 'x')"],
    ['jitter: 5', 'ORK200', 'jitter must be true or false (got 5)'],
    ['description: [1]', 'ORK200', 'description must be text (got [1])'],
    ['env: {A: {x: 1}}', 'ORK200', 'env.A must be text, a number or true or false'],
    ['file: 7', 'ORK200', 'file must be a path relative to the workflow directory'],
    ['image: ""', 'ORK200', 'image must be a container image'],
  ])('%s', (line, code, message) => {
    const result = validate(yaml('tasks:', '  a:', '    file: a.py', '    executor: container', `    ${line}`));
    expect(result.diagnostics).toMatchObject([{ code, span: { start: { line: 5 } }, message: expect.stringContaining(message) }]);
  });

  it('says a whole section once: "defaults must be…", not "defaults: defaults must be…"', () => {
    const result = validate(yaml('defaults: [1]', 'tasks:', '  a:', '    file: a.py'));
    expect(result.diagnostics).toMatchObject([{ code: 'ORK200', message: 'defaults must be a mapping of task settings (got [1])' }]);
  });
});

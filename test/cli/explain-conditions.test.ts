/** `ork compile --explain` on when:, if: always and on_failure: (docs/conditions.md). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, permissiveHost } from '../../compiler/index.js';
import { explainConditions } from '../../lib/cli/commands/explain-conditions.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

function explainSource(source: string): string {
  const result = compile({ file: '/w/workflow.yaml', source, host: permissiveHost('/w') });
  expect(result.diagnostics).toStrictEqual([]);
  if (!result.definition || !result.manifest) throw new Error('did not compile');
  return explainConditions(result.definition, result.manifest);
}

describe('ork compile --explain, conditions', () => {
  it('says where each Choice goes, where a skip continues and which tasks it carries to', () => {
    const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'conditional'));
    expect(explainConditions(definition, manifest).split('\n')).toStrictEqual([
      '',
      'Skips (a Choice state before each task that may be skipped; a skipped task succeeds with result null):',
      "  audit-when: audit runs when params.mode in ['full', 'audit'] and not (discover.flags.audit == false)",
      '    the condition holds → audit',
      '    otherwise → audit-skipped',
      "    audit-skipped sets audit's result to null and ends its branch of Ork-Parallel-1, which then continues to report-when",
      '    a skip carries to no other task',
      '    runs anyway (if: always): report',
      "  process-when: process runs when discover.count > 0 and params.mode != 'dry-run'",
      '    the condition holds → process-check-items, which runs process',
      '    otherwise → process-skipped',
      "    process-skipped sets process's result to null and ends its branch of Ork-Parallel-2, which then continues to aggregate-when",
      '    a skip carries to aggregate, report',
      '  grid-when: grid runs when discover.count >= params.min_count or discover.note == null',
      '    the condition holds → grid-check-items, which runs grid',
      '    otherwise → grid-skipped',
      "    grid-skipped sets grid's result to null and ends its branch of Ork-Parallel-2, which then continues to aggregate-when",
      '    a skip carries to aggregate, report',
      '  listing-when: listing runs when discover.count > 1000',
      '    the condition holds → listing',
      '    otherwise → listing-skipped',
      "    listing-skipped sets listing's result to null and continues to huge-when",
      '    a skip carries to huge',
      '    runs anyway (if: always): report',
      '  huge-when: huge has no condition of its own',
      '    first, listing skipped (result null) → huge-skipped',
      '    otherwise → huge-check-items, which runs huge',
      "    huge-skipped sets huge's result to null and ends its branch of Ork-Parallel-1, which then continues to report-when",
      '    a skip carries to no other task',
      '    runs anyway (if: always): report',
      '  aggregate-when: aggregate has no condition of its own',
      '    first, process or grid skipped (result null) → aggregate-skipped',
      '    otherwise → aggregate',
      "    aggregate-skipped sets aggregate's result to null and ends its branch of Ork-Parallel-1, which then continues to report-when",
      '    a skip carries to report',
      '  report-when: report has no condition of its own',
      '    first, aggregate skipped (result null) → report-skipped',
      '    otherwise → report',
      "    report-skipped sets report's result to null and continues to Ork-Done",
      '    a skip carries to no other task',
      '',
    ]);
  });

  it('tests the skipped upstreams before the condition, and names the task behind a fan-out’s first state', () => {
    const text = explainSource(
      [
        'tasks:',
        '  a: { file: a.py, when: "params.go == true" }',
        '  b: { file: b.py, depends_on: [a], parallel: 2, when: "a.n > 2" }',
        '  c: { file: c.py, depends_on: [{ task: b, if: always }] }',
        '',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '  b-when: b runs when a.n > 2',
        '    first, a skipped (result null) → b-skipped',
        '    the condition holds → b-count, which runs b',
        '    otherwise → b-skipped',
        "    b-skipped sets b's result to null and continues to c",
        '    a skip carries to no other task',
        '    runs anyway (if: always): c',
      ].join('\n'),
    );
    expect(text).toContain('    a skip carries to b\n');
  });

  it('says nothing for a workflow with no condition and no handler', () => {
    expect(explainSource('tasks:\n  a: { file: a.py }\n  b: { file: b.py, depends_on: [a] }\n')).toBe('');
  });
});

describe('ork compile --explain, on_failure', () => {
  it('follows a failure from each task to the handler and the end of the run', () => {
    const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'on-failure'));
    expect(explainConditions(definition, manifest).split('\n')).toStrictEqual([
      '',
      'On failure (tasks/alert.py):',
      '  a task that fails (after its retries) is caught where it runs and rethrown naming itself:',
      '    extract: extract → extract-failure → extract-failure-text → extract-rethrow',
      '    transform: transform-no-items, transform-not-a-list, transform-distributed, transform-fanout → transform-failure → transform-failure-text → transform-rethrow',
      '    summarise: summarise → summarise-failure → summarise-failure-text → summarise-rethrow',
      '    load: load → load-failure → load-failure-text → load-rethrow',
      '  Ork-Workflow, a Parallel whose one branch is the workflow, catches any failure → Ork-Failure-Read:',
      "    a task's failure → Ork-Failure-Unwrap → Ork-Failure-Unwrapped (the task, its instance, error and cause)",
      '    any other (of no one task) → Ork-Failure-Plain (its error and cause)',
      '  → on_failure runs the handler with params and failure, then Ork-Failed ends the run with the original error and cause (also when the handler fails)',
      '',
    ]);
  });
});

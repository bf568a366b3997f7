/** `ork graph` pictures of when:, if: always and on_failure: (docs/conditions.md), Mermaid and DOT. */
import { describe, expect, it } from 'vitest';
import { compile, permissiveHost, renderDot, renderMermaid } from '../../../compiler/index.js';
import type { TaskGraph } from '../../../compiler/index.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

function graphOf(source: string): TaskGraph {
  const result = compile({ file: '/w/workflow.yaml', source, host: permissiveHost('/w') });
  expect(result.diagnostics).toStrictEqual([]);
  if (!result.graph) throw new Error('no graph');
  return result.graph;
}

const CONDITIONAL = graphOf(
  yaml(
    'name: w',
    'params: { mode: full }',
    'tasks:',
    '  discover:',
    '    file: d.py',
    `    when: "params.mode != 'dry-run'"`,
    '  process:',
    '    file: p.py',
    '    foreach: discover.files',
    '    when: discover.count > 0',
    '  audit:',
    '    file: a.py',
    '    depends_on: [discover]',
    '    when: "discover.tag == \\"a#b\\" or discover.n < 3 and discover.m >= 1"',
    '  report:',
    '    file: r.py',
    '    depends_on: [discover, {task: process, if: always}, {task: audit, if: always}]',
  ),
);

describe('ork graph draws conditions', () => {
  it('Mermaid: the condition on the edges in (escaped), under the name of a task with none, and if: always edges dotted', () => {
    expect(renderMermaid(CONDITIONAL).split('\n')).toStrictEqual([
      'flowchart TD',
      `  discover["discover<br/><small>when params.mode != 'dry-run'</small>"]`,
      '  process[["process<br/><small>foreach discover.files</small>"]]',
      '  audit["audit"]',
      '  report["report"]',
      '  discover -- "files · when discover.count #gt; 0" --> process',
      '  discover -- "when discover.tag == #quot;a#35;b#quot; or discover.n #lt; 3 and discover.m #gt;= 1" --> audit',
      '  discover --> report',
      '  process -. "always" .-> report',
      '  audit -. "always" .-> report',
      '  classDef fanout fill:#fff4d6,stroke:#c98a00,stroke-width:2px',
      '  class process fanout',
      '',
    ]);
  });

  it('DOT: the same, if: always edges dashed', () => {
    expect(renderDot(CONDITIONAL).split('\n')).toStrictEqual([
      'digraph "w" {',
      '  rankdir=TB;',
      '  node [shape=box, style="rounded,filled", fillcolor="#eef3ff", fontname="Helvetica"];',
      `  "discover" [label="discover\\nwhen params.mode != 'dry-run'"];`,
      '  "process" [label="process\\nforeach discover.files", shape=box3d, style=filled, fillcolor="#fff4d6"];',
      '  "audit";',
      '  "report";',
      '  "discover" -> "process" [label="files · when discover.count > 0"];',
      '  "discover" -> "audit" [label="when discover.tag == \\"a#b\\" or discover.n < 3 and discover.m >= 1"];',
      '  "discover" -> "report";',
      '  "process" -> "report" [label="always", style=dashed];',
      '  "audit" -> "report" [label="always", style=dashed];',
      '}',
      '',
    ]);
  });

  it('a condition written over several lines is drawn on one', () => {
    const graph = graphOf(
      yaml('tasks:', '  a:', '    file: a.py', '  b:', '    file: b.py', '    depends_on: [a]', '    when: >-', '      a.x == 1', '      and a.y == 2'),
    );
    expect(renderMermaid(graph)).toContain('  a -- "when a.x == 1 and a.y == 2" --> b\n');
    expect(renderDot(graph)).toContain('  "a" -> "b" [label="when a.x == 1 and a.y == 2"];\n');
  });

  it('an if: always edge into a task with a condition says both', () => {
    const graph = graphOf(
      yaml(
        'tasks:',
        '  a:',
        '    file: a.py',
        '    when: params.x == 1',
        '  b:',
        '    file: b.py',
        '    depends_on: [{task: a, if: always}]',
        '    when: params.y == 2',
      ),
    );
    expect(renderMermaid(graph)).toContain('  a -. "always · when params.y == 2" .-> b\n');
    expect(renderDot(graph)).toContain('  "a" -> "b" [label="always · when params.y == 2", style=dashed];\n');
  });
});

describe('ork graph draws the on_failure handler', () => {
  const graph = graphOf(
    yaml('name: w', 'tasks:', '  a:', '    file: a.py', '  b:', '    file: b.py', '    depends_on: [a]', 'on_failure:', '  file: alert.py'),
  );

  it('Mermaid: a node of its own, no edges, dotted border', () => {
    expect(renderMermaid(graph).split('\n')).toStrictEqual([
      'flowchart TD',
      '  a["a"]',
      '  b["b"]',
      '  on_failure["on_failure<br/><small>on failure</small>"]',
      '  a --> b',
      '  classDef onfailure fill:#fdecec,stroke:#b42318,stroke-dasharray:3 3',
      '  class on_failure onfailure',
      '',
    ]);
  });

  it('DOT: a dotted node of its own', () => {
    expect(renderDot(graph).split('\n')).toStrictEqual([
      'digraph "w" {',
      '  rankdir=TB;',
      '  node [shape=box, style="rounded,filled", fillcolor="#eef3ff", fontname="Helvetica"];',
      '  "a";',
      '  "b";',
      '  "on_failure" [label="on_failure\\non failure", style="rounded,dotted,filled", fillcolor="#fdecec"];',
      '  "a" -> "b";',
      '}',
      '',
    ]);
  });
});

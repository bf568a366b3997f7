import type { TaskGraph } from '../graph/index.js';
import { fanOutFields, fanOutLabel } from './graph-labels.js';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz DOT. Fan-out tasks are drawn as 3-D boxes with their fan-out under the name. */
export function renderDot(graph: TaskGraph): string {
  const lines = [
    `digraph ${quote(graph.spec.name)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3ff", fontname="Helvetica"];',
  ];
  for (const task of graph.tasks.values()) {
    const label = fanOutLabel(task);
    lines.push(
      label ? `  ${quote(task.name)} [label=${quote(`${task.name}\n${label}`)}, shape=box3d, style=filled, fillcolor="#fff4d6"];` : `  ${quote(task.name)};`,
    );
  }
  for (const task of graph.tasks.values()) {
    for (const upstream of graph.upstream.get(task.name) ?? []) {
      const via = fanOutFields(task, upstream);
      lines.push(`  ${quote(upstream)} -> ${quote(task.name)}${via.length > 0 ? ` [label=${quote(via.join(', '))}]` : ''};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

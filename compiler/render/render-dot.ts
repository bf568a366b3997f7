import type { TaskGraph } from '../graph/index.js';
import { conditionLabel, edgeLabel, fanOutLabel, ON_FAILURE_LABEL, runsAfterSkipped } from './graph-labels.js';

/** A DOT string; a line break becomes the escape `\n`, which Graphviz draws as one in a label. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Graphviz DOT. Fan-out tasks are drawn as 3-D boxes with their fan-out under the name; an edge into a
 * task with `when:` carries its condition, an `if: always` edge is dashed and labelled `always`, and the
 * `on_failure:` handler is a dotted node of its own.
 */
export function renderDot(graph: TaskGraph): string {
  const lines = [
    `digraph ${quote(graph.spec.name)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3ff", fontname="Helvetica"];',
  ];
  for (const task of graph.tasks.values()) {
    const fanOut = fanOutLabel(task);
    // With no edge in, a task's condition goes under its name.
    const condition = (graph.upstream.get(task.name) ?? []).length === 0 ? conditionLabel(task) : undefined;
    const label = [task.name, fanOut, condition].filter((l): l is string => l !== undefined).join('\n');
    const attributes = [...(label !== task.name ? [`label=${quote(label)}`] : []), ...(fanOut ? ['shape=box3d', 'style=filled', 'fillcolor="#fff4d6"'] : [])];
    lines.push(attributes.length > 0 ? `  ${quote(task.name)} [${attributes.join(', ')}];` : `  ${quote(task.name)};`);
  }
  const handler = graph.spec.onFailure;
  if (handler) {
    lines.push(`  ${quote(handler.name)} [label=${quote(`${handler.name}\n${ON_FAILURE_LABEL}`)}, style="rounded,dotted,filled", fillcolor="#fdecec"];`);
  }
  for (const task of graph.tasks.values()) {
    for (const upstream of graph.upstream.get(task.name) ?? []) {
      const label = edgeLabel(task, upstream);
      const attributes = [...(label ? [`label=${quote(label)}`] : []), ...(runsAfterSkipped(task, upstream) ? ['style=dashed'] : [])];
      lines.push(`  ${quote(upstream)} -> ${quote(task.name)}${attributes.length > 0 ? ` [${attributes.join(', ')}]` : ''};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

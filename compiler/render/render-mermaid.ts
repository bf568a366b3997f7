import type { TaskGraph } from '../graph/index.js';
import { conditionLabel, edgeLabel, fanOutLabel, ON_FAILURE_LABEL, runsAfterSkipped } from './graph-labels.js';

/**
 * Text inside a quoted Mermaid label. `#` first, since the others become `#…;` entities; `<`, `>` and `&`
 * too, because labels are HTML and a condition such as `a < b` would open a tag.
 */
function escape(text: string): string {
  return text.replace(/#/g, '#35;').replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/**
 * Mermaid flowchart (renders on GitHub). Fan-out tasks are drawn as stacked boxes (subroutine shape) with
 * their fan-out under the name; an edge that feeds a fan-out is labelled with the field it reads, an edge
 * into a task with `when:` with its condition, and an `if: always` edge is dotted and labelled `always`.
 * The `on_failure:` handler is a node of its own, with a dotted border and no edges: any failure runs it.
 */
export function renderMermaid(graph: TaskGraph): string {
  const lines = ['flowchart TD'];
  for (const name of graph.order.length === graph.tasks.size ? graph.order : [...graph.tasks.keys()]) {
    const task = graph.tasks.get(name);
    if (!task) continue;
    // With no edge in, a task's condition goes under its name.
    const notes = [fanOutLabel(task), (graph.upstream.get(name) ?? []).length === 0 ? conditionLabel(task) : undefined].filter(
      (n): n is string => n !== undefined,
    );
    const text = `${escape(name)}${notes.map((n) => `<br/><small>${escape(n)}</small>`).join('')}`;
    lines.push(task.fanOut ? `  ${name}[["${text}"]]` : `  ${name}["${text}"]`);
  }
  const handler = graph.spec.onFailure;
  if (handler) lines.push(`  ${handler.name}["${escape(handler.name)}<br/><small>${escape(ON_FAILURE_LABEL)}</small>"]`);
  for (const task of graph.tasks.values()) {
    for (const upstream of graph.upstream.get(task.name) ?? []) {
      const label = edgeLabel(task, upstream);
      const always = runsAfterSkipped(task, upstream);
      if (!label) lines.push(`  ${upstream} --> ${task.name}`);
      else lines.push(always ? `  ${upstream} -. "${escape(label)}" .-> ${task.name}` : `  ${upstream} -- "${escape(label)}" --> ${task.name}`);
    }
  }
  const fanned = [...graph.tasks.values()].filter((t) => t.fanOut).map((t) => t.name);
  if (fanned.length > 0) {
    lines.push('  classDef fanout fill:#fff4d6,stroke:#c98a00,stroke-width:2px');
    lines.push(`  class ${fanned.join(',')} fanout`);
  }
  if (handler) {
    lines.push('  classDef onfailure fill:#fdecec,stroke:#b42318,stroke-dasharray:3 3');
    lines.push(`  class ${handler.name} onfailure`);
  }
  return `${lines.join('\n')}\n`;
}

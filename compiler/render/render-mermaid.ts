import type { TaskGraph } from '../graph/index.js';
import { fanOutFields, fanOutLabel } from './graph-labels.js';

function escape(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/**
 * Mermaid flowchart (renders on GitHub). Fan-out tasks are drawn as stacked boxes (subroutine shape) with
 * their fan-out under the name; an edge that feeds a fan-out is labelled with the field it reads.
 */
export function renderMermaid(graph: TaskGraph): string {
  const lines = ['flowchart TD'];
  for (const name of graph.order.length === graph.tasks.size ? graph.order : [...graph.tasks.keys()]) {
    const task = graph.tasks.get(name);
    if (!task) continue;
    const label = fanOutLabel(task);
    lines.push(label ? `  ${name}[["${escape(name)}<br/><small>${escape(label)}</small>"]]` : `  ${name}["${escape(name)}"]`);
  }
  for (const task of graph.tasks.values()) {
    for (const upstream of graph.upstream.get(task.name) ?? []) {
      const via = fanOutFields(task, upstream);
      lines.push(via.length > 0 ? `  ${upstream} -- "${escape(via.join(', '))}" --> ${task.name}` : `  ${upstream} --> ${task.name}`);
    }
  }
  const fanned = [...graph.tasks.values()].filter((t) => t.fanOut).map((t) => t.name);
  if (fanned.length > 0) {
    lines.push('  classDef fanout fill:#fff4d6,stroke:#c98a00,stroke-width:2px');
    lines.push(`  class ${fanned.join(',')} fanout`);
  }
  return `${lines.join('\n')}\n`;
}

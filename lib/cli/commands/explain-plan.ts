import type { Plan, PlanNode, TaskGraph } from '../../../compiler/index.js';
import { fanOutLabel } from '../../../compiler/index.js';

function describe(node: PlanNode, graph: TaskGraph, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  if (node.kind === 'task') {
    const task = graph.tasks.get(node.task);
    const label = task ? fanOutLabel(task) : undefined;
    lines.push(`${pad}${node.task}${label ? `  (${label})` : ''}`);
    return;
  }
  if (node.kind === 'sequence') {
    lines.push(`${pad}in order:`);
    for (const step of node.steps) describe(step, graph, depth + 1, lines);
    return;
  }
  lines.push(`${pad}at once (Parallel state, waits for every branch):`);
  for (const branch of node.branches) describe(branch, graph, depth + 1, lines);
}

/** What `ork compile --explain` prints: the schedule, and any parallelism the schedule gave up. */
export function explainPlan(plan: Plan, graph: TaskGraph): string {
  const lines = ['Schedule:'];
  describe(plan.root, graph, 1, lines);
  lines.push('');
  if (plan.addedWaits.length === 0) {
    lines.push('Parallelism: exact. Every task starts as soon as its own dependencies finish.');
  } else {
    lines.push('Parallelism given up: the task graph is not series-parallel, so Step Functions cannot express it');
    lines.push('exactly. These tasks wait for tasks they do not depend on:');
    for (const wait of plan.addedWaits) lines.push(`  ${wait.task} also waits for ${wait.waitsFor.join(', ')}`);
    lines.push('Adding those dependencies in depends_on (or removing the crossing ones) makes the schedule exact.');
  }
  return `${lines.join('\n')}\n`;
}

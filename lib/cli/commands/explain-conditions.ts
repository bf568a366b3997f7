import type { State, StateMachineDefinition, StateVisit, TaskManifest, TaskManifestEntry } from '../../../compiler/index.js';
import { walkStates } from '../../../compiler/index.js';

/**
 * What `ork compile --explain` says about `when:`, `if: always` and `on_failure:` (docs/conditions.md):
 * where each Choice goes, where a skip carries, and the path from a task's failure to the handler. The
 * state names are read from the definition, so what is printed is what runs (names may be shortened).
 */

function nextOf(state: State): string | undefined {
  return 'Next' in state ? state.Next : undefined;
}

/** Where the machine goes once `name` is done: its Next, or past the end of the branch that holds it. */
function continuation(name: string, visits: ReadonlyMap<string, StateVisit>): string {
  const visit = visits.get(name);
  const next = visit ? nextOf(visit.state) : undefined;
  if (next !== undefined) return `continues to ${next}`;
  const parent = visit?.path.at(-2);
  if (parent === undefined) return 'ends the run';
  return `ends its branch of ${parent}, which then ${continuation(parent, visits)}`;
}

/** The Choice state before a task: the one that may go to its skip state. */
function checkOf(skipState: string, visits: ReadonlyMap<string, StateVisit>): StateVisit | undefined {
  return [...visits.values()].find((v) => v.state.Type === 'Choice' && (v.state.Default === skipState || v.state.Choices.some((c) => c.Next === skipState)));
}

/** Tasks a skip of `task` skips too: down the edges that are not `if: always`, transitively. */
function carriedTo(task: string, tasks: readonly TaskManifestEntry[]): { skipped: string[]; runAnyway: string[] } {
  const skipped = new Set<string>();
  const runAnyway = new Set<string>();
  const reached = [task];
  for (let i = 0; i < reached.length; i++) {
    const from = reached[i] ?? '';
    for (const entry of tasks) {
      if (!entry.dependsOn.includes(from)) continue;
      if (entry.runsAfterSkipped?.includes(from)) runAnyway.add(entry.name);
      else if (!skipped.has(entry.name)) {
        skipped.add(entry.name);
        reached.push(entry.name);
      }
    }
  }
  return { skipped: [...skipped], runAnyway: [...runAnyway].filter((n) => !skipped.has(n)) };
}

function describeSkip(entry: TaskManifestEntry, tasks: readonly TaskManifestEntry[], visits: ReadonlyMap<string, StateVisit>): string[] {
  const skipState = entry.skipState ?? '';
  const check = checkOf(skipState, visits);
  if (!check || check.state.Type !== 'Choice') return [`  ${entry.name}: skipped at ${skipState}`];
  const skippable = new Set(tasks.filter((t) => t.skipState !== undefined).map((t) => t.name));
  const tested = entry.dependsOn.filter((u) => skippable.has(u) && !entry.runsAfterSkipped?.includes(u));
  const start = entry.when ? check.state.Choices.find((c) => c.Next !== skipState)?.Next : check.state.Default;
  const runs = start === entry.stateName ? '' : `, which runs ${entry.name}`;
  const lines = [`  ${check.name}: ${entry.name} ${entry.when ? `runs when ${entry.when.replace(/\s+/g, ' ').trim()}` : 'has no condition of its own'}`];
  // The skipped upstreams are tested first: the condition may read them.
  if (tested.length > 0) lines.push(`    first, ${tested.join(' or ')} skipped (result null) → ${skipState}`);
  if (entry.when) {
    lines.push(`    the condition holds → ${start ?? '?'}${runs}`);
    lines.push(`    otherwise → ${skipState}`);
  } else {
    lines.push(`    otherwise → ${start ?? '?'}${runs}`);
  }
  lines.push(`    ${skipState} sets ${entry.name}'s result to null and ${continuation(skipState, visits)}`);
  const { skipped, runAnyway } = carriedTo(entry.name, tasks);
  lines.push(`    a skip carries to ${skipped.length > 0 ? skipped.join(', ') : 'no other task'}`);
  if (runAnyway.length > 0) lines.push(`    runs anyway (if: always): ${runAnyway.join(', ')}`);
  return lines;
}

/** The failure path: each task's catchers and checks into its rethrow, the workflow's Catch, the handler. */
function describeFailure(handler: TaskManifestEntry, visits: ReadonlyMap<string, StateVisit>): string[] {
  const lines = [`On failure (${handler.file}):`];
  const all = [...visits.values()];
  const named = all.filter(
    (v) =>
      v.state.Type === 'Pass' &&
      typeof v.state.Parameters?.wrapper === 'object' &&
      v.state.Parameters.wrapper !== null &&
      'ork_failure' in v.state.Parameters.wrapper,
  );
  if (named.length > 0) lines.push('  a task that fails (after its retries) is caught where it runs and rethrown naming itself:');
  for (const describe of named) {
    const wrapper = (describe.state.Type === 'Pass' ? describe.state.Parameters?.wrapper : undefined) as { ork_failure?: { task?: string } } | undefined;
    const from = all
      .filter((v) => ('Catch' in v.state && v.state.Catch?.some((c) => c.Next === describe.name)) || nextOf(v.state) === describe.name)
      .map((v) => v.name);
    const text = nextOf(describe.state);
    const rethrow = text !== undefined ? nextOf(visits.get(text)?.state ?? { Type: 'Succeed' }) : undefined;
    lines.push(`    ${wrapper?.ork_failure?.task ?? '?'}: ${from.join(', ')} → ${[describe.name, text, rethrow].filter((n) => n !== undefined).join(' → ')}`);
  }
  const workflow = all.find((v) => v.state.Type === 'Parallel' && v.state.Catch !== undefined && v.path.length === 1);
  const read = workflow && workflow.state.Type === 'Parallel' ? workflow.state.Catch?.[0]?.Next : undefined;
  const readState = read !== undefined ? visits.get(read)?.state : undefined;
  if (workflow && read !== undefined && readState?.Type === 'Choice') {
    const unwrap = readState.Choices[0]?.Next;
    const unwrapped = unwrap !== undefined ? nextOf(visits.get(unwrap)?.state ?? { Type: 'Succeed' }) : undefined;
    lines.push(`  ${workflow.name}, a Parallel whose one branch is the workflow, catches any failure → ${read}:`);
    lines.push(`    a task's failure → ${[unwrap, unwrapped].filter((n) => n !== undefined).join(' → ')} (the task, its instance, error and cause)`);
    lines.push(`    any other (of no one task) → ${readState.Default ?? '?'} (its error and cause)`);
  }
  const failed = nextOf(visits.get(handler.stateName)?.state ?? { Type: 'Succeed' });
  lines.push(
    `  → ${handler.stateName} runs the handler with params and failure, then ${failed ?? '?'} ends the run with the original error and cause (also when the handler fails)`,
  );
  return lines;
}

/** The `--explain` section on conditions and failure handling; empty for a workflow with neither. */
export function explainConditions(definition: StateMachineDefinition, manifest: TaskManifest): string {
  const visits = new Map([...walkStates(definition)].map((v) => [v.name, v]));
  const tasks = manifest.tasks.filter((t) => t.role !== 'on_failure');
  const sections: string[][] = [];
  const skippable = tasks.filter((t) => t.skipState !== undefined);
  if (skippable.length > 0) {
    sections.push([
      'Skips (a Choice state before each task that may be skipped; a skipped task succeeds with result null):',
      ...skippable.flatMap((t) => describeSkip(t, tasks, visits)),
    ]);
  }
  const handler = manifest.tasks.find((t) => t.role === 'on_failure');
  if (handler) sections.push(describeFailure(handler, visits));
  return sections.map((lines) => `\n${lines.join('\n')}\n`).join('');
}

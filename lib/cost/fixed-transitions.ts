import type { State, SubMachine } from '../../compiler/index.js';
import { nextOnSuccess } from './success-path.js';

/**
 * Whether a state belongs to a task: the task's own name, or a helper `task-suffix` (task names hold no
 * `-`, docs/scale.md), or such a name shortened with a hash when it passed 80 characters.
 */
export function belongsTo(task: string, name: string): boolean {
  if (name === task || name.startsWith(`${task}-`)) return true;
  const hashed = /^(.+)_[0-9a-f]{8}-/.exec(name);
  return hashed?.[1] !== undefined && hashed[1].length < task.length && task.startsWith(hashed[1]);
}

function successors(state: State): string[] {
  switch (state.Type) {
    // The Default first: when it leads to the Map, it is the route the machine takes by default.
    case 'Choice':
      return [...(state.Default !== undefined ? [state.Default] : []), ...state.Choices.flatMap((c) => (c.Next !== undefined ? [c.Next] : []))];
    case 'Fail':
    case 'Succeed':
      return [];
    default:
      return [...(state.End || state.Next === undefined ? [] : [state.Next]), ...('Catch' in state && state.Catch ? state.Catch.map((c) => c.Next) : [])];
  }
}

/**
 * The states of the task around one of its fan-out Maps that run once per fan-out, whatever its size:
 * from the task's first state (guards, count Passes) along the route to this Map, the Map state itself,
 * then on along the success path (flattening, tolerated-failure checks, a branch's closing Succeed) until
 * the task hands over to the next one.
 */
export function fixedRoute(scope: SubMachine, task: string, mapName: string): string[] {
  const own = Object.keys(scope.States).filter((n) => belongsTo(task, n));
  const referenced = new Set(own.flatMap((n) => successors(scope.States[n] as State)));
  const starts = own.filter((n) => !referenced.has(n));

  // Depth-first from the entry, trying the Default before the rules, to the first route that reaches the Map.
  const routeTo = (from: string, seen: ReadonlySet<string>): string[] | undefined => {
    if (from === mapName) return [from];
    if (!belongsTo(task, from) || seen.has(from)) return undefined;
    const state = scope.States[from];
    if (!state) return undefined;
    for (const next of successors(state)) {
      const rest = routeTo(next, new Set([...seen, from]));
      if (rest) return [from, ...rest];
    }
    return undefined;
  };
  // An unreferenced state that cannot reach the Map (a leftover helper) is not the task's entry.
  const routes = starts.map((entry) => routeTo(entry, new Set())).filter((r): r is string[] => r !== undefined);
  const before = routes[0];
  if (routes.length !== 1 || !before)
    throw new Error(`task '${task}': expected one entry state leading to '${mapName}', found ${routes.length} among ${starts.join(', ')}`);

  const after: string[] = [];
  let name = nextOnSuccess(scope.States[mapName] as State);
  while (name !== undefined && belongsTo(task, name) && !after.includes(name)) {
    const state = scope.States[name];
    if (!state) break;
    after.push(name);
    name = nextOnSuccess(state);
  }
  return [...before, ...after];
}

import type { State } from './asl-types.js';

/**
 * A piece of state machine with one entry and any number of exits: states whose `Next` is set when the
 * fragment is chained to the next one (or that get `End` when nothing follows).
 */
export interface Fragment {
  readonly start: string;
  readonly states: Record<string, State>;
  readonly exits: readonly string[];
}

function setNext(state: State, next: string | undefined): void {
  if (state.Type === 'Choice' || state.Type === 'Fail') return;
  if (next === undefined) {
    delete state.Next;
    state.End = true;
  } else {
    delete state.End;
    state.Next = next;
  }
}

/** Chains fragments one after another into one fragment. */
export function chain(fragments: readonly Fragment[]): Fragment {
  const first = fragments[0];
  if (!first) throw new Error('chain() needs at least one fragment');
  const states: Record<string, State> = {};
  for (const [i, fragment] of fragments.entries()) {
    Object.assign(states, fragment.states);
    const next = fragments[i + 1];
    if (next) for (const exit of fragment.exits) setNext(states[exit] as State, next.start);
  }
  return { start: first.start, states, exits: fragments[fragments.length - 1]?.exits ?? [] };
}

/** Ends every exit: the fragment becomes a complete (sub-)machine. */
export function close(fragment: Fragment): { StartAt: string; States: Record<string, State> } {
  for (const exit of fragment.exits) setNext(fragment.states[exit] as State, undefined);
  return { StartAt: fragment.start, States: fragment.states };
}

/** A fragment of one state that continues to whatever follows. */
export function single(name: string, state: State): Fragment {
  return { start: name, states: { [name]: state }, exits: [name] };
}

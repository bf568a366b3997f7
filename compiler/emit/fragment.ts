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
  if (state.Type === 'Fail' || state.Type === 'Succeed') return;
  // A Choice that is an exit leaves its Default open ('') for whatever follows.
  if (state.Type === 'Choice') {
    if (state.Default === '' && next !== undefined) state.Default = next;
    return;
  }
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
  const states = { ...fragment.states };
  for (const exit of fragment.exits) {
    const state = states[exit] as State;
    // A Choice needs somewhere to go when nothing follows: a Succeed ends the (sub-)machine as End would.
    if (state.Type === 'Choice' && state.Default === '') {
      const done = `${exit.slice(0, 75)}-done`;
      states[done] = { Type: 'Succeed' };
      state.Default = done;
    } else {
      setNext(state, undefined);
    }
  }
  return { StartAt: fragment.start, States: states };
}

/** A fragment of one state that continues to whatever follows. */
export function single(name: string, state: State): Fragment {
  return { start: name, states: { [name]: state }, exits: [name] };
}

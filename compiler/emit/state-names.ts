/** Step Functions caps state names at 80 characters and needs them unique across the whole machine. */
export const MAX_STATE_NAME = 80;

function shortHash(text: string): string {
  // FNV-1a: stable across runs and platforms, so long names compile to the same state names every time.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Hands out state names. Names use only letters, digits, `-` and `_` (what CloudWatch logging accepts).
 * Task names contain no `-`, so `task-suffix` names never collide with a task's own state, and Ork's
 * own states start with `Ork-`.
 */
export class StateNames {
  /**
   * Names no state may take. `States`: asl-validator, which aws-local-stepfunctions runs on every definition
   * `ork run` loads, takes every key named `States` for a map of states (JSONPath `$..States`) and writes
   * into its values, so a state of that name made `ork run` fail; a task named `States` gets `States-2`.
   */
  private readonly used = new Set<string>(['States']);
  private readonly runStates = new Map<string, string>();
  private readonly instanceStates = new Map<string, string[]>();

  /** The state that runs a task: its own name when it fits. One per task, however often it is asked for. */
  task(task: string): string {
    let name = this.runStates.get(task);
    if (name === undefined) {
      name = this.claim(task, '');
      this.runStates.set(task, name);
    }
    return name;
  }

  /** Task → name of the Task state that runs its instances (what local runners attach to). */
  taskStates(): ReadonlyMap<string, string> {
    const primary = new Map(this.runStates);
    for (const [task, names] of this.instanceStates) if (!primary.has(task) && names[0] !== undefined) primary.set(task, names[0]);
    return primary;
  }

  /**
   * A Task state running a task's instances inside one kind of Map: the inline one gets the task's own
   * name, a Distributed Map's child or a chunk's child a suffixed one. All are recorded for the manifest.
   */
  instanceState(task: string, kind: 'inline' | 'child' | 'chunk-child'): string {
    const name = kind === 'inline' ? this.task(task) : this.helper(task, kind);
    const list = this.instanceStates.get(task) ?? [];
    if (!list.includes(name)) list.push(name);
    this.instanceStates.set(task, list);
    return name;
  }

  /** Task → every Task state that runs its instances, the primary one first. */
  allTaskStates(): ReadonlyMap<string, readonly string[]> {
    const all = new Map<string, readonly string[]>();
    for (const [task, name] of this.taskStates()) {
      const others = (this.instanceStates.get(task) ?? []).filter((n) => n !== name);
      all.set(task, [name, ...others]);
    }
    return all;
  }

  /** A helper state of a task, e.g. `process-fanout`. */
  helper(task: string, suffix: string): string {
    return this.claim(task, `-${suffix}`);
  }

  /** A state of Ork's own, e.g. `Ork-Start`. */
  internal(name: string): string {
    return this.claim(`Ork-${name}`, '');
  }

  private claim(base: string, suffix: string): string {
    let name = `${base}${suffix}`;
    if (name.length > MAX_STATE_NAME) {
      const keep = MAX_STATE_NAME - suffix.length - 9;
      name = `${base.slice(0, keep)}_${shortHash(base)}${suffix}`;
    }
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) {
      const tag = `-${n}`;
      candidate = `${name.slice(0, MAX_STATE_NAME - tag.length)}${tag}`;
    }
    this.used.add(candidate);
    return candidate;
  }
}

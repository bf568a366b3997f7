import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkflowCli, useScratchDirectory, writeWorkflowDirectory, type CliRun } from '../support/cli.js';
import { pythonTasksYaml } from '../support/python-tasks-yaml.js';

/**
 * Through `ork run` with real python tasks: a task named States runs, and `parallel: task.field` counts that
 * are not whole numbers fail: the compiled guards (compiler/emit/fan-out-guards.ts) fail them with
 * Ork.InvalidFanOutCount naming the task, where States.ArrayRange used to fail with a States.Runtime that
 * named nothing. Whole counts still run, 3.0 (a float that is whole, as python writes 6 / 2) included.
 */

const work = useScratchDirectory('ork-fan-out-count-');

function workflow(name: string, count: string): string {
  return writeWorkflowDirectory(work(), name, {
    'workflow.yaml': pythonTasksYaml({ discover: [], process: ['parallel: discover.count'] }),
    'tasks/discover.py': `from ork import task\n\n\n@task\ndef main() -> dict:\n    return {"count": ${count}}\n`,
    'tasks/process.py': `from ork import task\n\n\n@task\ndef main() -> dict:\n    return {"ran": True}\n`,
  });
}

/** A task named `States` (its state is `States-2`), fanned out over its own output and read downstream. */
function statesWorkflow(): string {
  return writeWorkflowDirectory(work(), 'named-states', {
    'workflow.yaml': `tasks:
  States:
    executor: python
    file: tasks/discover.py
  each:
    executor: python
    file: tasks/each.py
    foreach: States.items
    parallel: States.count
  after:
    executor: python
    file: tasks/after.py
    depends_on: [States, each]
`,
    'tasks/discover.py': `from ork import task\n\n\n@task\ndef main() -> dict:\n    return {"items": ["a", "b"], "count": 2}\n`,
    'tasks/each.py': `from ork import task\n\n\n@task\ndef main(input: dict, ctx) -> dict:\n    return {"item": input["item"], "index": ctx.parallel_index}\n`,
    'tasks/after.py': `from ork import task\n\n\n@task\ndef main(input: dict) -> dict:\n    return {"states": input["States"], "each": len(input["each"])}\n`,
  });
}

const ork = (dir: string): Promise<CliRun> => runWorkflowCli(dir, path.join(dir, '.runs'), [], {}, { cwd: work() });

describe('ork run: a task named States', { timeout: 180_000 }, () => {
  // aws-local-stepfunctions' validator took every key named States for a map of states: the run stopped with
  // "internal error: Cannot create property 'QueryLanguage' on string 'Task'" (exit 70).
  it('runs, fanned out over its output and read downstream', async () => {
    const { code, json, stderr } = await ork(statesWorkflow());
    expect(code, stderr).toBe(0);
    expect(json.status).toBe('SUCCEEDED');
    expect(json.tasks.each).toMatchObject({ instances: 4, succeeded: 4 });
    expect(json.outputs.after).toEqual({ states: { items: ['a', 'b'], count: 2 }, each: 4 });
  });
});

describe.concurrent('ork run: a run-time count that is not a whole number', { timeout: 180_000 }, () => {
  it('2.5 fails with Ork.InvalidFanOutCount naming the task, and runs no instance', async () => {
    const { code, json, stderr } = await ork(workflow('fraction', '2.5'));
    expect(code, stderr).toBe(1);
    expect(json.status).toBe('FAILED');
    expect(json.error?.error).toBe('Ork.InvalidFanOutCount');
    expect(json.error?.message).toContain("task 'process': parallel: discover.count must be a whole number");
    expect(json.tasks.process?.instances).toBe(0);
  });

  it('a positive count below 1 (1e-7) fails the same way', async () => {
    const { code, json } = await ork(workflow('tiny', '0.0000001'));
    expect(code).toBe(1);
    expect(json.error?.error).toBe('Ork.InvalidFanOutCount');
  });

  it('3 and 3.0 run 3 instances', async () => {
    for (const [name, count] of [
      ['whole', '3'],
      ['whole-float', '6 / 2'],
    ] as const) {
      const { code, json, stderr } = await ork(workflow(name, count));
      expect(code, stderr).toBe(0);
      expect(json.status).toBe('SUCCEEDED');
      expect(json.tasks.process).toMatchObject({ instances: 3, succeeded: 3 });
    }
  });
});

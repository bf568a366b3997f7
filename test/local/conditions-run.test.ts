import { describe, expect, it } from 'vitest';
import { runWorkflowCli, useScratchDirectory, writeWorkflowDirectory, type RunSummaryJson } from '../support/cli.js';

/**
 * `when:` on the shapes where the Choice sits before more than a Task state, run by `ork run` with real
 * Python tasks: a foreach (the Choice before the list checks and the Map), a foreach × parallel (before the
 * count and the nested Maps), and the task upstream of a Distributed Map (its skip carries to the Map's
 * task, and a Distributed Map run of it still works when it is not skipped). One workflow, params decide.
 */

const WORKFLOW = `name: conditions-run
params: { files: 3, big: 0, items: true, grid: true }
tasks:
  discover:
    file: tasks/discover.py
  process:
    file: tasks/process.py
    foreach: discover.files
    when: "params.items == true and discover.count > 0"
  grid:
    file: tasks/grid.py
    foreach: discover.files
    parallel: 2
    when: params.grid == true
  listing:
    file: tasks/listing.py
    depends_on: [discover]
    when: "params.big > 0"
  huge:
    file: tasks/huge.py
    foreach: listing.items
    mode: distributed
  report:
    file: tasks/report.py
    depends_on: [{ task: process, if: always }, { task: grid, if: always }, { task: huge, if: always }]
`;

const FILES: Record<string, string> = {
  'workflow.yaml': WORKFLOW,
  'tasks/discover.py':
    'from ork import task\n\n\n@task\ndef main(input):\n    n = input["params"]["files"]\n    return {"files": [f"f{i}" for i in range(n)], "count": n}\n',
  'tasks/process.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"file": input["item"]}\n',
  'tasks/grid.py': 'from ork import task\n\n\n@task\ndef main(input, ctx):\n    return {"cell": f"{input[\'item\']}/{ctx.parallel_index}"}\n',
  'tasks/listing.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"items": list(range(input["params"]["big"]))}\n',
  'tasks/huge.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"double": input["item"] * 2}\n',
  'tasks/report.py':
    'from ork import task\n\n\n@task\ndef main(input):\n    seen = lambda name: None if ' +
    'input[name] is None else len(input[name])\n    return {"process": seen("process"), ' +
    '"grid": seen("grid"), "huge": seen("huge")}\n',
};

interface Run extends RunSummaryJson {
  tasks: Record<string, RunSummaryJson['tasks'][string] & { status: string }>;
}

const scratch = useScratchDirectory('ork-conditions-run-');

async function run(params: Record<string, unknown>): Promise<Run> {
  const dir = writeWorkflowDirectory(scratch(), 'conditions-run', FILES);
  const result = await runWorkflowCli<Run>(dir, `${scratch()}/runs`, ['--input', JSON.stringify(params)]);
  expect(result.json.status, result.stderr).toBe('SUCCEEDED');
  return result.json;
}

const statuses = (json: Run): Record<string, string> => Object.fromEntries(Object.entries(json.tasks).map(([name, t]) => [name, t.status]));

describe('when: before fan-outs (ork run, Python tasks)', () => {
  it('false conditions skip a foreach, a foreach × parallel and the source of a Distributed Map with its task', async () => {
    const json = await run({ files: 3, big: 0, items: false, grid: false });
    expect(statuses(json)).toEqual({ discover: 'succeeded', process: 'skipped', grid: 'skipped', listing: 'skipped', huge: 'skipped', report: 'succeeded' });
    expect(json.outputs).toMatchObject({ process: null, grid: null, listing: null, huge: null, report: { process: null, grid: null, huge: null } });
    expect(json.tasks.process?.instances).toBe(0);
  }, 60_000);

  it('true conditions run them: every item, every item × index, and the Distributed Map over the listing', async () => {
    const json = await run({ files: 3, big: 50, items: true, grid: true });
    expect(statuses(json)).toEqual({
      discover: 'succeeded',
      process: 'succeeded',
      grid: 'succeeded',
      listing: 'succeeded',
      huge: 'succeeded',
      report: 'succeeded',
    });
    expect(json.outputs.report).toEqual({ process: 3, grid: 6, huge: 50 });
    expect(json.tasks.grid?.instances).toBe(6);
  }, 60_000);

  it('a condition over an upstream output: an empty discovery skips the foreach, not the others', async () => {
    const json = await run({ files: 0, big: 0, items: true, grid: true });
    expect(statuses(json)).toMatchObject({ process: 'skipped', grid: 'succeeded', listing: 'skipped' });
    expect(json.outputs.grid).toEqual([]);
  }, 60_000);
});

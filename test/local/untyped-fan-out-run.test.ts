import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkflowCli, type CliRun } from '../support/cli.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

/**
 * Issue 13, "Untyped tasks are quadratic", through `ork run`: a foreach of 300 items (a Distributed Map: the
 * upstream stores the list and hands on an `ork_items` reference) of tasks without an Input model, in Python
 * (`def main(input)`) and Node (no schema). Each instance sees its item and the upstream's whole output, the
 * list included; the Python tasks count, in their worker, how often the stored list was opened: never by the
 * task that reads only its item, once per worker by the one that reads the list (it was once per instance).
 */

const N = 300;

const WORKFLOW = `params:
  n: ${N}
tasks:
  make:
    executor: python
    file: tasks/make.py
  make_too:
    executor: python
    file: tasks/make.py
  item_only:
    executor: python
    file: tasks/item_only.py
    foreach: make_too.items
    concurrency: 4
  reads_list:
    executor: python
    file: tasks/reads_list.py
    foreach: make.items
    concurrency: 4
  reads_list_node:
    executor: node
    file: tasks/reads_list_node.ts
    foreach: make.items
    concurrency: 4
  total:
    executor: python
    file: tasks/total.py
    depends_on: [item_only, reads_list, reads_list_node]
`;

const MAKE = `from ork import task


@task
def main(input):
    return {"items": [f"f{i}.csv" for i in range(input["params"]["n"])], "label": "made"}
`;

/**
 * Counts, per worker process, the opens of the list `upstream` stored (…/<upstream>/<instance>-items-items.json).
 * A worker runs several task files, each wrapping open in turn: each counts its own upstream's list only.
 */
const countOpens = (upstream: string): string => `import builtins
import io

opened = {"items": 0}
_open = io.open


def _counting_open(file, *args, **kwargs):
    if str(file).endswith("-items-items.json") and "/${upstream}/" in str(file):
        opened["items"] += 1
    return _open(file, *args, **kwargs)


io.open = _counting_open
builtins.open = _counting_open
`;

const ITEM_ONLY = `${countOpens('make_too')}
from ork import task


@task
def main(input, ctx):
    return {"i": ctx.item_index, "ok": input["item"] == f"f{ctx.item_index}.csv" and sorted(input) == ["item", "make_too", "params"], "opened": opened["items"]}
`;

const READS_LIST = `${countOpens('make')}
from ork import task


@task
def main(input, ctx):
    items = input["make"]["items"]
    ok = input["item"] == f"f{ctx.item_index}.csv" and items[ctx.item_index] == input["item"] and len(items) == ${N} and input["make"]["label"] == "made"
    return {"i": ctx.item_index, "ok": ok, "opened": opened["items"]}
`;

const READS_LIST_NODE = `import { defineTask } from 'ork/task';

export default defineTask({
  handler: (input: Record<string, any>, ctx) => ({
    i: ctx.itemIndex,
    ok: input.item === \`f\${ctx.itemIndex}.csv\` && input.make.items[ctx.itemIndex ?? -1] === input.item && input.make.items.length === ${N} && input.make.label === 'made',
  }),
});
`;

const TOTAL = `from ork import task


@task
def main(input):
    # The fan-outs' outputs (in the run's result they are references to the Distributed Maps' results).
    return {name: input[name] for name in ("item_only", "reads_list", "reads_list_node")}
`;

let tmp: { dir: string; remove: () => void };
let result: CliRun;

beforeAll(async () => {
  tmp = temporaryDirectory('ork-untyped-run-');
  const dir = path.join(tmp.dir, 'untyped');
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  writeFileSync(path.join(dir, 'workflow.yaml'), WORKFLOW);
  writeFileSync(path.join(dir, 'tasks', 'make.py'), MAKE);
  writeFileSync(path.join(dir, 'tasks', 'item_only.py'), ITEM_ONLY);
  writeFileSync(path.join(dir, 'tasks', 'reads_list.py'), READS_LIST);
  writeFileSync(path.join(dir, 'tasks', 'reads_list_node.ts'), READS_LIST_NODE);
  writeFileSync(path.join(dir, 'tasks', 'total.py'), TOTAL);
  result = await runWorkflowCli(dir, path.join(tmp.dir, 'runs'));
}, 300_000);

afterAll(() => tmp?.remove());

type Row = Record<string, unknown>;

describe(`ork run: untyped tasks in a foreach of ${N} stored items`, () => {
  const rows = (name: string): Row[] => (result.json.outputs.total as Record<string, Row[]>)[name] ?? [];
  const inOrder = Array.from({ length: N }, (_, i) => i);

  it('succeeds, every instance in item order', () => {
    expect(result.json.status, result.stderr).toBe('SUCCEEDED');
    for (const name of ['item_only', 'reads_list', 'reads_list_node'])
      expect(
        rows(name).map((r) => r.i),
        name,
      ).toEqual(inOrder);
  });

  it('a task that reads only its item sees every field, and the stored list is never opened', () => {
    expect(rows('item_only').filter((r) => r.ok !== true)).toEqual([]);
    expect(Math.max(...rows('item_only').map((r) => r.opened as number))).toBe(0);
  });

  it('a task that reads the list gets all of it, opened once per worker, not once per instance', () => {
    expect(rows('reads_list').filter((r) => r.ok !== true)).toEqual([]);
    expect(Math.max(...rows('reads_list').map((r) => r.opened as number))).toBe(1);
  });

  it('the same in Node', () => {
    expect(rows('reads_list_node').filter((r) => r.ok !== true)).toEqual([]);
  });
});

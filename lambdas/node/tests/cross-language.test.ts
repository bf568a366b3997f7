/**
 * Large outputs across languages in a real local run (`ork run --json`): a Python task's large output,
 * written by the Python SDK into the run's payloads/ folder as a reference, is read by a node task, and a
 * node task's large output by a Python task; fan-out lists holding references too. `ork run` is started with
 * ORK_LARGE_OUTPUT_BYTES=1000, which the workers of both languages inherit.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkflowCli, type CliRun } from '../../../test/support/cli.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

const WORKFLOW = `tasks:
  py_big:
    executor: python
    file: tasks/py_big.py
  node_read:
    executor: node
    file: tasks/node_read.ts
    depends_on: [py_big]
  py_read:
    executor: python
    file: tasks/py_read.py
    depends_on: [node_read]
  node_parts:
    executor: node
    file: tasks/node_parts.ts
    parallel: 3
  py_sum:
    executor: python
    file: tasks/py_sum.py
    depends_on: [node_parts]
  py_parts:
    executor: python
    file: tasks/py_parts.py
    parallel: 3
  node_sum:
    executor: node
    file: tasks/node_sum.ts
    depends_on: [py_parts]
`;

const FILES: Record<string, string> = {
  'tasks/py_big.py': `from ork import task
from pydantic import BaseModel

class Output(BaseModel):
    blob: str
    n: int

@task
def main() -> Output:
    return Output(blob="p" * 5000, n=5000)
`,
  'tasks/node_read.ts': `import { defineTask, z } from 'ork/task';
export default defineTask({
  input: z.object({ py_big: z.object({ blob: z.string(), n: z.number() }) }),
  output: z.object({ from_python: z.number(), ok: z.boolean(), blob: z.string() }),
  handler: (input) => ({ from_python: input.py_big.blob.length, ok: input.py_big.blob === 'p'.repeat(input.py_big.n), blob: 'n'.repeat(6000) }),
});
`,
  'tasks/py_read.py': `from ork import task
from pydantic import BaseModel

class NodeRead(BaseModel):
    from_python: int
    ok: bool
    blob: str

class Input(BaseModel):
    node_read: NodeRead

@task
def main(input: Input):
    return {"from_node": len(input.node_read.blob), "ok": input.node_read.blob == "n" * 6000, "python_seen_by_node": input.node_read.from_python}
`,
  'tasks/node_parts.ts': `import { defineTask, z } from 'ork/task';
export default defineTask({
  output: z.object({ index: z.number(), blob: z.string() }),
  handler: (_input, ctx) => ({ index: ctx.parallelIndex, blob: 'x'.repeat(ctx.parallelIndex === 1 ? 10 : 3000) }),
});
`,
  'tasks/py_sum.py': `from ork import task
from pydantic import BaseModel

class Part(BaseModel):
    index: int
    blob: str

class Input(BaseModel):
    node_parts: list[Part]

@task
def main(input: Input):
    return {"indexes": [p.index for p in input.node_parts], "sizes": [len(p.blob) for p in input.node_parts]}
`,
  'tasks/py_parts.py': `from ork import task, Context

@task
def main(ctx: Context):
    return {"index": ctx.parallel_index, "blob": "y" * (10 if ctx.parallel_index == 1 else 3000)}
`,
  'tasks/node_sum.ts': `import { defineTask, z } from 'ork/task';
export default defineTask({
  input: z.object({ py_parts: z.array(z.object({ index: z.number(), blob: z.string() })) }),
  handler: (input) => ({ indexes: input.py_parts.map((p) => p.index), sizes: input.py_parts.map((p) => p.blob.length) }),
});
`,
};

let tmp: ReturnType<typeof temporaryDirectory>;
let result: CliRun;

beforeAll(async () => {
  tmp = temporaryDirectory('ork-cross-language-');
  const dir = path.join(tmp.dir, 'cross');
  for (const [file, content] of Object.entries({ 'workflow.yaml': WORKFLOW, ...FILES })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  result = await runWorkflowCli(dir, path.join(tmp.dir, 'runs'), [], { ORK_LARGE_OUTPUT_BYTES: '1000' });
}, 120_000);

afterAll(() => tmp?.remove());

type Ref = { $ork_ref: string; bytes: number };
const isRef = (value: unknown): value is Ref => typeof (value as { $ork_ref?: unknown } | null)?.$ork_ref === 'string';

/** A reference of this run, written into its payloads/ folder under the instance's key. */
function expectRunRef(value: unknown, key: string): void {
  expect(isRef(value), JSON.stringify(value)).toBe(true);
  const file = fileURLToPath((value as Ref).$ork_ref);
  expect(file).toBe(path.join(result.runDir, 'payloads', 'cross', result.json.runId, key));
  expect(existsSync(file)).toBe(true);
}

describe('references across languages in a local run', () => {
  it('the run succeeds', () => {
    expect(result.json.status, result.stderr).toBe('SUCCEEDED');
    expect(result.code).toBe(0);
  });

  it("a Python task's large output (written by the Python SDK) is read by a node task", () => {
    expectRunRef(result.json.outputs.py_big, 'py_big/py_big-attempt1.json');
    expect(result.json.outputs.node_read).toSatisfy(isRef);
  });

  it("a node task's large output (written by the Node SDK) is read by a Python task", () => {
    expectRunRef(result.json.outputs.node_read, 'node_read/node_read-attempt1.json');
    expect(result.json.outputs.py_read).toStrictEqual({ from_node: 6000, ok: true, python_seen_by_node: 5000 });
  });

  it('fan-out lists mixing references and inline outputs, both ways', () => {
    const nodeParts = result.json.outputs.node_parts as unknown[];
    expect(nodeParts.map(isRef)).toEqual([true, false, true]);
    expectRunRef(nodeParts[2], 'node_parts/node_parts_2_-attempt1.json');
    expect(result.json.outputs.py_sum).toStrictEqual({ indexes: [0, 1, 2], sizes: [3000, 10, 3000] });
    const pyParts = result.json.outputs.py_parts as unknown[];
    expect(pyParts.map(isRef)).toEqual([true, false, true]);
    expectRunRef(pyParts[0], 'py_parts/py_parts_0_-attempt1.json');
    expect(result.json.outputs.node_sum).toStrictEqual({ indexes: [0, 1, 2], sizes: [3000, 10, 3000] });
  });
});

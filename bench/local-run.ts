/**
 * Local engine throughput: a foreach of a no-op Python task, run by `runLocally` (the engine behind
 * `ork run`) on warm workers.
 *
 * 1. 10,000 instances at concurrency 16: wall time, per-instance overhead, the node process's CPU time and
 *    peak RSS, and how many Python workers the pool started.
 * 2. The same workflow at 200 instances, beside a process-per-instance baseline measured in the same run:
 *    one `python3 -c` per instance (16 at a time) that imports the SDK and the task file and answers one
 *    request exactly as a worker does. Both throughputs count the whole run, worker start-up included.
 * 3. The same 10,000-instance foreach with `executor: node` tasks (TypeScript, zod schemas) on warm node
 *    workers: wall time beside the Python figure of (1), target no slower than it.
 *
 * Run alone with `npx tsx bench/local-run.ts`, or with the others through `npm run bench`. The machine's
 * load average is printed too: on a shared machine the figures move with it.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonSdkPath } from '../lib/package-root.js';
import type { LocalRunResult } from '../lib/local/run-workflow.js';
import { LIST_TASK, NOOP_TASK } from './support/python-tasks.js';
import { checkNoopInstances, compileBenchWorkflow, runBenchWorkflow } from './support/run-workflow.js';
import { writeWorkflowFolder } from './support/workflow-folder.js';
import { Environment } from '../lambdas/contract/contract.js';

/** Targets printed beside the figures. */
const TARGET_10K_SECONDS = 10;
const TARGET_SPEEDUP = 30;

const LARGE = 10_000;
const SMALL = 200;
const CONCURRENCY = 16;

const WORKFLOW = `params:
  n: 10
tasks:
  discover:
    executor: python
    file: tasks/discover.py
  noop:
    executor: python
    file: tasks/noop.py
    foreach: discover.items
    concurrency: ${CONCURRENCY}
`;

const NODE_WORKFLOW = WORKFLOW.replaceAll('executor: python', 'executor: node').replace(/file: tasks\/(\w+)\.py/g, 'file: tasks/$1.ts');

const NODE_DISCOVER = `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ params: z.object({ n: z.number().int() }) }),
  output: z.object({ items: z.array(z.number().int()) }),
  handler: (input) => ({ items: Array.from({ length: input.params.n }, (_, i) => i) }),
});
`;

const NODE_NOOP = `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ item: z.number().int() }),
  output: z.object({ item: z.number().int() }),
  handler: (input) => ({ item: input.item }),
});
`;

/** One instance per process: the worker's own request handler, on one request, then exit. */
const ONE_SHOT = `import json, sys
from ork.payload_store import References, store_from_environment
from ork.worker import handle
reply = handle(json.loads(sys.argv[1]), References(store_from_environment()))
if not reply.get("ok"):
    sys.exit(json.dumps(reply.get("error")))
`;

function writeWorkflow(): string {
  return writeWorkflowFolder('ork-bench-local-run-', { 'workflow.yaml': WORKFLOW, 'tasks/discover.py': LIST_TASK, 'tasks/noop.py': NOOP_TASK });
}

/** The node twin, in a folder of its own. */
function writeNodeWorkflow(): string {
  return writeWorkflowFolder('ork-bench-local-run-node-', { 'workflow.yaml': NODE_WORKFLOW, 'tasks/discover.ts': NODE_DISCOVER, 'tasks/noop.ts': NODE_NOOP });
}

async function runOrk(dir: string, n: number): Promise<{ result: LocalRunResult; seconds: number; cpuSeconds: number }> {
  const workflow = compileBenchWorkflow(dir);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await runBenchWorkflow(workflow, n);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  checkNoopInstances(result, n);
  return { result, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** `n` processes, `concurrency` at a time, each running one instance of the task. */
async function runBaseline(dir: string, n: number, concurrency: number): Promise<number> {
  const python = process.env.ORK_PYTHON ?? 'python3';
  const env = {
    ...process.env,
    PYTHONPATH: [pythonSdkPath(), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    [Environment.payloadDir]: path.join(dir, 'baseline-payloads'),
  };
  const items = Array.from({ length: n }, (_, i) => i);
  const file = path.join(dir, 'tasks', 'noop.py');
  const once = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      // The payload ork would send this instance.
      const payload = {
        ork: 1,
        workflow: path.basename(dir),
        task: 'noop',
        execution_id: 'arn:aws:states:us-east-1:000000000000:execution:bench:baseline',
        attempt: 0,
        params: { n },
        inputs: { discover: { items } },
        parallel_index: 0,
        parallel_count: 1,
        item: i,
        item_index: i,
      };
      const child = spawn(python, ['-c', ONE_SHOT, JSON.stringify({ id: i, file, workflow_dir: dir, payload })], {
        cwd: dir,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`baseline instance ${i} exited ${code}: ${stderr.trim()}`))));
    });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await once(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

const fmt = (value: number, digits = 2): string => value.toFixed(digits);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export async function run(): Promise<void> {
  const dir = writeWorkflow();
  const nodeDir = writeNodeWorkflow();
  try {
    console.log(`   ${availableParallelism()} cores, load average ${load()} (1, 5, 15 min)`);

    const large = await runOrk(dir, LARGE);
    const fanOut = large.result.tasks.noop;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`   ${LARGE.toLocaleString('en')} no-op instances, concurrency ${CONCURRENCY}:`);
    console.log(`     wall                 ${fmt(large.seconds)} s   (target < ${TARGET_10K_SECONDS} s)`);
    console.log(`     fan-out              ${fmt(fanOut?.seconds ?? 0)} s, first instance start to last end; peak running ${fanOut?.peakRunning}`);
    console.log(
      `     per-instance overhead ${fmt((large.seconds * 1000) / LARGE, 3)} ms wall, ${fmt((large.cpuSeconds * 1000) / LARGE, 3)} ms CPU of the node process`,
    );
    console.log(`     node CPU             ${fmt(large.cpuSeconds)} s; peak RSS ${fmt(rssMb, 0)} MB; Python workers started ${large.result.workers}`);

    const small = await runOrk(dir, SMALL);
    const baselineSeconds = await runBaseline(dir, SMALL, CONCURRENCY);
    const orkRate = SMALL / small.seconds;
    const baselineRate = SMALL / baselineSeconds;
    console.log(`   ${SMALL} instances, ork vs one process per instance (${CONCURRENCY} at a time), same run:`);
    console.log(`     ork                  ${fmt(small.seconds)} s, ${fmt(orkRate, 1)} instances/s (${small.result.workers} workers)`);
    console.log(`     process per instance ${fmt(baselineSeconds)} s, ${fmt(baselineRate, 1)} instances/s`);
    console.log(`     speed-up             ${fmt(orkRate / baselineRate, 1)}×   (target ≥ ${TARGET_SPEEDUP}×)`);

    const node = await runOrk(nodeDir, LARGE);
    const nodeFanOut = node.result.tasks.noop;
    console.log(`   ${LARGE.toLocaleString('en')} no-op instances of a node task (executor: node), concurrency ${CONCURRENCY}:`);
    console.log(
      `     wall                 ${fmt(node.seconds)} s   (Python ${fmt(large.seconds)} s; ` +
        `target no slower than the Python figure: ` +
        `${node.seconds <= large.seconds ? 'met' : 'NOT met'})`,
    );
    console.log(`     fan-out              ${fmt(nodeFanOut?.seconds ?? 0)} s; peak running ${nodeFanOut?.peakRunning}`);
    console.log(
      `     per-instance overhead ${fmt((node.seconds * 1000) / LARGE, 3)} ms wall, ` +
        `${fmt((node.cpuSeconds * 1000) / LARGE, 3)} ms CPU of the node process; node workers ` +
        `started ${node.result.workers}`,
    );
    console.log(`   load average after: ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(nodeDir, { recursive: true, force: true });
  }
}

// `npx tsx bench/local-run.ts` runs it alone; bench/run.ts imports it and calls run().
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}

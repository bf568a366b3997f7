import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkflowDirectory } from '../support/cli.js';
import { ROOT } from '../support/workflows.js';
import { pythonTasksYaml } from '../support/python-tasks-yaml.js';

/**
 * The HTML report of a run (`ork show <runId> --html`), opened in headless Chromium: the DOM it renders has a
 * node per task and a bar per attempt, and a screenshot of it is a real picture, not a blank page.
 *
 * Chromium is the Debian package `chromium` (ORK_CHROMIUM to point elsewhere). Without it the test is
 * skipped and says why, except under CI, where a missing browser is a failure.
 */

const BIN = path.join(ROOT, 'bin', 'ork.js');
const CHROMIUM = process.env.ORK_CHROMIUM ?? 'chromium';
const chromiumFound = spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' }).status === 0;
const MISSING = `${CHROMIUM} not found: install the Debian package chromium (apt-get install chromium), or set ORK_CHROMIUM`;

let work: string;
let reportFile: string;
let runId: string;

function ork(args: string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { ...process.env, CI: '1', NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Headless Chromium on a fresh profile; resolves with stdout once it exits (killed after a minute). */
function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = mkdtempSync(path.join(work, 'chromium-profile-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Width, height and the inflated image data of a PNG (no decoder needed for what is checked here). */
function readPng(file: string): { width: number; height: number; data: Buffer } {
  const png = readFileSync(file);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  return { width, height, data: inflateSync(Buffer.concat(idat)) };
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-report-'));
  // discover → 6 × process (one fails once, then succeeds on its retry) → aggregate.
  const dir = writeWorkflowDirectory(work, 'wf', {
    'workflow.yaml': pythonTasksYaml({
      discover: [],
      process: ['foreach: discover.items', 'concurrency: 3', 'retries: 1', 'retry_delay: 1s'],
      aggregate: ['depends_on: [process]'],
    }),
    'tasks/discover.py': 'from ork import task\n\n\n@task\ndef main() -> dict:\n    return {"items": list(range(6))}\n',
    'tasks/process.py': `import time

from ork import task, Context
from pydantic import BaseModel


class Input(BaseModel):
    item: int


@task
def main(input: Input, ctx: Context) -> dict:
    time.sleep(0.2)
    if input.item == 4 and ctx.attempt == 1:
        raise ConnectionError("flaky upstream")
    return {"squared": input.item * input.item}
`,
    'tasks/aggregate.py':
      'from ork import task\nfrom pydantic import BaseModel\n\n\nclass Input(BaseModel):\n    ' +
      'process: list\n\n\n@task\ndef main(input: Input) -> dict:\n    return {"total": ' +
      'sum(p["squared"] for p in input.process)}\n',
  });

  const env = { ORK_RUNS_DIR: path.join(work, 'runs') };
  const run = ork(['run', dir, '--json'], env);
  if (run.code !== 0) throw new Error(`the run to report on failed (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  runId = (JSON.parse(run.stdout) as { runId: string }).runId;
  reportFile = path.join(work, 'report.html');
  const show = ork(['show', runId, '--html', '-o', reportFile], env);
  if (show.code !== 0) throw new Error(`ork show --html failed (exit ${show.code}): ${show.stderr}`);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ork show --html', () => {
  it('writes a self-contained page with the task graph and a bar per attempt', () => {
    const html = readFileSync(reportFile, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain(`run ${runId}`);
  });

  it('renders in headless Chromium: task nodes, edges and timeline bars are in the DOM, and the screenshot is a picture', async (ctx) => {
    if (!chromiumFound) {
      if (process.env.CI) throw new Error(`${MISSING}. CI is set, so this test may not be skipped.`);
      ctx.skip(MISSING);
    }
    const url = pathToFileURL(reportFile).href;

    const dom = await chromium(['--dump-dom', url]);
    expect(dom.code, dom.stderr).toBe(0);
    const html = dom.stdout;
    for (const task of ['discover', 'process', 'aggregate']) expect(html).toContain(`data-task="${task}"`);
    expect(html.match(/<g class="task succeeded"/g)).toHaveLength(3);
    expect(html.match(/<path class="edge"/g)).toHaveLength(2);
    // One bar per attempt: discover, 6 process instances and the retry of one, aggregate.
    expect(html.match(/<rect class="bar /g)).toHaveLength(9);
    expect(html.match(/<rect class="bar failed"/g)).toHaveLength(1);
    expect(html).toContain('process[item 4] attempt 1: failed');
    expect(html).toContain('ConnectionError: flaky upstream');
    // instances, succeeded, failed, cancelled, retried
    expect(html).toMatch(/<td>process<\/td><td>6<\/td><td>6<\/td><td>0<\/td><td>0<\/td><td>1<\/td>/);

    const screenshot = path.join(work, 'report.png');
    const shot = await chromium([`--screenshot=${screenshot}`, '--window-size=1280,1000', '--hide-scrollbars', url]);
    expect(existsSync(screenshot), shot.stderr).toBe(true);
    const png = readPng(screenshot);
    expect([png.width, png.height]).toEqual([1280, 1000]);
    // A blank page compresses to almost nothing and has a handful of distinct bytes; text, nodes and
    // coloured bars do not.
    expect(readFileSync(screenshot).length).toBeGreaterThan(15_000);
    expect(new Set(png.data).size).toBeGreaterThan(100);
  }, 150_000);
});

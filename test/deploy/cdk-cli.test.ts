import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackNameFor } from '../../lib/deploy/index.js';
import { compileCleanly, EXAMPLES_DIR, ROOT, workflowDirectories } from '../support/workflows.js';

/**
 * The real CDK CLI, as a user runs it: the repository's own app (cdk.json), and a project made by
 * `ork init` with its own cdk.json. `npm install` in that project would link `node_modules/ork` to this
 * repository (its `file:` dependency); the test makes that link itself, so no registry is involved.
 * Both synths run cdk-nag (bin/cdk-app.ts), so exit code 0 also means no unacknowledged finding.
 */

const CDK = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
/** The runtime whose wheels this machine's pip reaches (cp311 manylinux x86_64), chosen as a user would. */
const RUNTIME_CONTEXT = ['-c', 'pythonRuntime=python3.11', '-c', 'architecture=x86_64'];
const ORK = path.join(ROOT, 'bin', 'ork.js');

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ork-cdk-cli-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The environment of a user's shell: not vitest's (NODE_ENV=test turns CDK's validation into throws). */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  for (const name of Object.keys(env)) if (name === 'NODE_ENV' || name.startsWith('VITEST')) delete env[name];
  return env;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> & { seconds: number } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env: userEnvironment(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 150_000 });
  return Object.assign(result, { seconds: (performance.now() - started) / 1000 });
}

function explain(what: string, result: SpawnSyncReturns<string>): string {
  return `${what} exited ${result.status} (${result.signal ?? 'no signal'})\n${result.stdout}\n${result.stderr}`;
}

/** Violations left in the assembly's validation report (cdk-nag writes its findings there). */
function failures(assembly: string): unknown[] {
  const report = JSON.parse(readFileSync(path.join(assembly, 'validation-report.json'), 'utf8')) as {
    pluginReports: { conclusion: string; violations: unknown[] }[];
  };
  return report.pluginReports.filter((r) => r.conclusion !== 'success' || r.violations.length > 0);
}

describe('cdk CLI', () => {
  it('synthesizes the repository app and a project created by `ork init`', () => {
    // 1. The repository's app: one stack per example.
    const repoOut = path.join(tmp, 'repo.out');
    const repo = run(process.execPath, [CDK, 'synth', '--quiet', '--no-notices', ...RUNTIME_CONTEXT, '-o', repoOut], ROOT);
    expect(repo.status, explain('cdk synth (repository)', repo)).toBe(0);
    for (const { directory } of workflowDirectories(EXAMPLES_DIR)) {
      const stack = stackNameFor(compileCleanly(directory).manifest.workflow);
      expect(existsSync(path.join(repoOut, `${stack}.template.json`)), stack).toBe(true);
    }
    expect(failures(repoOut)).toEqual([]);

    // 2. `ork init`, then the project's own cdk.json, as `npm install && npx cdk synth` would run it.
    const project = path.join(tmp, 'my-flow');
    const init = run(process.execPath, [ORK, 'init', project], tmp);
    expect(init.status, explain('ork init', init)).toBe(0);
    const cdkJson = JSON.parse(readFileSync(path.join(project, 'cdk.json'), 'utf8')) as { app: string };
    expect(cdkJson.app).toContain('node_modules/ork/');
    const dependency = (JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies
      .ork;
    expect(dependency).toBe(`file:${ROOT}`);
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(ROOT, path.join(project, 'node_modules', 'ork'), 'dir');
    // With the default runtime (python3.14 on arm64) this machine's index has no pydantic-core wheel: synth
    // stops with one line naming the runtime, the missing wheels and the fix — no stack trace, no asset.
    const refusedOut = path.join(tmp, 'refused.out');
    const refused = run(process.execPath, [CDK, 'synth', '--quiet', '--no-notices', '-o', refusedOut], project);
    expect(refused.status, explain('cdk synth (default runtime)', refused)).not.toBe(0);
    // The CDK CLI colours what the app writes to stderr, chunk by chunk: read the text without the escapes.
    // eslint-disable-next-line no-control-regex -- ANSI colour codes start with the ESC control character
    const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
    const line = plain(refused.stderr)
      .split('\n')
      .find((l) => l.startsWith('ork: '));
    expect(line, refused.stderr).toMatch(
      /^ork: cannot build the python code of workflow my-flow for python3\.14 on arm64: pip found no manylinux2014_aarch64 wheels for cp314 of pydantic-core==[\d.]+, and Docker \(the fallback\) is not running\. Fix: .*-c pythonRuntime=python3\.11/,
    );
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    // No asset was produced: CDK leaves its bundling folder (asset.<hash>-building or -error), empty.
    const assets = readdirSync(refusedOut).filter((entry) => entry.startsWith('asset.'));
    expect(assets.every((entry) => /-(building|error)$/.test(entry))).toBe(true);
    for (const entry of assets) expect(readdirSync(path.join(refusedOut, entry)), entry).toEqual([]);
    // A runtime that does not exist: one line too.
    const unknown = run(process.execPath, [CDK, 'synth', '--quiet', '--no-notices', '-c', 'pythonRuntime=python3.99'], project);
    expect(plain(unknown.stderr), explain('cdk synth -c pythonRuntime=python3.99', unknown)).toMatch(
      /^ork: -c pythonRuntime=python3\.99: not a Lambda Python runtime; one of python3\.11, /m,
    );
    expect(unknown.stderr).not.toMatch(/^\s+at /m);

    // Default output directory: cdk.out inside the workflow directory, which the bundle must leave out.
    const synth = run(process.execPath, [CDK, 'synth', '--quiet', '--no-notices', ...RUNTIME_CONTEXT], project);
    expect(synth.status, explain('cdk synth (ork init project)', synth)).toBe(0);
    const assembly = path.join(project, 'cdk.out');
    expect(existsSync(path.join(assembly, 'Ork-my-flow.template.json'))).toBe(true);
    expect(failures(assembly)).toEqual([]);
    const template = JSON.parse(readFileSync(path.join(assembly, 'Ork-my-flow.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties.Runtime, f.Properties.Architectures])).toEqual(new Array(3).fill(['python3.11', ['x86_64']]));
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    // The one Lambda bundle: the workflow and the Ork SDK, without node_modules or the assembly itself.
    const bundles = readdirSync(assembly).filter((entry) => entry.startsWith('asset.'));
    expect(bundles).toHaveLength(1);
    const bundle = path.join(assembly, bundles[0] ?? '');
    // … and what Lambda's runtime lacks: pydantic, built for python3.11 on x86_64.
    for (const file of ['workflow.yaml', 'tasks/discover.py', 'tasks/count_words.py', 'tasks/total.py', 'ork/lambda_handler.py', 'pydantic/__init__.py'])
      expect(existsSync(path.join(bundle, file)), file).toBe(true);
    expect(readdirSync(path.join(bundle, 'pydantic_core')).some((f) => /^_pydantic_core\.cpython-311-x86_64-linux-gnu\.so$/.test(f))).toBe(true);
    for (const entry of ['node_modules', 'cdk.out']) expect(existsSync(path.join(bundle, entry)), entry).toBe(false);

    console.log(`[cdk-cli] repository synth ${repo.seconds.toFixed(1)} s, ork init ${init.seconds.toFixed(1)} s, project synth ${synth.seconds.toFixed(1)} s`);
  }, 300_000);

  it('synthesizes a TypeScript project created by `ork init --lang ts`: one NodejsFunction per task', () => {
    const project = path.join(tmp, 'my-ts-flow');
    const init = run(process.execPath, [ORK, 'init', project, '--lang', 'ts'], tmp);
    expect(init.status, explain('ork init --lang ts', init)).toBe(0);
    // As `npm install` would link it; `ork/task` then resolves through the project's node_modules.
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(ROOT, path.join(project, 'node_modules', 'ork'), 'dir');
    const synth = run(process.execPath, [CDK, 'synth', '--quiet', '--no-notices'], project);
    expect(synth.status, explain('cdk synth (ork init --lang ts project)', synth)).toBe(0);
    const assembly = path.join(project, 'cdk.out');
    expect(failures(assembly)).toEqual([]);
    const template = JSON.parse(readFileSync(path.join(assembly, 'Ork-my-ts-flow.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties.Runtime, f.Properties.Handler]).sort()).toEqual([
      ['nodejs24.x', 'tasks/__ork_lambda_count_words.handler'],
      ['nodejs24.x', 'tasks/__ork_lambda_discover.handler'],
      ['nodejs24.x', 'tasks/__ork_lambda_total.handler'],
    ]);
    // One asset for the three: the project folder (the workflow) and the bundles, without node_modules or
    // the assembly itself (cdk.out lies inside the workflow folder).
    const bundles = readdirSync(assembly).filter((entry) => entry.startsWith('asset.'));
    expect(bundles).toHaveLength(1);
    const bundle = path.join(assembly, bundles[0] ?? '');
    for (const file of ['workflow.yaml', 'tasks/__ork_lambda_discover.mjs', 'tasks/__ork_lambda_count_words.mjs', 'tasks/__ork_lambda_total.mjs'])
      expect(existsSync(path.join(bundle, file)), file).toBe(true);
    for (const entry of ['node_modules', 'cdk.out', 'ork']) expect(existsSync(path.join(bundle, entry)), entry).toBe(false);
    console.log(`[cdk-cli] ork init --lang ts ${init.seconds.toFixed(1)} s, project synth ${synth.seconds.toFixed(1)} s`);
  }, 300_000);
});

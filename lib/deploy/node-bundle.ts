import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync, formatMessagesSync, type BuildOptions, type Message } from 'esbuild';
import { compiledPath, packageRoot, runsFromSources, SOURCE_CONDITION } from '../package-root.js';
import { copyWorkflowFiles } from './workflow-bundle.js';

/**
 * The code of a workflow's `executor: node` Lambda functions, built without CDK (the deploy construct and
 * the AWS parity harness both call it, so the harness runs exactly what is deployed):
 *
 * - the workflow directory (as for python tasks: data files the tasks read stay where the tasks expect them);
 * - per node task file, an ES module `<task file's folder>/__ork_lambda_<task>.mjs` exporting `handler`,
 *   built by esbuild from a small generated entry, `export const handler = lambdaHandler(findTask(module))`:
 *   the Node SDK's Lambda handler, and the task the local worker would find in that file (its default
 *   export, or its only exported task). `<task>` is the first task (in workflow order) of that file;
 * - `__ork_lambda/*.mjs`: the chunks those modules share (the SDK, zod, the AWS SDK), written once.
 *
 * A task module ends up in its entry's output (it is imported by that entry alone), and that output sits
 * beside the task file: `new URL('..', import.meta.url)` in a task still reaches the workflow folder, as in
 * `ork run`. (A module imported by several task files lands in a shared chunk, whose import.meta.url is
 * `__ork_lambda/`.)
 *
 * One esbuild build per workflow serves all of its node tasks: one process, every module parsed and
 * written once. The AWS SDK is bundled too, not left to the Lambda runtime's copy: the deployed code holds
 * the versions this project locked and tested, and it runs anywhere (the parity harness runs it against
 * moto's S3 outside Lambda). Its S3 client is a chunk of its own, loaded only when an output is large.
 */

/** Prefix of the generated module (the Lambda handler module) of a node task file. */
export const NODE_HANDLER_PREFIX = '__ork_lambda_';
/** Folder of the chunks the handler modules share. */
export const NODE_CHUNK_DIR = '__ork_lambda';

/**
 * Lets CommonJS code inside the ES module bundle call `require` (of Node built-ins): esbuild's shim throws
 * "Dynamic require of … is not supported" in an ES module unless a `require` exists.
 */
export const REQUIRE_BANNER = "import { createRequire as __orkCreateRequire } from 'node:module'; const require = __orkCreateRequire(import.meta.url);";

export interface NodeTaskRef {
  readonly name: string;
  /** The task file, relative to the workflow directory (the manifest's `file`). */
  readonly file: string;
}

export interface NodeBundleOptions {
  /** esbuild target, e.g. `node24` (see nodeTarget). */
  readonly target: string;
}

export interface NodeBundleResult {
  /** The handler module of each task (absolute path of the `.mjs`), by task name. */
  readonly bundles: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
  readonly seconds: number;
}

function normalFile(file: string): string {
  return path.posix.normalize(file.replace(/\\/g, '/'));
}

/**
 * The handler module of each node task (path in the code, no extension), by task name: the task file's
 * folder and `__ork_lambda_<first task of that file>`, e.g. `tasks/__ork_lambda_extract`. Tasks that share a
 * file share its module, so that the task module is imported by one entry only.
 */
export function nodeHandlerModules(tasks: readonly NodeTaskRef[]): Map<string, string> {
  const byFile = new Map<string, string>();
  const modules = new Map<string, string>();
  for (const task of tasks) {
    const file = normalFile(task.file);
    let module = byFile.get(file);
    if (!module) {
      const folder = path.posix.dirname(file);
      module = path.posix.join(folder === '.' ? '' : folder, `${NODE_HANDLER_PREFIX}${task.name}`);
      byFile.set(file, module);
    }
    modules.set(task.name, module);
  }
  return modules;
}

/** The Lambda `Handler` of each node task, by task name: `tasks/__ork_lambda_extract.handler`. */
export function nodeHandlers(tasks: readonly NodeTaskRef[]): Map<string, string> {
  return new Map([...nodeHandlerModules(tasks)].map(([task, module]) => [task, `${module}.handler`]));
}

/** The esbuild target of a Lambda Node.js runtime: `nodejs24.x` → `node24`. */
export function nodeTarget(runtimeName: string): string {
  const major = /^nodejs(\d+)/.exec(runtimeName)?.[1];
  if (!major) throw new Error(`not a Node.js Lambda runtime: ${runtimeName}`);
  return `node${major}`;
}

/** The Node SDK shipped with this package: lambdas/node/ork in a checkout, dist/lambdas/node/ork in an install. */
export function nodeSdkPath(): string {
  return compiledPath('lambdas', 'node', 'ork');
}

/**
 * What esbuild is told besides the entries. Minified whitespace and syntax, not names: the output holds no
 * file path (comments are dropped), so it is the same wherever the workflow, the entries or cdk.out lie and
 * the asset hash only changes with the code; names stay readable in stack traces, and `keepNames` keeps
 * `constructor.name`, which is the error name of a thrown `class QuotaExceeded extends Error {}`.
 */
export function nodeBundleBuildOptions(options: NodeBundleOptions): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    splitting: true,
    chunkNames: `${NODE_CHUNK_DIR}/[name]-[hash]`,
    target: options.target,
    // ES module builds of dependencies first (the AWS SDK, zod), as NodejsFunction does for ESM output.
    mainFields: ['module', 'main'],
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    sourcemap: false,
    banner: { js: REQUIRE_BANNER },
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  };
}

/** The generated entry of one task: TypeScript, compiled by esbuild only. */
export function nodeEntrySource(workflowDir: string, task: NodeTaskRef, sdk = nodeSdkPath()): string {
  const file = path.resolve(workflowDir, task.file);
  const extension = runsFromSources() ? '.ts' : '.js';
  const sdkModule = (name: string): string => JSON.stringify(path.join(sdk, `${name}${extension}`).replace(/\\/g, '/'));
  return [
    `// Lambda entry of the Ork node task '${task.name}' (${task.file}), generated by lib/deploy/node-bundle.ts.`,
    `import * as taskModule from ${JSON.stringify(file.replace(/\\/g, '/'))};`,
    `import { lambdaHandler } from ${sdkModule('lambda-handler')};`,
    `import { findTask } from ${sdkModule('runtime')};`,
    `export const handler = lambdaHandler(findTask(taskModule as Record<string, unknown>, ${JSON.stringify(task.file)}));`,
    '',
  ].join('\n');
}

/**
 * Writes the workflow directory and one bundle per node task into `outputDir` (see the top of this file).
 * Throws with esbuild's messages when a task does not bundle.
 */
export function bundleNodeTasks(workflowDir: string, tasks: readonly NodeTaskRef[], outputDir: string, options: NodeBundleOptions): NodeBundleResult {
  const started = performance.now();
  const directory = path.resolve(workflowDir);
  copyWorkflowFiles(directory, outputDir);
  // Entries live outside the workflow and the output; nothing of their location reaches the bundles.
  const staging = mkdtempSync(path.join(os.tmpdir(), 'ork-node-entries-'));
  try {
    // `ork/task` that the workflow cannot resolve itself (no node_modules/ork: a workflow outside a project)
    // resolves to this package, as in the local worker (lambdas/node/ork/worker-hooks.ts): NODE_PATH-like
    // lookup after node_modules, through a link named `ork`. A workflow's own node_modules/ork is kept.
    const nodePath = path.join(staging, 'node_path');
    mkdirSync(nodePath);
    symlinkSync(packageRoot(), path.join(nodePath, 'ork'), 'junction');
    const modules = nodeHandlerModules(tasks);
    const entryPoints: Record<string, string> = {};
    for (const task of tasks) {
      const module = modules.get(task.name)!;
      if (entryPoints[module]) continue;
      const entry = path.join(staging, `${task.name}.ts`);
      writeFileSync(entry, nodeEntrySource(directory, task));
      entryPoints[module] = entry;
    }
    let warnings: Message[] = [];
    try {
      // From a checkout, `ork/task` is the SDK's sources that the entries import (package.json `exports`); `module` is
      // esbuild's default condition, which a custom list replaces.
      const conditions = runsFromSources() ? { conditions: [SOURCE_CONDITION, 'module'] } : {};
      const result = buildSync({
        ...nodeBundleBuildOptions(options),
        ...conditions,
        entryPoints,
        outdir: outputDir,
        absWorkingDir: directory,
        nodePaths: [nodePath],
      });
      warnings = result.warnings;
    } catch (error) {
      const errors = (error as { errors?: Message[] }).errors;
      if (!errors?.length) throw error;
      throw new Error(`esbuild could not bundle the node tasks of ${directory}:\n${formatMessagesSync(errors, { kind: 'error' }).join('\n')}`, {
        cause: error,
      });
    }
    const bundles = new Map(tasks.map((task) => [task.name, path.join(outputDir, `${modules.get(task.name)!}.mjs`)]));
    return { bundles, warnings: formatMessagesSync(warnings, { kind: 'warning' }), seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

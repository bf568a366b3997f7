/**
 * `npm run bench [-- name …]`: runs every bench/*.ts module (or only the named ones). Each module exports
 * an async `run()` that prints figures. Benchmarks print numbers, never pass/fail: read them against the
 * targets they print, and against the baselines measured in the same run (machines are noisy).
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run(): Promise<void>;
}

const directory = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(directory)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts')
  .map((f) => basename(f, '.ts'))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

if (modules.length === 0) {
  process.stderr.write(`no benchmark matches ${only.join(', ')}\n`);
  process.exitCode = 2;
}

console.log(`node ${process.version} on ${process.platform}/${process.arch}`);
for (const name of modules) {
  console.log(`\n== bench/${name}.ts`);
  const started = performance.now();
  try {
    const module = (await import(pathToFileURL(`${directory}${name}.ts`).href)) as Partial<BenchModule>;
    if (typeof module.run !== 'function') {
      console.log('   (no run() export: skipped)');
      continue;
    }
    await module.run();
  } catch (error) {
    // A broken benchmark is reported and the others still run.
    console.log(`   failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  }
  console.log(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

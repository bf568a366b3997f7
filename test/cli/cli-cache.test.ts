import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { ROOT } from '../support/workflows.js';

/**
 * A checkout's `ork` runs a bundle of its sources that bin/cli-bundle.js builds on demand: in the user's cache,
 * never beside the package (a package folder may be read-only or shared), and the bundle still finds the package.
 */

const LEGACY_CACHE = path.join(ROOT, 'node_modules', '.cache', 'ork-cli');
const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function ork(args: readonly string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ork.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** The bundles (`<cache>/ork/cli/<checkout>/<sources' state>/main.js`) under `base`. */
function bundlesUnder(base: string): string[] {
  const cli = path.join(base, 'ork', 'cli');
  if (!existsSync(cli)) return [];
  return readdirSync(cli).flatMap((checkout) =>
    readdirSync(path.join(cli, checkout))
      .map((state) => path.join(cli, checkout, state, 'main.js'))
      .filter((file) => existsSync(file)),
  );
}

const legacyState = (): string =>
  existsSync(LEGACY_CACHE)
    ? readdirSync(LEGACY_CACHE)
        .map((entry) => `${entry} ${statSync(path.join(LEGACY_CACHE, entry)).mtimeMs}`)
        .join('\n')
    : 'absent';

describe("the checkout's CLI bundle", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((remove) => remove()));
  const tmp = (): string => {
    const made = temporaryDirectory('ork-cli-cache-');
    cleanups.push(made.remove);
    return made.dir;
  };

  it('is built in $XDG_CACHE_HOME/ork/cli, not in the package, and finds the package from there', () => {
    const cache = tmp();
    const before = legacyState();
    const result = ork(['--version'], { XDG_CACHE_HOME: cache });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`ork ${version}\n`);
    const [bundle, ...others] = bundlesUnder(cache);
    expect(others).toEqual([]);
    // Packages stay external to the bundle: the checkout's node_modules is linked beside it.
    expect(realpathSync(path.join(path.dirname(path.dirname(bundle!)), 'node_modules'))).toBe(realpathSync(path.join(ROOT, 'node_modules')));
    expect(legacyState()).toBe(before);

    const validate = ork(['validate', 'examples/foreach-aggregate'], { XDG_CACHE_HOME: cache });
    expect(validate.status, validate.stderr).toBe(0);
    expect(bundlesUnder(cache)).toEqual([bundle]);
  });

  it('falls back to the temporary folder when the user cache cannot be written', () => {
    const home = tmp();
    const blocked = path.join(home, 'not-a-folder');
    writeFileSync(blocked, '');
    const temporary = tmp();
    const result = ork(['validate', 'examples/foreach-aggregate'], { XDG_CACHE_HOME: blocked, TMPDIR: temporary });
    expect(result.status, result.stderr).toBe(0);
    expect(bundlesUnder(temporary)).toHaveLength(1);
  });
});

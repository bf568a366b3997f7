import { existsSync } from 'node:fs';

/**
 * Where the tests' pip finds wheels: these machines have no PyPI, but a local folder of cp311 manylinux
 * wheels (the python code assets of synth tests are built from it for python3.11 on x86_64). pip's own
 * configuration still lists PyPI as its index, and every unreachable lookup costs retries (a 3 s build
 * took 40 s): with the folder there, pip uses no index (PIP_NO_INDEX) and looks in the folder besides the
 * find-links it already has. A machine that names an index itself (PIP_INDEX_URL, PIP_NO_INDEX) keeps its own.
 */
export const LOCAL_WHEELS = '/opt/pypi/files';

export function useLocalWheelIndex(env: NodeJS.ProcessEnv = process.env): void {
  if (env.PIP_INDEX_URL || env.PIP_NO_INDEX || !existsSync(LOCAL_WHEELS)) return;
  env.PIP_NO_INDEX = '1';
  // pip reads a list from the environment separated by whitespace.
  env.PIP_FIND_LINKS = [env.PIP_FIND_LINKS, LOCAL_WHEELS].filter(Boolean).join(' ');
}

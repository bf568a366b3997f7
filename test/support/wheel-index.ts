import { existsSync } from 'node:fs';

/**
 * Where the tests' pip finds wheels: these machines have no PyPI, but a local folder of cp311 manylinux
 * wheels (the python code assets of synth tests are built from it for python3.11 on x86_64). pip's own
 * configuration still lists PyPI, and every unreachable lookup costs retries; pointing pip at the folder
 * alone (PIP_NO_INDEX, PIP_FIND_LINKS) keeps a build to seconds. A machine that sets PIP_FIND_LINKS or
 * PIP_INDEX_URL itself keeps its own.
 */
export const LOCAL_WHEELS = '/opt/pypi/files';

export function useLocalWheelIndex(env: NodeJS.ProcessEnv = process.env): void {
  if (env.PIP_FIND_LINKS || env.PIP_INDEX_URL || !existsSync(LOCAL_WHEELS)) return;
  env.PIP_NO_INDEX = '1';
  env.PIP_FIND_LINKS = LOCAL_WHEELS;
}

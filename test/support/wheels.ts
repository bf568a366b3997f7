import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * A pure-Python wheel built by hand (`tinydep` 0.1, `tinydep.X == 1`): the tests' stand-in for a package of
 * a requirements.txt, since these machines have neither the `wheel` package nor PyPI. Returns its path.
 */
export function writeWheel(dir: string): string {
  const file = path.join(dir, 'tinydep-0.1-py3-none-any.whl');
  const script = `
import base64, hashlib, sys, zipfile
files = {'tinydep/__init__.py': 'X = 1\\n', 'tinydep-0.1.dist-info/METADATA': 'Metadata-Version: 2.1\\nName: tinydep\\nVersion: 0.1\\n', 'tinydep-0.1.dist-info/WHEEL': 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'}
record = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b'=').decode()},{len(c.encode())}" for n, c in files.items()]
files['tinydep-0.1.dist-info/RECORD'] = '\\n'.join(record + ['tinydep-0.1.dist-info/RECORD,,']) + '\\n'
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    [z.writestr(n, c) for n, c in files.items()]
`;
  const result = spawnSync(process.env.ORK_PYTHON ?? 'python3', ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`could not build the test wheel: ${result.stderr}`);
  return file;
}

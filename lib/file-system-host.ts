import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { compile, type CompileResult, type CompilerHost } from '../compiler/index.js';

/** The compiler's view of a workflow directory on disk. */
export function fileSystemHost(directory: string): CompilerHost {
  return {
    directory,
    fileExists: (p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    },
    realpath: (p) => {
      try {
        return realpathSync(p);
      } catch {
        return undefined;
      }
    },
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Compiles workflow.yaml at `absolutePath`; `displayPath` is how diagnostics name the file. */
export function compileWorkflowFile(absolutePath: string, displayPath: string = absolutePath): CompileResult {
  return compile({ file: displayPath, source: readFileSync(absolutePath), host: fileSystemHost(path.dirname(absolutePath)) });
}

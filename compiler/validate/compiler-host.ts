/**
 * What the compiler may ask of the outside world. The stages stay pure; the CLI passes a host backed by the
 * file system, tests pass an in-memory one.
 */
export interface CompilerHost {
  /** Absolute path of the workflow directory; task files are relative to it. */
  readonly directory: string;
  fileExists(absolutePath: string): boolean;
  /** The path with symlinks resolved, or undefined when it does not exist. */
  realpath(absolutePath: string): string | undefined;
  /**
   * A file's text, or undefined when it cannot be read. Optional: without it, checks that read task sources
   * (the fields a `when:` reads of a task's output model) are skipped.
   */
  readFile?(absolutePath: string): string | undefined;
}

/** A host for a workflow whose task files all exist (tests and in-memory compiles). */
export function permissiveHost(directory = '/workflow'): CompilerHost {
  return { directory, fileExists: () => true, realpath: (p) => p };
}

/** A host that knows exactly these files (paths relative to `directory`). */
export function inMemoryHost(files: Iterable<string>, directory = '/workflow'): CompilerHost {
  const known = new Set([...files].map((f) => `${directory}/${f}`.replace(/\/+/g, '/')));
  return { directory, fileExists: (p) => known.has(p), realpath: (p) => (known.has(p) ? p : undefined) };
}

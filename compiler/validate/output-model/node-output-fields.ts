/** Methods after `z.object({...})` that keep its keys; any other (`passthrough`, `catchall`, `extend`, `and` …) may add some. */
const KEEPING_METHODS = new Set(['strict', 'strip', 'describe']);

/**
 * The top-level fields of a TypeScript task's output, read from its source without running it: the keys of
 * `output: z.object({ ... })` in its `defineTask`, written literally (zod strips every other key from what
 * the handler returns). Undefined when the schema is written any other way (a variable, a spread, a computed
 * key, `.passthrough()`): the caller then checks nothing.
 */
export function nodeOutputFields(source: string): ReadonlySet<string> | undefined {
  const code = withoutComments(source);
  const matches = [...code.matchAll(/\boutput\s*:\s*z\.object\(\s*\{/g)];
  if (matches.length !== 1) return undefined;
  const match = matches[0];
  if (match?.index === undefined) return undefined;
  const open = match.index + match[0].length - 1;
  const keys = new Set<string>();
  let depth = 0;
  let expectKey = true;
  let i = open;
  for (; i < code.length; i++) {
    const c = code[i] ?? '';
    if (c === '"' || c === "'" || c === '`') {
      const end = stringEnd(code, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        const after = /^\s*:/.exec(code.slice(end + 1));
        if (!after || c === '`') return undefined;
        keys.add(code.slice(i + 1, end));
        expectKey = false;
      }
      i = end;
      continue;
    }
    if ('{[('.includes(c)) {
      if (depth === 1 && expectKey && c === '[') return undefined;
      depth++;
      continue;
    }
    if ('}])'.includes(c)) {
      depth--;
      if (depth === 0) break;
      continue;
    }
    if (depth !== 1) continue;
    if (c === ',') {
      expectKey = true;
      continue;
    }
    if (/\s/.test(c) || !expectKey) continue;
    const key = /^([A-Za-z_$][\w$]*)\s*(:|\(|,|\})/.exec(code.slice(i));
    // A spread, a shorthand key or a method: the keys are not all written here.
    if (!key || key[2] !== ':') return undefined;
    keys.add(key[1] ?? '');
    expectKey = false;
    i += (key[1] ?? '').length - 1;
  }
  if (depth !== 0) return undefined;
  const rest = code.slice(i + 1);
  const close = /^\s*\)/.exec(rest);
  if (!close) return undefined;
  for (const method of rest.slice(close[0].length).matchAll(/^\s*\.\s*(\w+)\s*\([^()]*\)/g)) if (!KEEPING_METHODS.has(method[1] ?? '')) return undefined;
  const next = /^\s*\.\s*(\w+)/.exec(rest.slice(close[0].length));
  if (next && !KEEPING_METHODS.has(next[1] ?? '')) return undefined;
  return keys;
}

/** Index of the quote that closes the string opening at `start`; -1 when it never closes. */
function stringEnd(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (code[i] === '\\') i++;
    else if (code[i] === quote) return i;
  }
  return -1;
}

/** Comments blanked, strings kept. */
function withoutComments(source: string): string {
  return source.replace(/("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, string: string | undefined) =>
    string !== undefined ? match : match.replace(/[^\n]/g, ' '),
  );
}

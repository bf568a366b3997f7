/**
 * The top-level fields of a Python task's output, read from its source without running it: the class its
 * `@task` function is annotated to return (`def main() -> Output:`), when that class is written in the file
 * as `class Output(BaseModel):` with plain annotated fields. Undefined when anything could add a field the
 * text does not show (another base class, `model_config`, `@computed_field`, `@model_serializer`, an inner
 * `class Config`), or the function or the class is not found: the caller then checks nothing.
 */
export function pythonOutputFields(source: string): ReadonlySet<string> | undefined {
  const lines = withoutStrings(source).split('\n');
  const returned = taskReturnType(lines);
  if (!returned) return undefined;
  const classes = lines.flatMap((line, i) => (new RegExp(`^class\\s+${returned}\\s*(\\(|:)`).test(line) ? [i] : []));
  if (classes.length !== 1) return undefined;
  const start = classes[0] ?? 0;
  const header = /^class\s+\w+\s*\(\s*((?:pydantic\.)?BaseModel)\s*\)\s*:\s*(#.*)?$/.exec(lines[start] ?? '');
  if (!header) return undefined;
  const fields = new Set<string>();
  let indent: number | undefined;
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const depth = line.length - line.trimStart().length;
    if (depth === 0) break;
    indent ??= depth;
    if (depth !== indent) continue;
    const statement = line.trim();
    if (/^(model_config\b|class\s|@(\w+\.)*(computed_field|model_serializer)\b)/.test(statement)) return undefined;
    const field = /^([A-Za-z_]\w*)\s*:(?!=)\s*(.*)$/.exec(statement);
    // `_private` attributes and ClassVars are not dumped; leaving them out can only make a check stricter
    // for names the output never has.
    if (field?.[1] && !field[1].startsWith('_') && !/^(typing\.)?ClassVar\b/.test(field[2] ?? '')) fields.add(field[1]);
  }
  return fields;
}

/** The class name the only `@task` function returns, when it is a plain name. */
function taskReturnType(lines: readonly string[]): string | undefined {
  const decorated = lines.flatMap((line, i) => (/^@(ork\.)?task\b/.test(line) ? [i] : []));
  if (decorated.length !== 1) return undefined;
  const from = decorated[0] ?? 0;
  let signature = '';
  for (const line of lines.slice(from + 1)) {
    if (signature === '' && line.startsWith('@')) continue;
    signature += ` ${line.trim()}`;
    if (/:\s*(#.*)?$/.test(line) && /^\s*(async\s+)?def\b/.test(signature)) break;
    if (signature.length > 2000) return undefined;
  }
  return /->\s*([A-Za-z_]\w*)\s*:\s*(#.*)?$/.exec(signature.trim())?.[1];
}

/**
 * The source with every string literal's content blanked (its line breaks kept), so that a docstring that
 * mentions `model_config` or starts a line with `count: int` is not read as code.
 */
function withoutStrings(source: string): string {
  return source.replace(/("""|''')[\s\S]*?\1|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (match) =>
    match.replace(/[^\n]/g, ' ').replace(/^ /, '"').replace(/ $/, '"'),
  );
}

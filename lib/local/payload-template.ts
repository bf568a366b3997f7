import { JSONPath } from 'jsonpath-plus';

/**
 * Evaluates an ASL payload template (ItemSelector, ItemBatcher.BatchInput, ItemReader and ResultWriter
 * Parameters) as Step Functions does: a key ending in `.$` takes the value its JSONPath selects, from the
 * state's input (`$…`) or the context object (`$$…`); other keys are copied, objects and arrays inside
 * evaluated in turn. The interpreter does this for the states it runs; the Distributed Map runner needs it
 * for the fields it runs itself. Intrinsic functions are not needed there (Ork emits none) and are refused.
 */
export class PayloadTemplateError extends Error {
  constructor(message: string) {
    super(message);
    // What AWS fails the state with when a path selects nothing.
    this.name = 'States.Runtime';
  }
}

/** `$`, `$.a.b`, `$.a[0].b`: reference paths, walked directly (a 100,000-item Map evaluates a few per item). */
const REFERENCE_PATH = /^\$((\.[A-Za-z_][\w-]*)|(\[\d+\]))*$/;
const SEGMENT = /\.([A-Za-z_][\w-]*)|\[(\d+)\]/g;

function walk(root: unknown, path: string): unknown {
  let node = root;
  for (const match of path.slice(1).matchAll(SEGMENT)) {
    if (node === null || typeof node !== 'object') return undefined;
    const key = match[1] ?? Number(match[2]);
    if (typeof key === 'number' && !Array.isArray(node)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** The value `path` selects in `input` (or in `context`, for `$$…`); an error when it selects nothing. */
export function evaluatePath(path: string, input: unknown, context: unknown): unknown {
  if (!path.startsWith('$')) {
    throw new PayloadTemplateError(
      `'${path}' is not a JSONPath; intrinsic functions are not supported in the fields the local Distributed Map runner evaluates`,
    );
  }
  const [root, expression] = path.startsWith('$$') ? [context, path.slice(1)] : [input, path];
  const value = REFERENCE_PATH.test(expression) ? walk(root, expression) : JSONPath({ path: expression, json: (root ?? null) as object, wrap: false });
  if (value === undefined) throw new PayloadTemplateError(`the JSONPath '${path}' could not be found in the input`);
  return value;
}

/** The payload `template` yields for this input and context object. */
export function evaluatePayloadTemplate(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((element) => evaluatePayloadTemplate(element, input, context));
  if (template === null || typeof template !== 'object') return template;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw new PayloadTemplateError(`the value of '${key}' must be a JSONPath string`);
      result[key.slice(0, -2)] = evaluatePath(value, input, context);
    } else {
      result[key] = evaluatePayloadTemplate(value, input, context);
    }
  }
  return result;
}

import { INPUT_PATH_MAX_LENGTH } from '../model/index.js';

/**
 * A JSONPath as an InputPathsMap value takes it: `$`, then `.name` steps of letters, digits, `_`, `-` and `/`
 * (or `*`), each with any `[n]` or `[*]` indices; dot notation only, at most 256 characters (EventBridge,
 * "Amazon EventBridge input transformation"; events service model, TargetInputPath).
 */
export const INPUT_PATH_PATTERN = /^\$(?:\.(?:[A-Za-z0-9_/-]+|\*)(?:\[(?:\d+|\*)\])*)*$/;

/** What is wrong with a trigger param's path, and how to write it; undefined when EventBridge takes it. */
export function checkInputPath(path: string): { message: string; hint?: string } | undefined {
  if (path.length > INPUT_PATH_MAX_LENGTH) return { message: `is ${path.length} characters; EventBridge takes at most ${INPUT_PATH_MAX_LENGTH}` };
  if (INPUT_PATH_PATTERN.test(path)) return undefined;
  const message = `'${path}' is not a JSONPath EventBridge accepts`;
  if (!path.startsWith('$')) {
    const rest = path.replace(/^\.+/, '');
    return { message, hint: `start at the event's root: '$.${rest}'` };
  }
  const dotted = path.replace(/\[\s*(['"])(.*?)\1\s*\]/g, '.$2');
  if (dotted !== path && INPUT_PATH_PATTERN.test(dotted)) return { message, hint: `use dot notation: '${dotted}'` };
  return { message, hint: "use dot notation of letters, digits, _, - and /, with [0] for an array element: '$.detail.items[0].id'" };
}

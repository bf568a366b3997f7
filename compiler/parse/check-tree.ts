import { isAlias, isCollection, isDocument, isPair, isScalar, type Document, type Node } from 'yaml';
import { Codes, makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';
import { DEFINITION_MAX_CHARACTERS } from '../model/aws-limits.js';
import type { SourceMap } from './source-map.js';

/**
 * Deeper than this is refused before the tree becomes data. A workflow is a few levels deep (tasks → task →
 * env → value; params may nest a little more); the limit keeps every later recursive walk (toJS, zod,
 * rules, JSON.stringify) far from the call-stack limit, whatever stack depth the compiler is called at.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * Nodes that aliases may add on top of what is written. Aliases share one value, so reading them is cheap,
 * but every later walk over the data visits each expansion: a few lines of nested anchors ("billion laughs")
 * would expand to billions of nodes. Real workflows reuse a handful of small blocks.
 */
export const MAX_ALIAS_EXPANSION = 10_000;

/**
 * Characters of scalar text (keys and values) that aliases may add. Few nodes can still be large: one
 * 200 KB string aliased 5,000 times is 1 GB once expanded, which took 2 GB to validate and crashed compile.
 * Whatever aliases repeat ends up where AWS bounds it (params in the definition, at most 1 MiB; a function's
 * environment, at most 4 KB), so 1 MiB is more than any workflow can use.
 */
export const MAX_ALIAS_EXPANSION_CHARACTERS = DEFINITION_MAX_CHARACTERS;

interface Frame {
  readonly node: unknown;
  readonly depth: number;
  readonly children: readonly unknown[];
  next: number;
  /** Nodes in this subtree with every alias expanded, this node included. */
  size: number;
  /** Characters of scalar text in this subtree with every alias expanded. */
  chars: number;
}

function textLength(node: unknown): number {
  if (!isScalar(node)) return 0;
  const value = node.value;
  return typeof value === 'string' ? value.length : String(value).length;
}

function childrenOf(node: unknown): unknown[] {
  if (isDocument(node)) return [node.contents];
  if (isPair(node)) return [node.key, node.value];
  if (isCollection(node)) return [...node.items];
  return [];
}

function rangeOf(node: unknown): { start: number; end: number } {
  const range = (node as Node | null | undefined)?.range;
  return range ? { start: range[0], end: Math.max(range[0], range[1]) } : { start: 0, end: 0 };
}

/**
 * What must hold of the YAML tree before it is turned into data, so that turning it into data and every
 * stage after it is bounded in time and memory and cannot overflow the stack: every alias names an earlier
 * anchor (ORK103), none is inside the node it names (ORK104: an infinite, self-containing value), aliases
 * add at most MAX_ALIAS_EXPANSION nodes and MAX_ALIAS_EXPANSION_CHARACTERS of text (ORK104), and nesting
 * stays under MAX_NESTING_DEPTH (ORK103).
 *
 * One iterative walk in document order: an anchor counts only for aliases after it, as YAML says. Sizes are
 * known on the way out of a node (post-order); an alias's target lies wholly before it (it is not an
 * ancestor, which is checked first), so its size is known when the alias is reached.
 */
export function checkTree(doc: Document, sourceMap: SourceMap): Diagnostic[] {
  const found: Diagnostic[] = [];
  const anchors = new Map<string, unknown>();
  const sizes = new WeakMap<object, number>();
  const open = new Set<unknown>();
  const characters = new WeakMap<object, number>();
  let added = 0;
  let addedChars = 0;
  let tooDeep = false;
  const stack: Frame[] = [{ node: doc, depth: 0, children: childrenOf(doc), next: 0, size: 1, chars: 0 }];
  open.add(doc);

  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (child === null || child === undefined || typeof child !== 'object') continue;
      if (isAlias(child)) {
        const target = anchors.get(child.source);
        const span = sourceMap.span(rangeOf(child));
        if (target === undefined) {
          found.push(
            makeDiagnostic(
              Codes.yamlSyntax,
              span,
              `alias '*${child.source}' names no anchor before it`,
              `define '&${child.source}' on an earlier node, or fix the name`,
            ),
          );
          continue;
        }
        if (open.has(target)) {
          found.push(
            makeDiagnostic(
              Codes.aliasLimit,
              span,
              `alias '*${child.source}' is inside the node it names, so its value would never end`,
              'aliases can only repeat a node that is complete before them',
            ),
          );
          return found;
        }
        const size = sizes.get(target as object) ?? 1;
        const chars = characters.get(target as object) ?? 0;
        frame.size += size;
        frame.chars += chars;
        added += size - 1;
        addedChars += chars;
        if (added > MAX_ALIAS_EXPANSION) {
          found.push(
            makeDiagnostic(
              Codes.aliasLimit,
              span,
              `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`,
              'write the repeated parts out, or use `defaults:` for shared task settings',
            ),
          );
          return found;
        }
        if (addedChars > MAX_ALIAS_EXPANSION_CHARACTERS) {
          found.push(
            makeDiagnostic(
              Codes.aliasLimit,
              span,
              `aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARACTERS.toLocaleString('en-US')} characters of text (1 MiB, the most a state machine definition holds)`,
              'repeat large values less often, or pass large data as workflow input or in a file the first task reads',
            ),
          );
          return found;
        }
        continue;
      }
      // Pairs are not a level of nesting the user sees; collections are.
      const depth = frame.depth + (isCollection(child) ? 1 : 0);
      if (depth > MAX_NESTING_DEPTH) {
        if (!tooDeep) {
          tooDeep = true;
          found.push(
            makeDiagnostic(
              Codes.yamlSyntax,
              sourceMap.span(rangeOf(child)),
              `the document nests more than ${MAX_NESTING_DEPTH} levels deep`,
              'a workflow needs only a few levels; flatten the data',
            ),
          );
        }
        continue;
      }
      const anchor = (child as { anchor?: unknown }).anchor;
      if (typeof anchor === 'string') anchors.set(anchor, child);
      stack.push({ node: child, depth, children: childrenOf(child), next: 0, size: 1, chars: textLength(child) });
      open.add(child);
      continue;
    }
    stack.pop();
    open.delete(frame.node);
    sizes.set(frame.node as object, frame.size);
    characters.set(frame.node as object, frame.chars);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.size = Math.min(Number.MAX_SAFE_INTEGER, parent.size + frame.size);
      parent.chars = Math.min(Number.MAX_SAFE_INTEGER, parent.chars + frame.chars);
    }
  }
  return found;
}

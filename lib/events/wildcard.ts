/**
 * EventBridge's `wildcard` filter: `*` matches any run of characters (none included), `\*` a literal `*` and
 * `\\` a literal `\`; two `*` in a row and a `\` before anything else are refused (AWS: "Content filtering in
 * Amazon EventBridge event patterns", wildcard matching; aws/event-ruler WildcardParser).
 */
export function parseWildcard(text: string): RegExp | string {
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '*') {
      if (text[i + 1] === '*') return `consecutive wildcard characters at position ${i}`;
      source += '[\\s\\S]*';
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `invalid escape character at position ${i}`;
      source += `\\${next}`;
      i++;
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'u');
}

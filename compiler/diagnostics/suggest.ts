/** Levenshtein distance with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length] ?? max + 1;
}

/**
 * The closest candidate to `word`, if it is close enough to be a plausible typo: within a third of the
 * word's length, case-insensitively, or differing only in `-`/`_`.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const normalise = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  const target = normalise(word);
  const max = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = normalise(candidate) === target ? 0 : editDistance(word.toLowerCase(), candidate.toLowerCase(), max);
    if (distance <= max && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(word, candidates);
  return match === undefined ? undefined : `did you mean '${match}'?`;
}

/**
 * The candidate that is `word` with two neighbouring letters swapped (`cuont` for `count`): one slip of the
 * fingers, but two edits, which closestMatch allows only in words of six letters or more.
 */
export function transposedMatch(word: string, candidates: Iterable<string>): string | undefined {
  for (const candidate of candidates) {
    if (candidate.length !== word.length || candidate === word) continue;
    const differ = [...word].flatMap((c, i) => (c === candidate[i] ? [] : [i]));
    const [i, j] = differ;
    if (differ.length === 2 && i !== undefined && j === i + 1 && word[i] === candidate[j] && word[j] === candidate[i]) return candidate;
  }
  return undefined;
}

/** A fixed-size set of small integers; the planner's reachability sets for up to thousands of tasks. */
export class BitSet {
  readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  static of(size: number, members: Iterable<number>): BitSet {
    const set = new BitSet(size);
    for (const m of members) set.add(m);
    return set;
  }

  add(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) | (1 << (i & 31));
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  orInPlace(other: BitSet): void {
    for (let w = 0; w < this.words.length; w++) this.words[w] = (this.words[w] ?? 0) | (other.words[w] ?? 0);
  }

  /** this ∪= (a ∩ b) */
  orIntersectionInPlace(a: BitSet, b: BitSet): void {
    for (let w = 0; w < this.words.length; w++) this.words[w] = (this.words[w] ?? 0) | ((a.words[w] ?? 0) & (b.words[w] ?? 0));
  }

  /** A copy of the set. */
  clone(): BitSet {
    const copy = new BitSet(this.size);
    copy.words.set(this.words);
    return copy;
  }

  /** True when every member of `other` is a member of this set. */
  containsAll(other: BitSet): boolean {
    for (let w = 0; w < this.words.length; w++) {
      const o = other.words[w] ?? 0;
      if (((this.words[w] ?? 0) & o) !== o) return false;
    }
    return true;
  }

  /** |this ∩ other| */
  intersectionCount(other: BitSet): number {
    let count = 0;
    for (let w = 0; w < this.words.length; w++) count += popcount((this.words[w] ?? 0) & (other.words[w] ?? 0));
    return count;
  }
}

function popcount(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

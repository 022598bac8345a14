// Sets of integers as sorted, disjoint, inclusive [lo, hi] intervals. One type serves IPv4 and IPv6 addresses
// (as bigint) and port numbers, so the evaluator's set algebra (what part of a flow a rule covers) is written once.

export type Interval = readonly [bigint, bigint];

export class IntervalSet {
  static readonly EMPTY = new IntervalSet([]);

  /** `ranges` must already be sorted, disjoint and non-adjacent; use `of` for arbitrary input. */
  private constructor(readonly ranges: readonly Interval[]) {}

  static range(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([[lo, hi]]);
  }

  /** Normalises any list of intervals (unsorted, overlapping, adjacent). */
  static of(ranges: Iterable<Interval>): IntervalSet {
    const sorted = [...ranges].filter(([a, b]) => a <= b).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const out: [bigint, bigint][] = [];
    for (const [lo, hi] of sorted) {
      const last = out[out.length - 1];
      if (last && lo <= last[1] + 1n) {
        if (hi > last[1]) last[1] = hi;
      } else out.push([lo, hi]);
    }
    return new IntervalSet(out);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Number of members (addresses, ports). */
  get size(): bigint {
    let n = 0n;
    for (const [a, b] of this.ranges) n += b - a + 1n;
    return n;
  }

  has(x: bigint): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.ranges[mid];
      if (x < a) hi = mid - 1;
      else if (x > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: IntervalSet): IntervalSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return IntervalSet.of([...this.ranges, ...other.ranges]);
  }

  intersect(other: IntervalSet): IntervalSet {
    const out: [bigint, bigint][] = [];
    let i = 0;
    let j = 0;
    const a = this.ranges;
    const b = other.ranges;
    while (i < a.length && j < b.length) {
      const lo = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
      const hi = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
      if (lo <= hi) out.push([lo, hi]);
      if (a[i][1] < b[j][1]) i++;
      else j++;
    }
    return new IntervalSet(out);
  }

  subtract(other: IntervalSet): IntervalSet {
    if (this.isEmpty || other.isEmpty) return this;
    const out: [bigint, bigint][] = [];
    let j = 0;
    const b = other.ranges;
    for (const [lo0, hi] of this.ranges) {
      let lo = lo0;
      while (j < b.length && b[j][1] < lo) j++;
      let k = j;
      while (k < b.length && b[k][0] <= hi && lo <= hi) {
        if (b[k][0] > lo) out.push([lo, b[k][0] - 1n]);
        lo = b[k][1] + 1n;
        if (b[k][1] > hi) break;
        k++;
      }
      if (lo <= hi) out.push([lo, hi]);
    }
    return new IntervalSet(out);
  }

  covers(other: IntervalSet): boolean {
    return other.subtract(this).isEmpty;
  }

  overlaps(other: IntervalSet): boolean {
    return !this.intersect(other).isEmpty;
  }

  equals(other: IntervalSet): boolean {
    if (this.ranges.length !== other.ranges.length) return false;
    return this.ranges.every(([a, b], i) => a === other.ranges[i][0] && b === other.ranges[i][1]);
  }
}

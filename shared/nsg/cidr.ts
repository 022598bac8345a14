// IPv4/IPv6 addresses and CIDR prefixes as integer intervals, and back to CIDR text for explanations.
import { IntervalSet } from './intervals';

export type IpFamily = 4 | 6;

export interface ParsedPrefix {
  family: IpFamily;
  set: IntervalSet;
  /** Canonical text (network address / length). */
  text: string;
}

const V4_BITS = 32n;
const V6_BITS = 128n;

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = groupsOf(s.slice(0, dbl));
    const tail = groupsOf(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = groupsOf(s);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/**
 * Parses `10.0.0.0/8`, `10.1.2.3` (a /32), `2001:db8::/32`, `::1`. Host bits below the prefix length are ignored,
 * as Azure normalises them. Returns null for anything that is not an address or prefix.
 */
export function parsePrefix(text: string): ParsedPrefix | null {
  let p = prefixMemo.get(text);
  if (p === undefined) {
    p = parsePrefixUncached(text);
    // Bounded: the same few hundred prefixes recur across a sweep; a flood of distinct ones just stops being cached.
    if (prefixMemo.size < 50_000) prefixMemo.set(text, p);
  }
  return p;
}

const prefixMemo = new Map<string, ParsedPrefix | null>();

function parsePrefixUncached(text: string): ParsedPrefix | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addr = slash < 0 ? t : t.slice(0, slash);
  const lenText = slash < 0 ? null : t.slice(slash + 1);
  const family: IpFamily = addr.includes(':') ? 6 : 4;
  const value = family === 4 ? parseV4(addr) : parseV6(addr);
  if (value === null) return null;
  const bits = family === 4 ? V4_BITS : V6_BITS;
  let len = bits;
  if (lenText !== null) {
    if (!/^\d{1,3}$/.test(lenText)) return null;
    len = BigInt(Number(lenText));
    if (len > bits) return null;
  }
  const hostBits = bits - len;
  const lo = (value >> hostBits) << hostBits;
  const hi = lo + (1n << hostBits) - 1n;
  return { family, set: IntervalSet.range(lo, hi), text: `${formatAddress(lo, family)}/${len}` };
}

export function formatAddress(n: bigint, family: IpFamily): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The fewest CIDR blocks that make up `set` (for explanations and remediation commands). */
export function toCidrs(set: IntervalSet, family: IpFamily): string[] {
  const bits = family === 4 ? V4_BITS : V6_BITS;
  const out: string[] = [];
  for (const [lo0, hi] of set.ranges) {
    let lo = lo0;
    while (lo <= hi) {
      let size = 0n;
      // Largest aligned block starting at lo that fits before hi.
      while (size < bits && (lo & ((1n << (size + 1n)) - 1n)) === 0n && lo + (1n << (size + 1n)) - 1n <= hi) size++;
      out.push(size === 0n ? formatAddress(lo, family) : `${formatAddress(lo, family)}/${bits - size}`);
      lo += 1n << size;
    }
  }
  return out;
}

export function allAddresses(family: IpFamily): IntervalSet {
  return IntervalSet.range(0n, (1n << (family === 4 ? V4_BITS : V6_BITS)) - 1n);
}

function union(prefixes: string[]): IntervalSet {
  return IntervalSet.of(prefixes.flatMap((p) => (parsePrefix(p) as ParsedPrefix).set.ranges));
}

/**
 * Address space that can be reached on the public internet: everything except special-purpose ranges (RFC 6890).
 * Azure's public service tags (AzureMachineLearning, Storage, …) all lie inside it.
 */
export const PUBLIC_SPACE: Record<IpFamily, IntervalSet> = {
  4: allAddresses(4).subtract(
    union(['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3']),
  ),
  6: union(['2000::/3']),
};

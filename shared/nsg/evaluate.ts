// The NSG evaluator: what Azure does with a flow on its way to or from a host (network-security-groups-overview,
// network-security-group-how-it-works; Network Watcher IP flow verify is the ground truth it mirrors).
// - Rules are taken by ascending priority; the first rule that matches decides (allow or deny) and processing stops.
// - Inbound: the subnet's NSG, then the NIC's; outbound: the NIC's, then the subnet's. Every NSG on the path must
//   allow; a level without an NSG lets the flow pass.
// - A flow is a set: source addresses × source ports × destination addresses × destination ports. A rule that covers
//   only part of it splits it; each part goes on through the rules, so the verdict can be split, and every part
//   names the rule that decided it.
// - Where the data or the addresses of a tag are not known well enough to decide, the part is `unknown` with why.
import { IntervalSet } from './intervals';
import { parsePrefix, toCidrs, type IpFamily } from './cidr';
import { addressResolver, tagContains, type AddressContext, type AddressResolver } from './address-space';
import { parsePorts, type AddressElement, type Direction, type FlowProtocol, type NsgRule, type ParsedNsg } from './rules';
import { canonicalId } from '../model';

/** One end of a flow: a service tag, a list of prefixes, or a host (its addresses and ASG memberships). */
export interface Endpoint {
  /** How explanations name it (a tag, CIDRs, a host name). */
  label: string;
  /** The service tag it is (VirtualNetwork, AzureMachineLearning, Storage.EastUS2, …); names compare case-insensitively. */
  tag?: string;
  /** Its addresses, when known (for a tag, only a part of it). */
  prefixes?: string[];
  /** Application security groups it is a member of, when known (an empty list means "none"). */
  asgIds?: string[];
}

export interface Flow {
  direction: Direction;
  protocol: FlowProtocol;
  /** One endpoint or several (every configured client source); each may be split by the rules. */
  source: Endpoint | Endpoint[];
  /** `*` (any, the default), a port, a range or a list. */
  sourcePorts?: string | number;
  destination: Endpoint | Endpoint[];
  destinationPorts: string | number;
  /** The IP family of the flow (default 4): tags and prefixes are taken in this family only. */
  ipVersion?: IpFamily;
}

export type NsgLevel = 'subnet' | 'nic';

export interface NsgPath {
  /** The subnet's NSG; null when the subnet has none. */
  subnet: ParsedNsg | null;
  /** The NIC's NSG; null when it has none; undefined when the NIC is not visible (AzureML-managed nodes). */
  nic?: ParsedNsg | null;
}

export interface RuleRef {
  level: NsgLevel;
  nsgId: string;
  nsgName: string;
  resourceGroup: string;
  subscriptionId: string;
  ruleName: string;
  priority: number;
  isDefault: boolean;
  access: 'Allow' | 'Deny';
}

export interface ExaminedRule extends RuleRef {
  /** What the rule did to the flow: matched all of what reached it, part of it, none of it, or could not be read. */
  outcome: 'matched' | 'partial' | 'no-match' | 'unknown';
}

export type PartAccess = 'allow' | 'deny' | 'unknown';

export interface LevelDecision {
  level: NsgLevel;
  /** null when there is no NSG at this level (the flow passes). */
  nsgName: string | null;
  access: PartAccess;
  rule: RuleRef | null;
}

export interface FlowPart {
  /** Index of the endpoint in the flow's source (and destination) list this part comes from. */
  sourceIndex: number;
  destinationIndex: number;
  source: string;
  /** The part's source addresses when they are a strict, known subset of the endpoint. */
  sourcePrefixes?: string[];
  sourceTag?: string;
  sourcePorts: string;
  destination: string;
  destinationPrefixes?: string[];
  destinationTag?: string;
  destinationPorts: string;
  access: PartAccess;
  /** The rule that decided: the deny, or for an allow the allowing rule of the last NSG on the path; null when no NSG. */
  decidedBy: RuleRef | null;
  levels: LevelDecision[];
  /** For `unknown`: what could not be known. */
  reason?: string;
  /** Why a rule matched when it may surprise (VirtualNetwork widened by user-defined routes). */
  notes?: string[];
}

export interface FlowVerdict {
  verdict: 'allow' | 'deny' | 'split' | 'unknown';
  /** The deciding rule when every part was decided by the same rule. */
  decidedBy?: RuleRef | null;
  parts: FlowPart[];
  /** Every rule looked at, per NSG in path order. */
  examined: ExaminedRule[];
}

interface Atom {
  base: string;
  /** Which endpoint of the flow's list it comes from. */
  index: number;
  /** The tag this atom lies inside (for symbolic containment). */
  within?: string;
  /** Exact addresses, when known. */
  set?: IntervalSet;
  /** When `set` is unknown: a superset, and why it is unknown. */
  bound?: IntervalSet;
  unresolved?: string;
  asgIds?: Set<string>;
  /** True once a rule split it (the part's addresses are then listed). */
  piece: boolean;
}

interface SubFlow {
  src: Atom;
  srcPorts: IntervalSet;
  dst: Atom;
  dstPorts: IntervalSet;
}

type DimMatch<T> = { kind: 'none' } | { kind: 'full' } | { kind: 'partial'; matched: T; rest: T } | { kind: 'unknown'; reason: string };

function toAtom(e: Endpoint, index: number, res: AddressResolver): Atom {
  const atom: Atom = { base: e.label, index, within: e.tag, piece: false };
  if (e.asgIds) atom.asgIds = new Set(e.asgIds.map(canonicalId));
  if (e.prefixes) {
    let set = IntervalSet.EMPTY;
    for (const p of e.prefixes) {
      const parsed = parsePrefix(p);
      if (!parsed) {
        atom.bound = res.all;
        atom.unresolved = `${e.label}: ${JSON.stringify(p)} is not a valid IP address or CIDR`;
        return atom;
      }
      if (parsed.family === res.family) set = set.union(parsed.set);
    }
    atom.set = set;
    return atom;
  }
  if (e.tag) {
    const r = res.resolve(e.tag);
    if ('exact' in r) atom.set = r.exact;
    else {
      atom.bound = r.bound;
      atom.unresolved = r.reason;
    }
    return atom;
  }
  atom.bound = res.all;
  atom.unresolved = `the addresses of ${e.label} are not known`;
  return atom;
}

function piece(a: Atom, set: IntervalSet): Atom {
  return { base: a.base, index: a.index, within: a.within, set, asgIds: a.asgIds, piece: true };
}

function matchAddresses(atom: Atom, elements: readonly AddressElement[], res: AddressResolver): DimMatch<Atom> {
  let exact = IntervalSet.EMPTY;
  const unresolved: { bound: IntervalSet; reason: string }[] = [];
  for (const el of elements) {
    switch (el.kind) {
      case 'any':
        return { kind: 'full' };
      case 'prefix':
        if (el.family === res.family) exact = exact.union(el.set);
        break;
      case 'tag': {
        if (atom.within && tagContains(el.name, atom.within)) return { kind: 'full' };
        const r = el.expanded ? { exact: el.expanded[res.family] } : res.resolve(el.name);
        if ('exact' in r) exact = exact.union(r.exact);
        else unresolved.push(r);
        break;
      }
      case 'asg':
        if (atom.asgIds) {
          if (atom.asgIds.has(canonicalId(el.id))) return { kind: 'full' };
        } else {
          // ASG members are NICs of the virtual network: an address outside it can't be one.
          unresolved.push({ bound: res.vnetSpace() ?? res.all, reason: `whether ${atom.base} is a member of application security group ${el.text} is not known` });
        }
        break;
    }
  }
  if (atom.set) {
    const matched = atom.set.intersect(exact);
    const rest = atom.set.subtract(matched);
    for (const u of unresolved) if (rest.overlaps(u.bound)) return { kind: 'unknown', reason: u.reason };
    if (matched.isEmpty) return { kind: 'none' };
    if (rest.isEmpty) return { kind: 'full' };
    return { kind: 'partial', matched: piece(atom, matched), rest: piece(atom, rest) };
  }
  const bound = atom.bound as IntervalSet;
  if (exact.covers(bound)) return { kind: 'full' };
  if (!exact.overlaps(bound) && unresolved.every((u) => !u.bound.overlaps(bound))) return { kind: 'none' };
  return { kind: 'unknown', reason: atom.unresolved ?? `the addresses of ${atom.base} are not known` };
}

function matchPorts(flow: IntervalSet, rule: IntervalSet): DimMatch<IntervalSet> {
  const matched = flow.intersect(rule);
  if (matched.isEmpty) return { kind: 'none' };
  const rest = flow.subtract(matched);
  if (rest.isEmpty) return { kind: 'full' };
  return { kind: 'partial', matched, rest };
}

function ruleRef(nsg: ParsedNsg, level: NsgLevel, r: NsgRule): RuleRef {
  return { level, nsgId: nsg.id, nsgName: nsg.name, resourceGroup: nsg.resourceGroup, subscriptionId: nsg.subscriptionId, ruleName: r.name, priority: r.priority, isDefault: r.isDefault, access: r.access };
}

interface LevelResult {
  sf: SubFlow;
  access: PartAccess;
  rule: RuleRef | null;
  reason?: string;
  note?: string;
}

/**
 * When a rule matched through the VirtualNetwork tag addresses that lie outside the VNet's own and peered space,
 * it did so because Azure counts the subnet's user-defined route prefixes in VirtualNetwork — say so.
 */
function widenedVnetNote(rule: NsgRule, sf: SubFlow, res: AddressResolver): string | undefined {
  const routes = res.context.virtualNetwork?.routePrefixes ?? [];
  const own = res.vnetSpace();
  if (!routes.length || !own) return undefined;
  const viaTag = (els: readonly AddressElement[], a: Atom) => els.some((e) => e.kind === 'tag' && e.name.toLowerCase() === 'virtualnetwork') && (!a.set || !own.covers(a.set));
  if (!viaTag(rule.sources, sf.src) && !viaTag(rule.destinations, sf.dst)) return undefined;
  return `${rule.name} matched through VirtualNetwork, which here includes the subnet's user-defined route prefixes (${routes.join(', ')}): Azure counts UDR prefixes in VirtualNetwork, so the rule also covers addresses outside the virtual network`;
}

/** Every rule looked at, once per (level, rule), with the strongest outcome any part of the flow got from it. */
class Examined {
  readonly list: ExaminedRule[] = [];
  private readonly index: Record<NsgLevel, Map<NsgRule, { ref: RuleRef; e: ExaminedRule }>> = { subnet: new Map(), nic: new Map() };
  private static readonly RANK = { 'no-match': 0, partial: 1, matched: 2, unknown: 3 } as const;
  /** Notes the outcome and returns the rule's reference (built once). */
  note(nsg: ParsedNsg, level: NsgLevel, rule: NsgRule, outcome: ExaminedRule['outcome']): RuleRef {
    const seen = this.index[level].get(rule);
    if (!seen) {
      const ref = ruleRef(nsg, level, rule);
      const e: ExaminedRule = { ...ref, outcome };
      this.index[level].set(rule, { ref, e });
      this.list.push(e);
      return ref;
    }
    if (Examined.RANK[outcome] > Examined.RANK[seen.e.outcome]) seen.e.outcome = outcome;
    return seen.ref;
  }
}

/** Direction-filtered rule lists, computed once per parsed NSG. */
const byDirection = new WeakMap<ParsedNsg, Record<Direction, NsgRule[]>>();
function rulesOf(nsg: ParsedNsg, direction: Direction): NsgRule[] {
  let d = byDirection.get(nsg);
  if (!d) {
    d = { Inbound: nsg.rules.filter((r) => r.direction === 'Inbound'), Outbound: nsg.rules.filter((r) => r.direction === 'Outbound') };
    byDirection.set(nsg, d);
  }
  return d[direction];
}

function evaluateLevel(nsg: ParsedNsg, level: NsgLevel, flow: Flow, subflows: SubFlow[], res: AddressResolver, examined: Examined): LevelResult[] {
  if (nsg.problem) return subflows.map((sf) => ({ sf, access: 'unknown' as const, rule: null, reason: nsg.problem }));
  const rules = rulesOf(nsg, flow.direction);
  const out: LevelResult[] = [];
  const queue: { sf: SubFlow; from: number }[] = subflows.map((sf) => ({ sf, from: 0 }));
  while (queue.length) {
    const { sf, from } = queue.pop() as { sf: SubFlow; from: number };
    let decided = false;
    for (let i = from; i < rules.length && !decided; i++) {
      const rule = rules[i];
      // A rule whose protocol could be read and differs is skipped even when another field of it is broken.
      if (rule.protocol !== '*' && rule.protocol !== flow.protocol) {
        examined.note(nsg, level, rule, 'no-match');
        continue;
      }
      if (rule.problem) {
        const ref = examined.note(nsg, level, rule, 'unknown');
        out.push({ sf, access: 'unknown', rule: ref, reason: rule.problem });
        decided = true;
        break;
      }
      const dims = [
        matchAddresses(sf.src, rule.sources, res),
        matchPorts(sf.srcPorts, rule.sourcePorts),
        matchAddresses(sf.dst, rule.destinations, res),
        matchPorts(sf.dstPorts, rule.destinationPorts),
      ] as const;
      if (dims.some((d) => d.kind === 'none')) {
        examined.note(nsg, level, rule, 'no-match');
        continue;
      }
      const orig = [sf.src, sf.srcPorts, sf.dst, sf.dstPorts] as const;
      const matched: unknown[] = dims.map((d, k) => (d.kind === 'partial' ? d.matched : orig[k]));
      // The parts the rule does not cover carry on to the next rules: for each partial dimension k, the box with
      // dimensions before k restricted to the matched part, k to the rest, and the later ones whole.
      let partial = false;
      dims.forEach((d, k) => {
        if (d.kind !== 'partial') return;
        partial = true;
        const box = [...matched.slice(0, k), d.rest, ...orig.slice(k + 1)];
        queue.push({ sf: { src: box[0] as Atom, srcPorts: box[1] as IntervalSet, dst: box[2] as Atom, dstPorts: box[3] as IntervalSet }, from: i + 1 });
      });
      const unknown = dims.find((d) => d.kind === 'unknown') as { reason: string } | undefined;
      const ref = examined.note(nsg, level, rule, unknown ? 'unknown' : partial ? 'partial' : 'matched');
      const box: SubFlow = { src: matched[0] as Atom, srcPorts: matched[1] as IntervalSet, dst: matched[2] as Atom, dstPorts: matched[3] as IntervalSet };
      if (unknown) out.push({ sf: box, access: 'unknown', rule: ref, reason: `${unknown.reason} (needed to tell whether rule ${rule.name} applies)` });
      else {
        const note = widenedVnetNote(rule, box, res);
        out.push({ sf: box, access: rule.access === 'Allow' ? 'allow' : 'deny', rule: ref, ...(note ? { note } : {}) });
      }
      decided = true;
    }
    if (!decided) out.push({ sf, access: 'unknown', rule: null, reason: `no rule of NSG ${nsg.name} matched` });
  }
  return out;
}

function portsText(set: IntervalSet): string {
  if (set.ranges.length === 1 && set.ranges[0][0] === 0n && set.ranges[0][1] === 65535n) return '*';
  return set.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

function describe(a: Atom, family: IpFamily): { label: string; prefixes?: string[] } {
  if (!a.piece || !a.set) return { label: a.base };
  const cidrs = toCidrs(a.set, family);
  const shown = cidrs.length > 4 ? `${cidrs.slice(0, 4).join(', ')}, … (${cidrs.length} prefixes)` : cidrs.join(', ');
  return { label: `${a.base} [${shown}]`, prefixes: cidrs };
}

function asList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

/** Evaluates one flow against the NSGs on its path. Pure: the address context carries everything it reads. */
export function evaluateFlow(flow: Flow, path: NsgPath, addresses: AddressContext = {}): FlowVerdict {
  const family = flow.ipVersion ?? 4;
  const res = addressResolver(addresses, family);
  const examined = new Examined();
  const srcPorts = parsePorts([String(flow.sourcePorts ?? '*')]);
  const dstPorts = parsePorts([String(flow.destinationPorts)]);
  if (typeof srcPorts === 'string' || typeof dstPorts === 'string') {
    throw new Error(`flow ports are not valid: ${typeof srcPorts === 'string' ? srcPorts : dstPorts}`);
  }
  let pending: { sf: SubFlow; levels: LevelDecision[]; notes?: string[] }[] = [];
  asList(flow.source).forEach((s, i) => {
    asList(flow.destination).forEach((d, j) => pending.push({ sf: { src: toAtom(s, i, res), srcPorts, dst: toAtom(d, j, res), dstPorts }, levels: [] }));
  });
  const order: NsgLevel[] = flow.direction === 'Inbound' ? ['subnet', 'nic'] : ['nic', 'subnet'];
  const finished: { sf: SubFlow; levels: LevelDecision[]; access: PartAccess; reason?: string; notes?: string[] }[] = [];
  for (const level of order) {
    const nsg = path[level];
    if (nsg === undefined) continue;
    if (nsg === null) {
      for (const p of pending) p.levels.push({ level, nsgName: null, access: 'allow', rule: null });
      continue;
    }
    const next: typeof pending = [];
    for (const p of pending) {
      for (const r of evaluateLevel(nsg, level, flow, [p.sf], res, examined)) {
        const levels = [...p.levels, { level, nsgName: nsg.name, access: r.access, rule: r.rule }];
        const notes = r.note ? [...(p.notes ?? []), r.note] : p.notes;
        if (r.access === 'allow') next.push({ sf: r.sf, levels, notes });
        else finished.push({ sf: r.sf, levels, access: r.access, reason: r.reason, notes });
      }
    }
    pending = next;
  }
  for (const p of pending) finished.push({ ...p, access: 'allow' });

  const parts: FlowPart[] = finished.map((f) => {
    const src = describe(f.sf.src, family);
    const dst = describe(f.sf.dst, family);
    const withNsg = f.levels.filter((l) => l.rule);
    const part: FlowPart = {
      sourceIndex: f.sf.src.index,
      destinationIndex: f.sf.dst.index,
      source: src.label,
      sourcePorts: portsText(f.sf.srcPorts),
      destination: dst.label,
      destinationPorts: portsText(f.sf.dstPorts),
      access: f.access,
      decidedBy: withNsg.length ? (withNsg[withNsg.length - 1].rule as RuleRef) : null,
      levels: f.levels,
    };
    if (src.prefixes) part.sourcePrefixes = src.prefixes;
    if (f.sf.src.within) part.sourceTag = f.sf.src.within;
    if (dst.prefixes) part.destinationPrefixes = dst.prefixes;
    if (f.sf.dst.within) part.destinationTag = f.sf.dst.within;
    if (f.notes?.length) part.notes = f.notes;
    if (f.reason) part.reason = f.reason;
    else if (!part.decidedBy) part.reason = 'no NSG on the path';
    return part;
  });
  const kinds = new Set(parts.map((p) => p.access));
  const verdict: FlowVerdict['verdict'] = kinds.size === 1 ? ([...kinds][0] as PartAccess) : 'split';
  const out: FlowVerdict = { verdict, parts, examined: examined.list };
  const refs = new Set(parts.map((p) => (p.decidedBy ? `${p.decidedBy.nsgId}|${p.decidedBy.level}|${p.decidedBy.ruleName}` : 'none')));
  if (refs.size === 1) out.decidedBy = parts[0]?.decidedBy ?? null;
  return out;
}

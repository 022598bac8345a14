// NSG security rules as Azure returns them (ARM/Resource Graph `properties.securityRules[]`, the SDK's flattened
// objects, and the effective-rules API's `effectiveSecurityRules[]`) parsed into one checked shape. Anything the
// evaluator cannot read faithfully is kept with a `problem`, so a flow that reaches it is `unknown`, never a guess.
import { arr, inner, obj } from '../arm-json';
import { IntervalSet } from './intervals';
import { parsePrefix, type IpFamily } from './cidr';

export type Direction = 'Inbound' | 'Outbound';
export type Access = 'Allow' | 'Deny';
/** ARM `SecurityRuleProtocol`; `*` also stands for the effective-rules API's `All` and the portal's `Any`. */
export type RuleProtocol = 'Tcp' | 'Udp' | 'Icmp' | 'Esp' | 'Ah' | '*';
export type FlowProtocol = Exclude<RuleProtocol, '*'>;

export type AddressElement =
  | { kind: 'any'; text: string }
  | { kind: 'prefix'; text: string; family: IpFamily; set: IntervalSet }
  /** A service tag (VirtualNetwork, Internet, AzureMachineLearning, Storage.EastUS2, …); `expanded` when the API gave its prefixes. */
  | { kind: 'tag'; text: string; name: string; expanded?: Record<IpFamily, IntervalSet> }
  | { kind: 'asg'; text: string; id: string };

export interface NsgRule {
  name: string;
  priority: number;
  direction: Direction;
  access: Access;
  protocol: RuleProtocol;
  sourcePorts: IntervalSet;
  destinationPorts: IntervalSet;
  sources: AddressElement[];
  destinations: AddressElement[];
  isDefault: boolean;
  /** Why this rule cannot be evaluated (bad CIDR, unknown protocol, …); a flow that reaches it is unknown. */
  problem?: string;
  /** The rule's port/prefix fields as written, for remediation (editing the rule keeps everything else). */
  written: { destinationPorts: string[]; sourcePorts: string[]; sources: string[]; destinations: string[] };
}

export interface ParsedNsg {
  id: string;
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  /** Every rule, both directions, sorted by priority. */
  rules: NsgRule[];
  /** Why the NSG as a whole cannot be evaluated (a rule without a priority, two rules sharing one). */
  problem?: string;
  /** True when some of Azure's six default rules were not in the data and were added (Azure cannot delete them). */
  defaultsAdded: boolean;
}

export const ALL_PORTS = IntervalSet.range(0n, 65535n);

/** Parses `*`, `80`, `1000-2000` (one element of a port list). */
export function parsePortRange(text: string): IntervalSet | null {
  const t = text.trim();
  if (t === '*' || t.toLowerCase() === 'any') return ALL_PORTS;
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || lo > hi) return null;
  return IntervalSet.range(BigInt(lo), BigInt(hi));
}

/** Parses a port list (singular and plural fields merged, comma lists allowed). */
export function parsePorts(items: string[]): IntervalSet | string {
  if (items.length === 0) return 'no port range';
  let set = IntervalSet.EMPTY;
  for (const item of items.flatMap((s) => s.split(','))) {
    const r = parsePortRange(item);
    if (!r) return `port range ${JSON.stringify(item)} is not valid`;
    set = set.union(r);
  }
  return set;
}

const ANY_PREFIX = new Set(['*', 'any']);

export function parseAddressElement(text: string, expanded?: unknown): AddressElement | string {
  const t = text.trim();
  if (ANY_PREFIX.has(t.toLowerCase())) return { kind: 'any', text: t };
  // Service tags start with a letter and never hold ':'; addresses start with a digit (IPv4) or hold ':' (IPv6).
  if (/^\d/.test(t) || t.includes(':')) {
    const p = parsePrefix(t);
    if (!p) return `address prefix ${JSON.stringify(t)} is not a valid IP address or CIDR`;
    return { kind: 'prefix', text: t, family: p.family, set: p.set };
  }
  if (/^[A-Za-z][A-Za-z0-9_.-]*$/.test(t)) {
    const el: AddressElement = { kind: 'tag', text: t, name: t };
    if (Array.isArray(expanded) && expanded.length > 0) {
      const sets: Record<IpFamily, IntervalSet> = { 4: IntervalSet.EMPTY, 6: IntervalSet.EMPTY };
      for (const e of expanded) {
        const p = typeof e === 'string' ? parsePrefix(e) : null;
        if (!p) return `expanded prefix ${JSON.stringify(e)} of ${t} is not a valid CIDR`;
        sets[p.family] = sets[p.family].union(p.set);
      }
      el.expanded = sets;
    }
    return el;
  }
  return `address ${JSON.stringify(t)} is neither a prefix nor a service tag`;
}

const PROTOCOLS: Record<string, RuleProtocol> = { tcp: 'Tcp', udp: 'Udp', icmp: 'Icmp', esp: 'Esp', ah: 'Ah', '*': '*', all: '*', any: '*' };

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function strList(single: unknown, plural: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(plural)) for (const v of plural) if (typeof v === 'string' && v.trim() !== '') out.push(v);
  if (out.length === 0 && typeof single === 'string' && single.trim() !== '') out.push(single);
  return out;
}
function asgIds(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((a) => str(obj(a).id)).filter((x): x is string => !!x);
}

/** Priority as a number, or null when missing/not an integer. */
function priorityOf(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * One rule from any of Azure's shapes: `{name, properties:{…}}` (ARM, Graph), the SDK's flattened object, or an
 * effective rule (`name: "securityRules/x" | "defaultSecurityRules/x"`, `protocol: "All"`, `expanded…Prefix`).
 * Returns null priority when the rule has none (the caller decides what that means for the NSG).
 */
export function parseRule(raw: unknown, defaultFromList: boolean): { rule: NsgRule; priorityMissing: boolean; directionMissing: boolean } {
  const o = obj(raw);
  const p = inner(raw);
  let name = str(o.name) ?? '(unnamed rule)';
  let isDefault = defaultFromList;
  if (name.startsWith('defaultSecurityRules/')) {
    isDefault = true;
    name = name.slice('defaultSecurityRules/'.length);
  } else if (name.startsWith('securityRules/')) name = name.slice('securityRules/'.length);
  const problems: string[] = [];

  const priority = priorityOf(p.priority);
  const dirText = str(p.direction)?.toLowerCase();
  const direction: Direction | undefined = dirText === 'inbound' ? 'Inbound' : dirText === 'outbound' ? 'Outbound' : undefined;
  if (!direction) problems.push(`direction ${JSON.stringify(p.direction ?? null)} is not Inbound or Outbound`);
  const accText = str(p.access)?.toLowerCase();
  const access: Access | undefined = accText === 'allow' ? 'Allow' : accText === 'deny' ? 'Deny' : undefined;
  if (!access) problems.push(`access ${JSON.stringify(p.access ?? null)} is not Allow or Deny`);
  const protocol = PROTOCOLS[(str(p.protocol) ?? '').toLowerCase()];
  if (!protocol) problems.push(`protocol ${JSON.stringify(p.protocol ?? null)} is not one of Tcp, Udp, Icmp, Esp, Ah, *`);

  const ports = (single: unknown, plural: unknown, what: string): { set: IntervalSet; written: string[] } => {
    const written = strList(single, plural);
    const set = parsePorts(written);
    if (typeof set === 'string') {
      problems.push(`${what}: ${set}`);
      return { set: IntervalSet.EMPTY, written };
    }
    return { set, written };
  };
  const sp = ports(p.sourcePortRange, p.sourcePortRanges, 'source port');
  const dp = ports(p.destinationPortRange, p.destinationPortRanges, 'destination port');

  const addresses = (single: unknown, plural: unknown, asgs: unknown, expanded: unknown, what: string): { els: AddressElement[]; written: string[] } => {
    const written = strList(single, plural);
    const ids = asgIds(asgs);
    const els: AddressElement[] = ids.map((id) => ({ kind: 'asg' as const, text: id.split('/').pop() ?? id, id }));
    // The effective-rules API expands a tag into `expanded…AddressPrefix`; keep the tag and its expansion.
    for (const w of written) {
      const el = parseAddressElement(w, written.length === 1 ? expanded : undefined);
      if (typeof el === 'string') problems.push(`${what}: ${el}`);
      else els.push(el);
    }
    if (els.length === 0 && !problems.some((x) => x.startsWith(what))) problems.push(`${what}: no address prefix or application security group`);
    return { els, written: ids.length ? ids : written };
  };
  const src = addresses(p.sourceAddressPrefix, p.sourceAddressPrefixes, p.sourceApplicationSecurityGroups, p.expandedSourceAddressPrefix, 'source');
  const dst = addresses(p.destinationAddressPrefix, p.destinationAddressPrefixes, p.destinationApplicationSecurityGroups, p.expandedDestinationAddressPrefix, 'destination');

  const rule: NsgRule = {
    name,
    priority: priority ?? -1,
    direction: direction ?? 'Inbound',
    access: access ?? 'Deny',
    protocol: protocol ?? '*',
    sourcePorts: sp.set,
    destinationPorts: dp.set,
    sources: src.els,
    destinations: dst.els,
    isDefault,
    written: { sourcePorts: sp.written, destinationPorts: dp.written, sources: src.written, destinations: dst.written },
  };
  if (problems.length) rule.problem = `rule ${name}: ${problems.join('; ')}`;
  return { rule, priorityMissing: priority === null, directionMissing: !direction };
}

interface DefaultRuleSpec {
  name: string;
  priority: number;
  direction: Direction;
  access: Access;
  source: string;
  destination: string;
}

/** Azure's default rules (network-security-groups-overview: "Default security rules"); they can't be deleted. */
export const DEFAULT_RULES: readonly DefaultRuleSpec[] = [
  { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', source: 'VirtualNetwork', destination: 'VirtualNetwork' },
  { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', source: 'AzureLoadBalancer', destination: '*' },
  { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', source: '*', destination: '*' },
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', source: 'VirtualNetwork', destination: 'VirtualNetwork' },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', source: '*', destination: 'Internet' },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', source: '*', destination: '*' },
];

function defaultRule(spec: DefaultRuleSpec): NsgRule {
  return parseRule(
    {
      name: spec.name,
      properties: { protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: spec.source, destinationAddressPrefix: spec.destination, access: spec.access, priority: spec.priority, direction: spec.direction },
    },
    true,
  ).rule;
}

/** Parts of an ARM id: `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`. */
export function armIdParts(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const seg = id.split('/');
  const at = (key: string) => {
    const i = seg.findIndex((s) => s.toLowerCase() === key);
    return i >= 0 ? (seg[i + 1] ?? '') : '';
  };
  return { subscriptionId: at('subscriptions'), resourceGroup: at('resourcegroups'), name: seg[seg.length - 1] ?? '' };
}

function finish(id: string, name: string, parsed: { rule: NsgRule; priorityMissing: boolean; directionMissing: boolean }[]): ParsedNsg {
  const parts = armIdParts(id);
  const problems: string[] = [];
  const rules: NsgRule[] = [];
  for (const { rule, priorityMissing, directionMissing } of parsed) {
    if (priorityMissing) {
      problems.push(`rule ${rule.name} has no valid priority, so the order of evaluation is unknown`);
      continue;
    }
    if (directionMissing) {
      // Unknown direction: it may sit in either list, so it makes both directions unknown where reached.
      rules.push({ ...rule, direction: 'Inbound' }, { ...rule, direction: 'Outbound' });
    } else rules.push(rule);
  }
  const seen = new Map<string, string>();
  for (const r of rules) {
    const key = `${r.direction}:${r.priority}`;
    const other = seen.get(key);
    if (other !== undefined && other !== r.name) problems.push(`rules ${other} and ${r.name} share ${r.direction} priority ${r.priority}`);
    seen.set(key, r.name);
  }
  const lacking = DEFAULT_RULES.filter((spec) => !rules.some((r) => r.isDefault && r.direction === spec.direction && r.name.toLowerCase() === spec.name.toLowerCase()));
  for (const spec of lacking) rules.push(defaultRule(spec));
  const defaultsAdded = lacking.length > 0;
  rules.sort((a, b) => a.priority - b.priority);
  const nsg: ParsedNsg = { id, name: name || parts.name, resourceGroup: parts.resourceGroup, subscriptionId: parts.subscriptionId, rules, defaultsAdded };
  if (problems.length) nsg.problem = `NSG ${nsg.name}: ${problems.join('; ')}`;
  return nsg;
}

/** An NSG resource as ARM, Resource Graph or the SDK return it. */
export function parseNsg(raw: unknown): ParsedNsg {
  const o = obj(raw);
  const p = inner(raw);
  const id = str(o.id) ?? '';
  const custom = Array.isArray(p.securityRules) ? p.securityRules : [];
  const defaults = Array.isArray(p.defaultSecurityRules) ? p.defaultSecurityRules : [];
  const parsed = [...custom.map((r) => parseRule(r, false)), ...defaults.map((r) => parseRule(r, true))];
  const nsg = finish(id, str(o.name) ?? '', parsed);
  // ARM, Graph and the SDK always carry the list (empty when there are no user rules): without it, rules are unknown.
  if (!Array.isArray(p.securityRules)) {
    nsg.problem = `${nsg.problem ? `${nsg.problem}; ` : ''}NSG ${nsg.name || id}: securityRules is ${p.securityRules === undefined ? 'missing' : 'not a list'}`;
  }
  return nsg;
}

/** One entry of `effectiveNetworkSecurityGroups` (`{networkSecurityGroup:{id}, effectiveSecurityRules:[…]}`). */
export function parseEffectiveNsg(entry: unknown): ParsedNsg {
  const o = obj(entry);
  const id = str(obj(o.networkSecurityGroup).id) ?? '';
  const rules = arr(o.effectiveSecurityRules);
  return finish(id, armIdParts(id).name, rules.map((r) => parseRule(r, false)));
}

// Randomized differential test: 10,000 random rule sets and flows; the evaluator (which splits address and port
// sets symbolically) against a deliberately simple reference written here from Azure's documented semantics, which
// walks every concrete (source IP, source port, destination IP, destination port) of the flow one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFlow, parseNsg, type AddressContext, type Flow, type FlowPart } from '../../shared/nsg';
// A seeded PRNG, so a failure is reproducible from its case number.
import { mulberry32 } from '../../sandbox/random';

// ── Reference: plain numbers, one packet at a time.
const ip = (s: string): number => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
function inCidr(addr: number, cidr: string): boolean {
  const [a, l] = cidr.split('/');
  const len = l === undefined ? 32 : Number(l);
  const size = 2 ** (32 - len);
  const base = Math.floor(ip(a) / size) * size;
  return addr >= base && addr < base + size;
}
const SPECIAL = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3'];
const PROBE = ip('168.63.129.16');

interface World {
  vnet: string[];
  peered: string[];
  routes: string[];
  tags: Record<string, string[]>;
}
function refInTag(addr: number, tagName: string, w: World): boolean {
  const t = tagName.toLowerCase();
  const inVnet = [...w.vnet, ...w.peered].some((c) => inCidr(addr, c));
  if (t === 'virtualnetwork') return inVnet || w.routes.some((c) => inCidr(addr, c));
  if (t === 'azureloadbalancer') return addr === PROBE;
  if (t === 'internet') return !SPECIAL.some((c) => inCidr(addr, c)) && !inVnet && addr !== PROBE;
  const entry = Object.entries(w.tags).find(([k]) => k.toLowerCase() === t);
  return !!entry && entry[1].some((c) => inCidr(addr, c));
}
function refAddrMatch(addr: number, asgs: string[], written: string | string[] | undefined, ruleAsgs: string[] | undefined, w: World): boolean {
  if (ruleAsgs) return ruleAsgs.some((a) => asgs.includes(a));
  const list = Array.isArray(written) ? written : [written as string];
  return list.some((x) => x === '*' || x.toLowerCase() === 'any' || (/^\d/.test(x) ? inCidr(addr, x) : refInTag(addr, x, w)));
}
function refPortMatch(port: number, written: string | string[]): boolean {
  const list = (Array.isArray(written) ? written : [written]).flatMap((s) => s.split(','));
  return list.some((x) => {
    if (x === '*') return true;
    const [lo, hi] = x.split('-').map(Number);
    return port >= lo && port <= (hi ?? lo);
  });
}
const REF_DEFAULTS = [
  { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'VirtualNetwork' },
  { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: 'AzureLoadBalancer', destinationAddressPrefix: '*' },
  { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*' },
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'VirtualNetwork' },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet' },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*' },
];
type P = Record<string, unknown> & { name: string; priority: number; direction: string; access: string; protocol: string };
interface Packet {
  dir: 'Inbound' | 'Outbound';
  proto: string;
  src: number;
  sport: number;
  dst: number;
  dport: number;
  srcAsgs: string[];
  dstAsgs: string[];
}
/** 'Allow' | 'Deny' and the deciding rule name, for one NSG. */
function refNsg(rules: P[], p: Packet, w: World): [string, string] {
  const all = [...rules, ...REF_DEFAULTS].filter((r) => r.direction === p.dir).sort((a, b) => a.priority - b.priority);
  for (const r of all) {
    if (r.protocol !== '*' && r.protocol.toLowerCase() !== p.proto.toLowerCase()) continue;
    const q = r as unknown as Record<string, never>;
    if (!refAddrMatch(p.src, p.srcAsgs, q.sourceAddressPrefixes ?? q.sourceAddressPrefix, (q.sourceApplicationSecurityGroups as { id: string }[] | undefined)?.map((a) => a.id), w)) continue;
    if (!refAddrMatch(p.dst, p.dstAsgs, q.destinationAddressPrefixes ?? q.destinationAddressPrefix, (q.destinationApplicationSecurityGroups as { id: string }[] | undefined)?.map((a) => a.id), w)) continue;
    if (!refPortMatch(p.sport, q.sourcePortRanges ?? q.sourcePortRange)) continue;
    if (!refPortMatch(p.dport, q.destinationPortRanges ?? q.destinationPortRange)) continue;
    return [r.access, r.name];
  }
  throw new Error('reference: no rule matched');
}
function refPath(subnet: P[] | null, nic: P[] | null, p: Packet, w: World): [string, string | null] {
  const order = p.dir === 'Inbound' ? [subnet, nic] : [nic, subnet];
  let last: string | null = null;
  for (const rules of order) {
    if (!rules) continue;
    const [access, name] = refNsg(rules, p, w);
    if (access === 'Deny') return ['deny', name];
    last = name;
  }
  return ['allow', last];
}

// ── Random worlds, rules and flows.
const BASES = ['10.0.0.0', '10.0.1.0', '198.51.100.0', '203.0.113.0', '168.63.129.0', '192.168.7.0'];
const PROTOCOLS = ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*'];
const PORT_POOL = [0, 1, 2, 3, 22, 443, 6005, 6006, 6007, 65535];

function generate(r: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const direction: 'Inbound' | 'Outbound' = r() < 0.5 ? 'Inbound' : 'Outbound';
  const protocol = pick(['Tcp', 'Tcp', 'Udp', 'Icmp', 'Esp', 'Ah'] as const);
  const hostAsgs = ['asg1', 'asg2'].filter(() => r() < 0.5);
  const hostIp = `10.0.0.${int(1, 250)}`;
  // The host side of a rule: mostly prefixes that hold the host, sometimes ones that don't.
  const hostSide = (): string | string[] => pick(['*', 'VirtualNetwork', '10.0.0.0/24', `${hostIp}/32`, '10.0.0.0/25', '10.0.0.128/25', 'Internet', [`${hostIp}`, '192.168.7.0/24']]);
  // The flow's remote end is drawn first so rules can be drawn around it (partial overlaps are the point).
  const remoteBase = ip(pick(BASES)) + int(0, 255);
  const remoteLen = pick([27, 28, 29, 30, 32]);
  const randCidr = (): string => {
    const base = r() < 0.8 ? remoteBase + int(-16, 16) : ip(pick(BASES)) + int(0, 255);
    const len = pick([22, 24, 26, 28, 29, 29, 30, 30, 31, 32]);
    const size = 2 ** (32 - len);
    const b = Math.floor(base / size) * size;
    return `${[24, 16, 8, 0].map((s) => (b >>> s) & 255).join('.')}/${len}`;
  };
  const randPort = (): string => {
    const k = r();
    if (k < 0.25) return '*';
    const a = pick(PORT_POOL);
    if (k < 0.6) return String(a);
    const b = pick(PORT_POOL);
    return `${Math.min(a, b)}-${Math.max(a, b)}`;
  };
  const randAddr = (): string | string[] => {
    const k = r();
    if (k < 0.12) return pick(['*', 'Any', '0.0.0.0/0']);
    if (k < 0.35) return pick(['VirtualNetwork', 'Internet', 'AzureLoadBalancer', 'SvcA', 'svca', 'SvcA.Region1']);
    if (k < 0.5) return [randCidr(), randCidr()];
    return randCidr();
  };
  const world: World = {
    vnet: ['10.0.0.0/24'],
    peered: r() < 0.4 ? ['10.0.1.0/25'] : [],
    routes: r() < 0.3 ? [pick(['0.0.0.0/0', '203.0.113.0/28', '198.51.100.128/25'])] : [],
    tags: { SvcA: ['198.51.100.0/26', '203.0.113.64/27'], 'SvcA.Region1': ['198.51.100.0/27'] },
  };
  const randRules = (): P[] => {
    const n = int(1, 8);
    const used = new Set<number>();
    const rules: P[] = [];
    for (let i = 0; i < n; i++) {
      let priority = int(100, 140);
      while (used.has(priority)) priority++;
      used.add(priority);
      const other = direction === 'Inbound' ? 'Outbound' : 'Inbound';
      const proto = r() < 0.35 ? '*' : r() < 0.5 ? protocol : pick(PROTOCOLS);
      const rule: P = { name: `r${i}`, priority, direction: r() < 0.75 ? direction : other, access: r() < 0.5 ? 'Allow' : 'Deny', protocol: proto };
      const towardHost = (rule.direction === 'Inbound') === (direction === 'Inbound');
      const src = towardHost && direction === 'Outbound' ? hostSide() : towardHost ? randAddr() : r() < 0.5 ? hostSide() : randAddr();
      const dst = towardHost && direction === 'Inbound' ? hostSide() : towardHost ? randAddr() : r() < 0.5 ? hostSide() : randAddr();
      if (Array.isArray(src)) rule.sourceAddressPrefixes = src;
      else rule.sourceAddressPrefix = src;
      if (r() < 0.1) {
        delete rule.destinationAddressPrefix;
        rule.destinationApplicationSecurityGroups = [{ id: pick(['asg1', 'asg2']) }];
      } else if (Array.isArray(dst)) rule.destinationAddressPrefixes = dst;
      else rule.destinationAddressPrefix = dst;
      if (rule.direction === 'Outbound' && r() < 0.1) {
        delete rule.sourceAddressPrefix;
        delete rule.sourceAddressPrefixes;
        rule.sourceApplicationSecurityGroups = [{ id: pick(['asg1', 'asg2']) }];
      }
      if (r() < 0.2) rule.sourcePortRanges = [randPort(), randPort()];
      else rule.sourcePortRange = r() < 0.7 ? '*' : randPort();
      if (r() < 0.3) rule.destinationPortRanges = [randPort(), randPort()];
      else rule.destinationPortRange = randPort();
      rules.push(rule);
    }
    return rules;
  };
  const subnet = r() < 0.85 ? randRules() : null;
  const nic = r() < 0.6 ? randRules() : null;
  const size = 2 ** (32 - remoteLen);
  const rb = Math.floor(remoteBase / size) * size;
  const remote = `${[24, 16, 8, 0].map((s) => (rb >>> s) & 255).join('.')}/${remoteLen}`;
  const p1 = int(0, 7);
  const sports = r() < 0.5 ? `${PORT_POOL[p1]}` : `${PORT_POOL[p1]}-${PORT_POOL[p1] + int(0, 2)}`;
  const dp = pick(PORT_POOL);
  const dports = r() < 0.6 ? `${dp}` : `${dp}-${Math.min(65535, dp + int(1, 2))}`;
  return { world, subnet, nic, direction, protocol, hostAsgs, hostIp, remote, sports, dports };
}

function expand(ports: string): number[] {
  const out: number[] = [];
  for (const x of ports.split(',')) {
    const [lo, hi] = x.split('-').map(Number);
    for (let p = lo; p <= (hi ?? lo); p++) out.push(p);
  }
  return out;
}
function addresses(cidr: string): number[] {
  const [a, l] = cidr.split('/');
  const size = 2 ** (32 - Number(l ?? 32));
  return Array.from({ length: size }, (_, i) => ip(a) + i);
}
function partHas(part: FlowPart, side: 'source' | 'destination', addr: number, whole: string): boolean {
  const prefixes = side === 'source' ? part.sourcePrefixes : part.destinationPrefixes;
  return (prefixes ?? [whole]).some((c) => inCidr(addr, c));
}
function portIn(text: string, port: number): boolean {
  return text === '*' || refPortMatch(port, text.split(','));
}

const CASES = 10_000;

test(`differential: ${CASES} random rule sets and flows agree with the per-packet reference`, () => {
  const disagreements: string[] = [];
  let packets = 0;
  let splits = 0;
  let multiPart = 0;
  for (let i = 0; i < CASES && disagreements.length < 5; i++) {
    const g = generate(mulberry32(i + 1));
    const id = (n: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/${n}`;
    const asArm = (rules: P[]) => rules.map(({ name, ...props }) => ({ name, properties: props }));
    const subnet = g.subnet ? parseNsg({ id: id('sub'), name: 'sub', properties: { securityRules: asArm(g.subnet) } }) : null;
    const nic = g.nic ? parseNsg({ id: id('nic'), name: 'nic', properties: { securityRules: asArm(g.nic) } }) : null;
    const ctx: AddressContext = {
      virtualNetwork: { addressSpace: g.world.vnet, peeredAddressSpace: g.world.peered, routePrefixes: g.world.routes },
      serviceTags: Object.entries(g.world.tags).map(([name, addressPrefixes]) => ({ name, properties: { addressPrefixes } })),
    };
    const host = { label: 'host', prefixes: [g.hostIp], asgIds: g.hostAsgs };
    // The remote end is in no ASG (the reference says so too); the host's memberships are known.
    const remote = { label: 'remote', prefixes: [g.remote], asgIds: [] };
    const inbound = g.direction === 'Inbound';
    const flow: Flow = { direction: g.direction, protocol: g.protocol, source: inbound ? remote : host, destination: inbound ? host : remote, sourcePorts: g.sports, destinationPorts: g.dports };
    const v = evaluateFlow(flow, { subnet, nic }, ctx);
    if (v.verdict === 'split') splits++;
    if (v.parts.length > 1) multiPart++;
    const srcWhole = inbound ? g.remote : `${g.hostIp}/32`;
    const dstWhole = inbound ? `${g.hostIp}/32` : g.remote;
    packetLoop: for (const s of addresses(srcWhole)) {
      for (const sp of expand(g.sports)) {
        for (const d of addresses(dstWhole)) {
          for (const dpt of expand(g.dports)) {
            packets++;
            const pkt: Packet = { dir: g.direction, proto: g.protocol, src: s, sport: sp, dst: d, dport: dpt, srcAsgs: inbound ? [] : g.hostAsgs, dstAsgs: inbound ? g.hostAsgs : [] };
            const [want, wantRule] = refPath(g.subnet, g.nic, pkt, g.world);
            const parts = v.parts.filter((p) => partHas(p, 'source', s, srcWhole) && partHas(p, 'destination', d, dstWhole) && portIn(p.sourcePorts, sp) && portIn(p.destinationPorts, dpt));
            const got = parts.length === 1 ? [parts[0].access, parts[0].decidedBy?.ruleName ?? null] : [`${parts.length} parts`, null];
            if (got[0] !== want || got[1] !== wantRule) {
              disagreements.push(`case ${i + 1}: packet ${s}:${sp}→${d}:${dpt} ${g.direction} ${g.protocol}: evaluator ${got.join('/')} reference ${want}/${wantRule}\n${JSON.stringify(g)}`);
              break packetLoop;
            }
          }
        }
      }
    }
  }
  assert.deepEqual(disagreements, []);
  assert.ok(multiPart > CASES / 10, `the generator exercises partial matches (${multiPart} flows split into parts)`);
  assert.ok(splits > CASES / 100, `the generator exercises split verdicts (${splits})`);
  assert.ok(packets > CASES, `packets checked: ${packets}`);
});

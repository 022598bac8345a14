// Conformance table: flow + NSGs → verdict + deciding rule, each case pinning one documented Azure behaviour.
// Sources: network-security-groups-overview (NSG-OV), network-security-group-how-it-works (HOW), service-tags-overview
// (TAGS), IP flow verify (IPFV), the REST examples in shared/fixtures (FIX), research/anchors.md §2 (ANCH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateFlow, parseEffectiveNsg, parseNsg, type AddressContext, type Endpoint, type Flow, type ParsedNsg } from '../../shared/nsg';

function fixture(name: string): { parameters: Record<string, unknown>; responses: Record<string, { body: unknown }> } {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));
}

const SUB = '00000000-0000-0000-0000-0000000000aa';
type R = Record<string, unknown>;

/** A security rule in ARM's shape. */
function rule(name: string, priority: number | undefined, direction: string, access: string, protocol: string, src: string | string[], dstPort: string | string[], extra: R = {}): R {
  const p: R = { protocol, sourcePortRange: '*', destinationAddressPrefix: '*', access, direction, ...(priority === undefined ? {} : { priority }) };
  if (Array.isArray(src)) p.sourceAddressPrefixes = src;
  else p.sourceAddressPrefix = src;
  if (Array.isArray(dstPort)) p.destinationPortRanges = dstPort;
  else p.destinationPortRange = dstPort;
  return { name, properties: { ...p, ...extra } };
}
const inAllow = (name: string, pri: number, src: string | string[], port: string | string[], proto = 'Tcp', extra: R = {}) => rule(name, pri, 'Inbound', 'Allow', proto, src, port, extra);
const inDeny = (name: string, pri: number, src: string | string[], port: string | string[], proto = 'Tcp', extra: R = {}) => rule(name, pri, 'Inbound', 'Deny', proto, src, port, extra);
const outRule = (name: string, pri: number, access: string, dst: string, port: string, proto = 'Tcp', extra: R = {}) =>
  rule(name, pri, 'Outbound', access, proto, '*', port, { destinationAddressPrefix: dst, ...extra });

function nsg(name: string, rules: R[]): ParsedNsg {
  return parseNsg({ id: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/${name}`, name, properties: { securityRules: rules } });
}

const HOST: Endpoint = { label: 'host', prefixes: ['10.1.0.4'], asgIds: [] };
const VNET: AddressContext = { virtualNetwork: { addressSpace: ['10.1.0.0/16'] } };
const TAGS: AddressContext = {
  virtualNetwork: { addressSpace: ['10.1.0.0/16'] },
  serviceTags: [
    { name: 'AzureMachineLearning', properties: { addressPrefixes: ['20.36.106.80/28', '40.78.0.0/24', '2603:1000::/64'] } },
    { name: 'AzureCloud', properties: { addressPrefixes: ['20.0.0.0/8', '40.0.0.0/8', '2603::/16'] } },
    { name: 'Storage', properties: { addressPrefixes: ['52.0.0.0/16', '52.1.0.0/16'] } },
    { name: 'Storage.EastUS2', properties: { addressPrefixes: ['52.1.0.0/16'] } },
  ],
};
const tag = (t: string): Endpoint => ({ label: t, tag: t });
const cidr = (...p: string[]): Endpoint => ({ label: p.join(','), prefixes: p });

interface Case {
  name: string;
  pins: string;
  subnet?: ParsedNsg | null;
  nic?: ParsedNsg | null;
  flow: Partial<Flow>;
  ctx?: AddressContext;
  verdict: 'allow' | 'deny' | 'split' | 'unknown';
  /** Deciding rule name (null: no NSG decided); omit when parts are checked instead. */
  rule?: string | null;
  priority?: number;
  level?: 'subnet' | 'nic';
  isDefault?: boolean;
  /** [substring of the part's source or ports, access, deciding rule] for split verdicts. */
  parts?: [string, 'allow' | 'deny' | 'unknown', string | null][];
  reason?: RegExp;
  /** A note the verdict must carry (why a rule matched). */
  explains?: RegExp;
  examined?: (names: string[]) => void;
}

const inbound = (source: Endpoint | Endpoint[], port: string | number, protocol: Flow['protocol'] = 'Tcp', x: Partial<Flow> = {}): Partial<Flow> => ({ direction: 'Inbound', protocol, source, destination: HOST, destinationPorts: port, ...x });
const outbound = (dest: Endpoint | Endpoint[], port: string | number, protocol: Flow['protocol'] = 'Tcp', x: Partial<Flow> = {}): Partial<Flow> => ({ direction: 'Outbound', protocol, source: HOST, destination: dest, destinationPorts: port, ...x });

const nsgGet = parseNsg(fixture('NetworkSecurityGroupGet.json').responses['200'].body);
const effective = parseEffectiveNsg((fixture('NetworkInterfaceEffectiveNSGList.json').responses['200'].body as { value: unknown[] }).value[0]);
const ipfv = fixture('NetworkWatcherIpFlowVerify.json');
const ipfvParams = ipfv.parameters.parameters as { direction: string; protocol: string; localPort: string; remotePort: string; localIPAddress: string; remoteIPAddress: string };
const ipfvAnswer = ipfv.responses['200'].body as { access: string; ruleName: string };

const empty = nsg('empty', []);

const cases: Case[] = [
  // ── Priorities and first match (NSG-OV "Security rules": lower number first; processing stops at the first match)
  { name: 'allow at 100 beats deny at 200', pins: 'NSG-OV: priority order, first match wins', subnet: nsg('a', [inAllow('allow', 100, '*', '6006'), inDeny('deny', 200, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'allow', priority: 100 },
  { name: 'deny at 100 beats allow at 200', pins: 'NSG-OV: first match wins', subnet: nsg('a', [inAllow('allow', 200, '*', '6006'), inDeny('deny', 100, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'deny', priority: 100 },
  { name: 'JSON order does not matter, priority does', pins: 'NSG-OV: rules processed in priority order', subnet: nsg('a', [inDeny('deny', 300, '*', '*'), inAllow('allow', 299, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'allow' },
  { name: 'no custom rule: Internet inbound hits DenyAllInBound', pins: 'NSG-OV default rules: DenyAllInbound 65500', subnet: empty, flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'DenyAllInBound', priority: 65500, isDefault: true },
  { name: 'no custom rule: VirtualNetwork inbound hits AllowVnetInBound', pins: 'NSG-OV default rules: AllowVNetInBound 65000', subnet: empty, flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowVnetInBound', priority: 65000, isDefault: true },
  { name: 'no custom rule: AzureLoadBalancer inbound hits AllowAzureLoadBalancerInBound', pins: 'NSG-OV default rules: AllowAzureLoadBalancerInBound 65001', subnet: empty, flow: inbound(tag('AzureLoadBalancer'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowAzureLoadBalancerInBound', priority: 65001 },
  { name: 'no custom rule: outbound to Internet allowed', pins: 'NSG-OV default rules: AllowInternetOutBound 65001', subnet: empty, flow: outbound(tag('AzureMachineLearning'), 443), ctx: VNET, verdict: 'allow', rule: 'AllowInternetOutBound', priority: 65001 },
  { name: 'no custom rule: outbound inside the VNet allowed', pins: 'NSG-OV default rules: AllowVnetOutBound 65000', subnet: empty, flow: outbound(cidr('10.1.2.3'), 22), ctx: VNET, verdict: 'allow', rule: 'AllowVnetOutBound' },
  { name: 'no custom rule: outbound to private space outside the VNet denied', pins: 'NSG-OV: Internet is public space outside the VNet; DenyAllOutBound 65500', subnet: empty, flow: outbound(cidr('192.168.5.5'), 22), ctx: VNET, verdict: 'deny', rule: 'DenyAllOutBound' },
  { name: 'a user deny overrides the default VNet allow', pins: 'NSG-OV: default rules can be overridden by higher-priority rules', subnet: nsg('a', [inDeny('deny-vnet', 4096, 'VirtualNetwork', '6006')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'deny', rule: 'deny-vnet', priority: 4096, isDefault: false },
  { name: 'user rules at 4096 come before defaults at 65000', pins: 'NSG-OV: user priorities 100-4096, defaults 65000+', subnet: nsg('a', [inAllow('late', 4096, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'late' },

  // ── Direction
  { name: 'inbound rules do not apply to outbound flows', pins: 'NSG-OV: direction is part of every rule', subnet: nsg('a', [inDeny('deny-in', 100, '*', '*', '*')]), flow: outbound(tag('AzureMachineLearning'), 443), ctx: VNET, verdict: 'allow', rule: 'AllowInternetOutBound' },
  { name: 'outbound rules do not apply to inbound flows', pins: 'NSG-OV: direction is part of every rule', subnet: nsg('a', [outRule('deny-out', 100, 'Deny', '*', '*', '*')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowVnetInBound' },

  // ── Subnet and NIC composition (HOW: inbound subnet then NIC, outbound NIC then subnet, both must allow)
  { name: 'subnet allows, NIC denies → denied by the NIC', pins: 'HOW: inbound is evaluated by the subnet NSG then the NIC NSG; both must allow', subnet: nsg('sub', [inAllow('ok', 100, '*', '6006')]), nic: nsg('nic', [inDeny('no', 100, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'no', level: 'nic' },
  { name: 'subnet denies → NIC NSG never consulted', pins: 'HOW: a deny in the subnet NSG stops evaluation', subnet: nsg('sub', [inDeny('no', 100, '*', '6006')]), nic: nsg('nic', [inAllow('ok', 100, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'no', level: 'subnet', examined: (n) => assert.deepEqual(n, ['sub/no']) },
  { name: 'both allow → allowed, deciding rule is the NIC one', pins: 'HOW: traffic passes when both NSGs allow', subnet: nsg('sub', [inAllow('ok-sub', 100, '*', '6006')]), nic: nsg('nic', [inAllow('ok-nic', 110, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'ok-nic', level: 'nic' },
  { name: 'no subnet NSG, NIC denies', pins: 'HOW: with no NSG at a level, traffic passes that level', subnet: null, nic: nsg('nic', [inDeny('no', 100, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'no', level: 'nic' },
  { name: 'no NSG anywhere → allowed, decided by nothing', pins: 'HOW: with no NSG the flow is allowed', subnet: null, nic: null, flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: null },
  { name: 'outbound: NIC denies first', pins: 'HOW: outbound is evaluated by the NIC NSG then the subnet NSG', subnet: nsg('sub', [outRule('ok', 100, 'Allow', '*', '443')]), nic: nsg('nic', [outRule('no', 100, 'Deny', '*', '443')]), flow: outbound(tag('AzureMachineLearning'), 443), verdict: 'deny', rule: 'no', level: 'nic', examined: (n) => assert.deepEqual(n, ['nic/no']) },
  { name: 'outbound: NIC allows, subnet denies', pins: 'HOW: both NSGs must allow outbound', subnet: nsg('sub', [outRule('no', 100, 'Deny', '*', '443')]), nic: nsg('nic', [outRule('ok', 100, 'Allow', '*', '443')]), flow: outbound(tag('AzureMachineLearning'), 443), verdict: 'deny', rule: 'no', level: 'subnet' },
  { name: 'an invisible NIC level is not evaluated', pins: 'ANCH §2.4: AzureML nodes’ NICs live in a Microsoft subscription; only the subnet NSG is ours to evaluate', subnet: nsg('sub', [inAllow('ok', 100, 'AzureMachineLearning', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), verdict: 'allow', rule: 'ok', level: 'subnet' },

  // ── Protocols (ANCH §2.1: Tcp, Udp, Icmp, Esp, Ah, *; effective rules say All)
  { name: 'a Tcp rule does not match Udp', pins: 'SecurityRuleProtocol: protocol must match', subnet: nsg('a', [inDeny('tcp', 100, '*', '5831', 'Tcp')]), flow: inbound(tag('VirtualNetwork'), 5831, 'Udp'), ctx: VNET, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'a Udp rule matches Udp', pins: 'SecurityRuleProtocol Udp', subnet: nsg('a', [inDeny('udp', 100, '*', '5831', 'Udp')]), flow: inbound(tag('VirtualNetwork'), 5831, 'Udp'), ctx: VNET, verdict: 'deny', rule: 'udp' },
  { name: '* matches Icmp', pins: 'NSG-OV: Any encompasses TCP, UDP and ICMP', subnet: nsg('a', [inDeny('any', 100, '*', '*', '*')]), flow: inbound(tag('VirtualNetwork'), '*', 'Icmp'), ctx: VNET, verdict: 'deny', rule: 'any' },
  { name: 'an Esp rule matches Esp', pins: 'ANCH §2.1: ESP usable via ARM', subnet: nsg('a', [inAllow('esp', 100, '*', '*', 'Esp')]), flow: inbound(tag('Internet'), '*', 'Esp'), verdict: 'allow', rule: 'esp' },
  { name: 'an Ah rule does not match Esp', pins: 'SecurityRuleProtocol: Ah ≠ Esp', subnet: nsg('a', [inAllow('ah', 100, '*', '*', 'Ah')]), flow: inbound(tag('Internet'), '*', 'Esp'), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'the effective-rules protocol All matches Udp', pins: 'ANCH §2.3: effective protocol enum Tcp|Udp|All', subnet: nsg('a', [inDeny('all', 100, '*', '*', 'All')]), flow: inbound(tag('VirtualNetwork'), 53, 'Udp'), ctx: VNET, verdict: 'deny', rule: 'all' },
  { name: 'protocol names compare case-insensitively', pins: 'ARM accepts TCP/Tcp', subnet: nsg('a', [inDeny('upper', 100, '*', '6006', 'TCP')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'deny', rule: 'upper' },
  { name: 'an Icmp rule does not match Tcp', pins: 'SecurityRuleProtocol: protocol must match', subnet: nsg('a', [inDeny('icmp', 100, '*', '*', 'Icmp')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowVnetInBound' },

  // ── Ports (ANCH §2.1: single, range, list, *)
  { name: 'single destination port matches', pins: 'NSG-OV: port', subnet: nsg('a', [inAllow('p', 100, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'p' },
  { name: 'single destination port misses', pins: 'NSG-OV: port', subnet: nsg('a', [inAllow('p', 100, '*', '6007')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'a range matches inside', pins: 'NSG-OV: port range 10000-10005', subnet: nsg('a', [inAllow('r', 100, '*', '6000-6010')]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'r' },
  { name: 'a range includes its upper bound', pins: 'NSG-OV: ranges are inclusive', subnet: nsg('a', [inAllow('r', 100, '*', '6000-6010')]), flow: inbound(tag('Internet'), 6010), verdict: 'allow', rule: 'r' },
  { name: 'a range excludes the next port', pins: 'NSG-OV: ranges are inclusive', subnet: nsg('a', [inAllow('r', 100, '*', '6000-6010')]), flow: inbound(tag('Internet'), 6011), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'an augmented port list matches a member', pins: 'NSG-OV augmented rules: several ports in one rule', subnet: nsg('a', [inAllow('list', 100, '*', ['80', '443', '6006'])]), flow: inbound(tag('Internet'), 6006), verdict: 'allow', rule: 'list' },
  { name: 'an augmented port list with a range', pins: 'NSG-OV augmented rules', subnet: nsg('a', [inAllow('list', 100, '*', ['80', '6000-6100'])]), flow: inbound(tag('Internet'), 6050), verdict: 'allow', rule: 'list' },
  { name: '* ports match every port', pins: 'NSG-OV: * for any port', subnet: nsg('a', [inAllow('all', 100, '*', '*')]), flow: inbound(tag('Internet'), 1), verdict: 'allow', rule: 'all' },
  { name: 'a source-port restriction splits a flow from any source port', pins: '5-tuple: source port is matched too', subnet: nsg('a', [inAllow('hi', 100, '*', '6006', 'Tcp', { sourcePortRange: '1024-65535' })]), flow: inbound(tag('Internet'), 6006), verdict: 'split', parts: [['1024-65535', 'allow', 'hi'], ['0-1023', 'deny', 'DenyAllInBound']] },
  { name: 'a specific source port inside the rule range matches', pins: '5-tuple: source port', subnet: nsg('a', [inAllow('hi', 100, '*', '6006', 'Tcp', { sourcePortRange: '1024-65535' })]), flow: inbound(tag('Internet'), 6006, 'Tcp', { sourcePorts: 50000 }), verdict: 'allow', rule: 'hi' },
  { name: 'a destination port range split by a single-port rule', pins: 'first match per port', subnet: nsg('a', [inDeny('one', 100, '*', '6006')]), flow: inbound(tag('VirtualNetwork'), '6005-6007'), ctx: VNET, verdict: 'split', parts: [['6006', 'deny', 'one'], ['6005,6007', 'allow', 'AllowVnetInBound']] },

  // ── Prefixes
  { name: '* source', pins: 'NSG-OV: * is any address', subnet: nsg('a', [inDeny('d', 100, '*', '6006')]), flow: inbound(cidr('203.0.113.9'), 6006), verdict: 'deny', rule: 'd' },
  { name: 'Any source', pins: 'ANCH §2.1: clients may write Any', subnet: nsg('a', [inDeny('d', 100, 'Any', '6006')]), flow: inbound(cidr('203.0.113.9'), 6006), verdict: 'deny', rule: 'd' },
  { name: '0.0.0.0/0 source', pins: 'ANCH §2.1: 0.0.0.0/0 is every IPv4 address', subnet: nsg('a', [inDeny('d', 100, '0.0.0.0/0', '6006')]), flow: inbound(tag('AzureMachineLearning'), 6006), verdict: 'deny', rule: 'd' },
  { name: 'CIDR containment: /24 inside /8', pins: 'NSG-OV: a CIDR covers its addresses', subnet: nsg('a', [inDeny('d', 100, '10.0.0.0/8', '6006')]), flow: inbound(cidr('10.9.2.0/24'), 6006), verdict: 'deny', rule: 'd' },
  { name: 'a /32 matches its address', pins: 'NSG-OV: an IP address', subnet: nsg('a', [inAllow('one', 100, '198.51.100.7/32', '6006')]), flow: inbound(cidr('198.51.100.7'), 6006), verdict: 'allow', rule: 'one' },
  { name: 'a bare IP is a /32', pins: 'NSG-OV: an IP address', subnet: nsg('a', [inAllow('one', 100, '198.51.100.7', '6006')]), flow: inbound(cidr('198.51.100.7/32'), 6006), verdict: 'allow', rule: 'one' },
  { name: 'partial overlap splits the source', pins: 'CHECKS: a rule that covers only part of the source splits the verdict', subnet: nsg('a', [inAllow('half', 100, '198.51.100.0/25', '6006')]), flow: inbound(cidr('198.51.100.0/24'), 6006), verdict: 'split', parts: [['198.51.100.0/25', 'allow', 'half'], ['198.51.100.128/25', 'deny', 'DenyAllInBound']] },
  { name: 'disjoint CIDRs do not match', pins: 'CIDR containment', subnet: nsg('a', [inAllow('other', 100, '192.0.2.0/24', '6006')]), flow: inbound(cidr('198.51.100.0/24'), 6006), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'an address list covering the source in pieces matches fully', pins: 'NSG-OV augmented rules: several prefixes', subnet: nsg('a', [inAllow('list', 100, ['198.51.100.0/25', '198.51.100.128/25'], '6006')]), flow: inbound(cidr('198.51.100.0/24'), 6006), verdict: 'allow', rule: 'list' },
  { name: 'an address list covering part of the source splits it', pins: 'NSG-OV augmented rules', subnet: nsg('a', [inAllow('list', 100, ['198.51.100.0/26', '192.0.2.0/24'], '6006')]), flow: inbound(cidr('198.51.100.0/24', '192.0.2.0/24'), 6006), verdict: 'split', parts: [['192.0.2.0/24', 'allow', 'list'], ['198.51.100.64/26', 'deny', 'DenyAllInBound']] },
  { name: 'host bits in a rule prefix are ignored', pins: 'Azure normalises 10.0.0.5/24 to its network', subnet: nsg('a', [inDeny('d', 100, '198.51.100.77/24', '6006')]), flow: inbound(cidr('198.51.100.1'), 6006), verdict: 'deny', rule: 'd' },
  { name: 'IPv6 prefix matches an IPv6 flow', pins: 'NSG-OV: IPv6 prefixes', subnet: nsg('a', [inDeny('v6', 100, '2001:db8::/32', '6006')]), flow: inbound(cidr('2001:db8:1::5'), 6006, 'Tcp', { ipVersion: 6, destination: { label: 'host6', prefixes: ['fd00::4'] } }), verdict: 'deny', rule: 'v6' },
  { name: 'an IPv6 prefix never matches IPv4', pins: 'address families are separate', subnet: nsg('a', [inAllow('v6', 100, '::/0', '6006')]), flow: inbound(cidr('203.0.113.9'), 6006), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: '::/0 matches every IPv6 source', pins: 'address families are separate', subnet: nsg('a', [inAllow('v6', 100, '::/0', '6006')]), flow: inbound(cidr('2001:db8::1'), 6006, 'Tcp', { ipVersion: 6, destination: { label: 'host6', prefixes: ['fd00::4'] } }), verdict: 'allow', rule: 'v6' },
  { name: '0.0.0.0/0 does not match IPv6', pins: 'address families are separate', subnet: nsg('a', [inAllow('v4', 100, '0.0.0.0/0', '6006')]), flow: inbound(cidr('2001:db8::1'), 6006, 'Tcp', { ipVersion: 6, destination: { label: 'host6', prefixes: ['fd00::4'] } }), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'destination prefix narrower than the host subnet splits by destination', pins: 'destination prefixes are matched like sources', subnet: nsg('a', [inDeny('one-ip', 100, '*', '6006', 'Tcp', { destinationAddressPrefix: '10.1.0.4/32' })]), flow: inbound(tag('VirtualNetwork'), 6006, 'Tcp', { destination: { label: 'subnet', prefixes: ['10.1.0.0/30', '10.1.0.4/31'], asgIds: [] } }), ctx: VNET, verdict: 'split', parts: [['10.1.0.4', 'deny', 'one-ip'], ['10.1.0.0/30', 'allow', 'AllowVnetInBound']] },

  // ── VirtualNetwork is what Azure says it is (TAGS: VNet space, peered, on-premises, UDR prefixes)
  { name: 'a rule on 10.0.0.0/8 matches VirtualNetwork traffic when the VNet is inside it', pins: 'CHECKS: a rule on 10.0.0.0/8 matches traffic from a VNet inside it', subnet: nsg('a', [inDeny('ten', 100, '10.0.0.0/8', '6006')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'deny', rule: 'ten' },
  { name: 'a rule on part of the VNet splits VirtualNetwork', pins: 'TAGS: VirtualNetwork = the VNet address space', subnet: nsg('a', [inDeny('part', 100, '10.1.0.0/24', '6006')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'split', parts: [['10.1.0.0/24', 'deny', 'part'], ['10.1.1.0/24', 'allow', 'AllowVnetInBound']] },
  { name: 'peered VNet space is VirtualNetwork', pins: 'TAGS: VirtualNetwork includes peered virtual networks', subnet: empty, flow: inbound(cidr('10.2.3.4'), 6006), ctx: { virtualNetwork: { addressSpace: ['10.1.0.0/16'], peeredAddressSpace: ['10.2.0.0/16'] } }, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'on-premises prefixes are VirtualNetwork', pins: 'TAGS: VirtualNetwork includes connected on-premises address spaces', subnet: empty, flow: inbound(cidr('192.168.10.10'), 6006), ctx: { virtualNetwork: { addressSpace: ['10.1.0.0/16'], onPremisesPrefixes: ['192.168.0.0/16'] } }, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'a 0.0.0.0/0 UDR widens AllowVnetInBound to the whole internet', pins: 'TAGS: VirtualNetwork includes address prefixes used on user-defined routes (the classic surprise)', subnet: empty, flow: inbound(cidr('203.0.113.0/24'), 6006), ctx: { virtualNetwork: { addressSpace: ['10.1.0.0/16'], routePrefixes: ['0.0.0.0/0'] } }, verdict: 'allow', rule: 'AllowVnetInBound', explains: /includes the subnet's user-defined route prefixes \(0\.0\.0\.0\/0\)/ },
  { name: 'the same flow without the UDR is denied', pins: 'NSG-OV: DenyAllInBound', subnet: empty, flow: inbound(cidr('203.0.113.0/24'), 6006), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'with a 0.0.0.0/0 UDR an unresolved service tag is inside VirtualNetwork', pins: 'TAGS + UDR: VirtualNetwork covers every IPv4 address', subnet: empty, flow: inbound(tag('AzureMachineLearning'), 44224), ctx: { virtualNetwork: { addressSpace: ['10.1.0.0/16'], routePrefixes: ['0.0.0.0/0'] } }, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'a UDR to a /24 widens VirtualNetwork by that /24 only', pins: 'TAGS: UDR prefixes', subnet: empty, flow: inbound(cidr('198.51.100.0/23'), 6006), ctx: { virtualNetwork: { addressSpace: ['10.1.0.0/16'], routePrefixes: ['198.51.100.0/24'] } }, verdict: 'split', parts: [['198.51.100.0/24', 'allow', 'AllowVnetInBound'], ['198.51.101.0/24', 'deny', 'DenyAllInBound']] },
  { name: 'VirtualNetwork against a CIDR rule without the VNet’s space is unknown', pins: 'CHECKS: never a guess', subnet: nsg('a', [inDeny('ten', 100, '10.0.0.0/8', '6006')]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: {}, verdict: 'unknown', reason: /address space of the virtual network is not known/ },

  // ── Service tags (TAGS; CHECKS § network)
  { name: 'tag names compare case-insensitively', pins: 'CHECKS: tag names compare case-insensitively', subnet: nsg('a', [inAllow('aml', 100, 'azuremachinelearning', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), verdict: 'allow', rule: 'aml' },
  { name: 'a regional tag is inside its parent', pins: 'CHECKS: Storage.EastUS2 is inside Storage', subnet: nsg('a', [outRule('deny-storage', 100, 'Deny', 'Storage', '443')]), flow: outbound(tag('Storage.EastUS2'), 443), verdict: 'deny', rule: 'deny-storage' },
  { name: 'a regional rule against the parent tag needs the tag’s addresses', pins: 'CHECKS: where CIDRs meet a tag and the tag can’t be resolved → unknown', subnet: nsg('a', [outRule('deny-region', 100, 'Deny', 'Storage.EastUS2', '443')]), flow: outbound(tag('Storage'), 443), ctx: VNET, verdict: 'unknown', reason: /service tag Storage/ },
  { name: 'a regional rule against the parent tag, resolved, splits it', pins: 'Service Tags API resolves both tags', subnet: nsg('a', [outRule('deny-region', 100, 'Deny', 'Storage.EastUS2', '443')]), flow: outbound(tag('Storage'), 443), ctx: TAGS, verdict: 'split', parts: [['52.1.0.0/16', 'deny', 'deny-region'], ['52.0.0.0/16', 'allow', 'AllowInternetOutBound']] },
  { name: 'a public service tag is inside Internet', pins: 'CHECKS: Azure service tags are public address space, inside Internet', subnet: nsg('a', [outRule('no-internet', 100, 'Deny', 'Internet', '443')]), flow: outbound(tag('AzureMachineLearning'), 443), verdict: 'deny', rule: 'no-internet' },
  { name: 'AzureLoadBalancer is not inside Internet', pins: 'ANCH §2.1: the platform IP 168.63.129.16 is not Internet', subnet: nsg('a', [inDeny('no-internet', 100, 'Internet', '*')]), flow: inbound(tag('AzureLoadBalancer'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowAzureLoadBalancerInBound' },
  { name: 'a * deny blocks AzureLoadBalancer probes', pins: 'NSG-OV: a deny-all above 65001 blocks health probes', subnet: nsg('a', [inDeny('deny-all', 4000, '*', '*', '*')]), flow: inbound(tag('AzureLoadBalancer'), 6006), ctx: VNET, verdict: 'deny', rule: 'deny-all' },
  { name: 'a CIDR rule against an unresolved public tag is unknown', pins: 'CHECKS: tag vs CIDR needs the Service Tags API, else unknown', subnet: nsg('a', [inAllow('cidr', 100, '20.36.106.80/28', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), ctx: { ...VNET, serviceTagsUnavailable: 'serviceTags.list answered 403' }, verdict: 'unknown', reason: /serviceTags.list answered 403/ },
  { name: 'a CIDR rule against a resolved tag splits it', pins: 'CHECKS: Service Tags API resolution; partial overlap splits', subnet: nsg('a', [inAllow('cidr', 100, '20.36.106.80/28', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), ctx: TAGS, verdict: 'split', parts: [['20.36.106.80/28', 'allow', 'cidr'], ['40.78.0.0/24', 'deny', 'DenyAllInBound']] },
  { name: 'a private CIDR rule cannot match a public tag, resolved or not', pins: 'TAGS: service tags are public space', subnet: nsg('a', [inDeny('private', 100, '10.0.0.0/8', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'two different unresolved tags are unknown', pins: 'CHECKS: never a guess', subnet: nsg('a', [inAllow('cloud', 100, 'AzureCloud', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), ctx: VNET, verdict: 'unknown', reason: /AzureMachineLearning|AzureCloud/ },
  { name: 'two different tags, resolved: containment', pins: 'Service Tags API: AzureCloud prefixes cover AzureMachineLearning', subnet: nsg('a', [inAllow('cloud', 100, 'AzureCloud', '44224')]), flow: inbound(tag('AzureMachineLearning'), 44224), ctx: TAGS, verdict: 'allow', rule: 'cloud' },
  { name: 'Internet source does not match a VirtualNetwork rule (private VNet)', pins: 'TAGS: Internet is outside the VNet', subnet: empty, flow: inbound(tag('Internet'), 6006), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'a public CIDR source is inside Internet', pins: 'TAGS: Internet = public address space outside the VNet', subnet: nsg('a', [inDeny('no-internet', 100, 'Internet', '6006')]), flow: inbound(cidr('203.0.113.0/24'), 6006), ctx: VNET, verdict: 'deny', rule: 'no-internet' },
  { name: 'a private CIDR source is not Internet', pins: 'TAGS: Internet is public space', subnet: nsg('a', [inDeny('no-internet', 100, 'Internet', '6006')]), flow: inbound(cidr('10.1.0.0/24'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'the LB probe address is not Internet', pins: 'ANCH §2.1 platform IP', subnet: nsg('a', [inDeny('no-internet', 100, 'Internet', '6006')]), flow: inbound(cidr('168.63.129.16'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowAzureLoadBalancerInBound' },
  { name: 'a tag missing from the Service Tags list is unknown', pins: 'CHECKS: unresolvable tag → unknown', subnet: nsg('a', [inAllow('typo', 100, '20.0.0.0/8', '44224')]), flow: inbound(tag('AzureMachineLearnin'), 44224), ctx: TAGS, verdict: 'unknown', reason: /not in the Service Tags API/ },
  { name: 'an Internet source against a CIDR rule, VNet unknown', pins: 'Internet depends on the VNet space', subnet: nsg('a', [inDeny('pub', 100, '203.0.113.0/24', '6006')]), flow: inbound(tag('Internet'), 6006), ctx: {}, verdict: 'unknown', reason: /virtual network is not known/ },

  // ── Application security groups
  { name: 'destination ASG: the host is a member', pins: 'NSG-OV: application security groups as destination', subnet: nsg('a', [inAllow('asg', 100, '*', '6006', 'Tcp', { destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/tb-hosts' }] })]), flow: inbound(tag('Internet'), 6006, 'Tcp', { destination: { label: 'vm', prefixes: ['10.1.0.4'], asgIds: ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/TB-HOSTS'] } }), ctx: VNET, verdict: 'allow', rule: 'asg' },
  { name: 'destination ASG: the host is not a member', pins: 'NSG-OV: ASG membership', subnet: nsg('a', [inAllow('asg', 100, '*', '6006', 'Tcp', { destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: '/x/applicationSecurityGroups/tb-hosts' }] })]), flow: inbound(tag('Internet'), 6006), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'source ASG with VirtualNetwork clients is unknown', pins: 'ASG members are NICs in the VNet; which addresses is not known', subnet: nsg('a', [inDeny('asg-src', 100, undefined as unknown as string, '6006', 'Tcp', { sourceApplicationSecurityGroups: [{ id: '/x/applicationSecurityGroups/blocked' }] })]), flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'unknown', reason: /application security group blocked/ },
  { name: 'source ASG cannot hold an address outside the VNet', pins: 'NSG-OV: ASG members are NICs in the same VNet', subnet: nsg('a', [inAllow('asg-src', 100, undefined as unknown as string, '6006', 'Tcp', { sourceApplicationSecurityGroups: [{ id: '/x/applicationSecurityGroups/web' }] })]), flow: inbound(cidr('203.0.113.1'), 6006), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },

  // ── Malformed data: unknown with the reason, never a crash, never a pass
  { name: 'a rule without priority makes the NSG unknown', pins: 'priority is required (REST Create Or Update)', subnet: nsg('a', [rule('nopri', undefined, 'Inbound', 'Allow', 'Tcp', '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /nopri has no valid priority/ },
  { name: 'a bad CIDR reached by the flow is unknown', pins: 'never a guess', subnet: nsg('a', [inAllow('bad', 100, '10.0.0.256/24', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /10\.0\.0\.256\/24/ },
  { name: 'a bad CIDR behind a deciding rule is never reached', pins: 'first match stops processing', subnet: nsg('a', [inDeny('first', 100, '*', '6006'), inAllow('bad', 200, '10.0.0.0/33', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'first' },
  { name: 'an unknown protocol is unknown', pins: 'SecurityRuleProtocol enum', subnet: nsg('a', [inAllow('gre', 100, '*', '*', 'Gre')]), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /protocol "Gre"/ },
  { name: 'two rules sharing a priority and direction are unknown', pins: 'NSG-OV: no two rules with the same priority and direction', subnet: nsg('a', [inAllow('x', 100, '*', '6006'), inDeny('y', 100, '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /share Inbound priority 100/ },
  { name: 'a port beyond 65535 is unknown', pins: 'ports 0-65535', subnet: nsg('a', [inAllow('big', 100, '*', '70000')]), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /70000/ },
  { name: 'a malformed rule of another protocol is skipped', pins: 'protocol mismatch is decided before reading prefixes', subnet: nsg('a', [inAllow('bad-udp', 100, 'not a prefix!', '6006', 'Udp')]), flow: inbound(tag('Internet'), 6006), verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'a missing access is unknown', pins: 'access is required', subnet: nsg('a', [rule('noaccess', 100, 'Inbound', '', 'Tcp', '*', '6006')]), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /access/ },

  { name: 'an NSG without securityRules is unknown', pins: 'ARM always returns securityRules; its absence means the data is not an NSG', subnet: parseNsg({ id: '/x/networkSecurityGroups/bare', name: 'bare', properties: {} }), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /securityRules is missing/ },
  { name: 'a rule that is not an object is unknown, not a crash', pins: 'never a crash', subnet: parseNsg({ id: '/x/networkSecurityGroups/junk', name: 'junk', properties: { securityRules: ['junk'] } }), flow: inbound(tag('Internet'), 6006), verdict: 'unknown', reason: /no valid priority/ },

  // ── Shared fixtures used as data
  { name: 'FIX NetworkSecurityGroupGet: TCP 80 from anywhere → rule1 (130)', pins: 'FIX NetworkSecurityGroupGet.json rule1 Allow * 80', subnet: nsgGet, flow: inbound(tag('Internet'), 80), ctx: VNET, verdict: 'allow', rule: 'rule1', priority: 130 },
  { name: 'FIX NetworkSecurityGroupGet: TCP 6006 from Internet → DenyAllInBound', pins: 'FIX NetworkSecurityGroupGet.json defaultSecurityRules', subnet: nsgGet, flow: inbound(tag('Internet'), 6006), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound', isDefault: true },
  { name: 'FIX NetworkSecurityGroupGet: UDP 80 → rule1 (protocol *)', pins: 'FIX rule1 protocol *', subnet: nsgGet, flow: inbound(tag('Internet'), 80, 'Udp'), ctx: VNET, verdict: 'allow', rule: 'rule1' },
  { name: 'FIX NetworkSecurityGroupGet: outbound 443 to AzureMachineLearning → AllowInternetOutBound', pins: 'FIX defaultSecurityRules AllowInternetOutBound', subnet: nsgGet, flow: outbound(tag('AzureMachineLearning'), 443), ctx: VNET, verdict: 'allow', rule: 'AllowInternetOutBound' },
  { name: 'FIX NetworkSecurityGroupGet: VirtualNetwork 6006 → AllowVnetInBound', pins: 'FIX defaultSecurityRules AllowVnetInBound', subnet: nsgGet, flow: inbound(tag('VirtualNetwork'), 6006), ctx: VNET, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'FIX EffectiveNSGList: RDP from 1.1.1.1 → default-allow-rdp (1000)', pins: 'FIX NetworkInterfaceEffectiveNSGList.json securityRules/default-allow-rdp, ports normalised a-b', nic: effective, subnet: null, flow: inbound(cidr('1.1.1.1'), 3389, 'Tcp', { destination: cidr('10.0.0.4') }), ctx: VNET, verdict: 'allow', rule: 'default-allow-rdp', priority: 1000, level: 'nic' },
  { name: 'FIX EffectiveNSGList: source port 456 → rule1 (234)', pins: 'FIX securityRules/rule1 sourcePortRange 456-456', nic: effective, subnet: null, flow: inbound(cidr('0.0.0.0/32'), 6579, 'Tcp', { sourcePorts: 456, destination: cidr('0.0.0.0') }), ctx: VNET, verdict: 'allow', rule: 'rule1', priority: 234 },
  { name: 'FIX EffectiveNSGList: another source port falls to the default deny', pins: 'FIX: effective list without defaults — Azure’s defaults still apply', nic: effective, subnet: null, flow: inbound(cidr('0.0.0.0/32'), 6579, 'Tcp', { sourcePorts: 457, destination: cidr('0.0.0.0') }), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'FIX EffectiveNSGList: RDP from 1.1.1.2 denied', pins: 'FIX sourceAddressPrefix 1.1.1.1/32', nic: effective, subnet: null, flow: inbound(cidr('1.1.1.2'), 3389, 'Tcp', { destination: cidr('10.0.0.4') }), ctx: VNET, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'FIX EffectiveNSGList: Internet outbound per the expanded prefixes', pins: 'FIX expandedDestinationAddressPrefix is what Internet meant for that NIC', nic: effective, subnet: null, flow: outbound(cidr('1.2.3.4'), 443, 'Tcp', { source: cidr('10.0.0.4') }), ctx: VNET, verdict: 'allow', rule: 'AllowInternetOutBound', isDefault: true },
  { name: 'FIX EffectiveNSGList: an address outside the expanded prefixes is not Internet there', pins: 'FIX expanded list 32.0.0.0/3, 4.0.0.0/6, 2.0.0.0/7, 1.0.0.0/8', nic: effective, subnet: null, flow: outbound(cidr('8.8.8.8'), 443, 'Tcp', { source: cidr('10.0.0.4') }), ctx: VNET, verdict: 'deny', rule: 'DenyAllOutBound' },
  {
    name: 'FIX NetworkWatcherIpFlowVerify: outbound TCP 10.2.0.4:80 → 121.10.1.1:80 is allowed by Rule1',
    pins: 'FIX NetworkWatcherIpFlowVerify.json request → {access, ruleName}',
    nic: nsg('vm1-nsg', [outRule('Rule1', 100, 'Allow', '121.10.1.0/24', '80'), outRule('Rule2', 200, 'Deny', 'Internet', '*', '*')]),
    subnet: null,
    flow: { direction: ipfvParams.direction as 'Outbound', protocol: ipfvParams.protocol === 'TCP' ? 'Tcp' : 'Udp', source: cidr(ipfvParams.localIPAddress), sourcePorts: ipfvParams.localPort, destination: cidr(ipfvParams.remoteIPAddress), destinationPorts: ipfvParams.remotePort },
    ctx: { virtualNetwork: { addressSpace: ['10.2.0.0/16'] } },
    verdict: ipfvAnswer.access.toLowerCase() as 'allow',
    rule: ipfvAnswer.ruleName,
  },
  { name: 'IP flow verify counterpart: the same VM to another port is denied by Rule2', pins: 'IPFV returns the deciding rule name', nic: nsg('vm1-nsg', [outRule('Rule1', 100, 'Allow', '121.10.1.0/24', '80'), outRule('Rule2', 200, 'Deny', 'Internet', '*', '*')]), subnet: null, flow: outbound(cidr('121.10.1.1'), 8080, 'Tcp', { source: cidr('10.2.0.4') }), ctx: { virtualNetwork: { addressSpace: ['10.2.0.0/16'] } }, verdict: 'deny', rule: 'Rule2' },

  // ── Several client sources at once (TBMON_CLIENT_SOURCES): each is judged, blocked ones named
  { name: 'two client sources, one blocked', pins: 'CHECKS: every client allowed; a fail names the blocked part', subnet: nsg('a', [inAllow('corp', 100, '198.51.100.0/24', '6006')]), flow: inbound([cidr('198.51.100.0/24'), tag('Internet')], 6006), ctx: VNET, verdict: 'split', parts: [['198.51.100.0/24', 'allow', 'corp'], ['Internet', 'deny', 'DenyAllInBound']] },
];

function flowOf(c: Case): Flow {
  return { direction: 'Inbound', protocol: 'Tcp', source: tag('Internet'), destination: HOST, destinationPorts: 6006, ...c.flow } as Flow;
}

test(`conformance table has at least 80 cases (${cases.length})`, () => {
  assert.ok(cases.length >= 80);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
});

for (const c of cases) {
  test(`${c.name} — ${c.pins}`, () => {
    const v = evaluateFlow(flowOf(c), { subnet: c.subnet === undefined ? null : c.subnet, nic: c.nic }, c.ctx ?? VNET);
    const detail = JSON.stringify(v.parts.map((p) => [p.source, p.sourcePorts, p.destination, p.destinationPorts, p.access, p.decidedBy?.ruleName ?? null, p.reason ?? '']));
    assert.equal(v.verdict, c.verdict, detail);
    if (c.rule !== undefined) assert.equal(v.decidedBy === undefined ? 'several' : (v.decidedBy?.ruleName ?? null), c.rule, detail);
    if (c.priority !== undefined) assert.equal(v.decidedBy?.priority, c.priority);
    if (c.level !== undefined) assert.equal(v.decidedBy?.level, c.level);
    if (c.isDefault !== undefined) assert.equal(v.decidedBy?.isDefault, c.isDefault);
    if (c.explains) assert.ok(v.parts.some((p) => p.notes?.some((n) => c.explains?.test(n))), detail);
    if (c.reason) assert.ok(v.parts.some((p) => p.reason && c.reason?.test(p.reason)), detail);
    if (c.verdict === 'unknown') assert.ok(v.parts.every((p) => p.access !== 'allow'), 'unknown never hides an allow');
    for (const [needle, access, ruleName] of c.parts ?? []) {
      const hit = v.parts.find((p) => (p.source.includes(needle) || p.sourcePorts === needle || p.destinationPorts === needle || p.destination.includes(needle)) && p.access === access);
      assert.ok(hit, `no ${access} part for ${needle}: ${detail}`);
      assert.equal(hit.decidedBy?.ruleName ?? null, ruleName, detail);
    }
    if (c.examined) c.examined(v.examined.map((e) => `${e.nsgName}/${e.ruleName}`));
  });
}

// From a host's network evidence to what the evaluator needs: the NSGs on each path to the host (compute: the
// subnet; VM: each NIC and its subnet), the host's own addresses and ASG memberships, and what VirtualNetwork means
// there. Pure; anything missing or unreadable becomes a `problem` the checks report as `unknown`.
import { type HostRecord, canonicalId } from '../../model';
import { arr, idOf, inner, isObj, obj, props, str } from '../../arm-json';
import type { ArmObject, NetworkEvidence, Ref, SubnetEvidence } from '../../evidence/network-types';
import { IdentityMemo, parseNsg, parsePrefix, type AddressContext, type Endpoint, type NsgPath, type ParsedNsg } from '../../nsg';

export interface HostPath {
  /** "subnet ml" or "NIC vm1-nic". */
  label: string;
  nsgs: NsgPath;
  /** Parsed NSGs by id (lower-case), for remediation. */
  byId: Map<string, ParsedNsg>;
  host: Endpoint;
  addresses: AddressContext;
  subnet: SubnetEvidence | null;
  /** Why this path cannot be evaluated (an NSG that could not be read, …). */
  problem?: string;
  /** Informational (the NIC NSG of an AzureML node is not visible, …). */
  notes: string[];
}


/** `addressPrefix` and `addressPrefixes` of a subnet. */
export function subnetPrefixes(subnet: ArmObject): string[] {
  const p = props(subnet);
  const list = arr(p.addressPrefixes).filter((x): x is string => typeof x === 'string');
  const one = str(p.addressPrefix);
  return list.length ? list : one ? [one] : [];
}

/** Routes of a route table: `{name, addressPrefix, nextHopType, nextHopIpAddress}`. */
export function routesOf(rt: ArmObject): { name: string; addressPrefix: string; nextHopType: string; nextHopIpAddress?: string }[] {
  return arr(props(rt).routes).map((r) => {
    const o = obj(r);
    const p = inner(o);
    return { name: str(o.name) ?? '(unnamed route)', addressPrefix: str(p.addressPrefix) ?? '', nextHopType: str(p.nextHopType) ?? '', nextHopIpAddress: str(p.nextHopIpAddress) };
  });
}

// The hosts of a batch share the evidence objects of their subnet (the VNet, its NSG and route table, the region's
// service tags): parsing and resolving once per object lets every host and check reuse it, and the NSG evaluator
// reuse its verdicts (nsg/memo.ts keys them on these objects).
const parsedNsgs = new WeakMap<ArmObject, ParsedNsg>();
const addressContexts = new IdentityMemo<AddressContext>();
const NO_SUBNET = {};
const NO_ROUTE_TABLE = {};

/** What VirtualNetwork means for a host in this subnet (TAGS: VNet space, peerings, UDR prefixes); one object per inputs. */
export function addressContext(subnet: SubnetEvidence | null, ev: NetworkEvidence): AddressContext {
  const routeTable = subnet?.routeTable.state === 'found' ? subnet.routeTable.value : NO_ROUTE_TABLE;
  return addressContexts.get([ev.serviceTags, subnet?.vnet ?? NO_SUBNET, routeTable], () => buildAddressContext(subnet, ev));
}

function buildAddressContext(subnet: SubnetEvidence | null, ev: NetworkEvidence): AddressContext {
  const ctx: AddressContext = {};
  if (ev.serviceTags.ok) ctx.serviceTags = ev.serviceTags.value;
  else ctx.serviceTagsUnavailable = ev.serviceTags.reason;
  if (!subnet) return ctx;
  const vp = props(subnet.vnet);
  const addressSpace = arr(obj(vp.addressSpace).addressPrefixes).filter((x): x is string => typeof x === 'string');
  const peered: string[] = [];
  for (const peering of arr(vp.virtualNetworkPeerings)) {
    const pp = obj(obj(peering).properties);
    if (str(pp.peeringState) && str(pp.peeringState)?.toLowerCase() !== 'connected') continue;
    const remote = isObj(pp.remoteAddressSpace) ? pp.remoteAddressSpace : obj(pp.remoteVirtualNetworkAddressSpace);
    for (const p of arr(remote.addressPrefixes)) if (typeof p === 'string') peered.push(p);
  }
  const routePrefixes = subnet.routeTable.state === 'found' ? routesOf(subnet.routeTable.value).map((r) => r.addressPrefix).filter(Boolean) : [];
  ctx.virtualNetwork = { addressSpace, peeredAddressSpace: peered, routePrefixes };
  return ctx;
}

function nsgOf(ref: Ref<ArmObject>, where: string, byId: Map<string, ParsedNsg>): { nsg: ParsedNsg | null; problem?: string } {
  if (ref.state === 'none') return { nsg: null };
  if (ref.state === 'unreadable') return { nsg: null, problem: `the NSG ${ref.id} of ${where} could not be read: ${ref.reason}` };
  let parsed = parsedNsgs.get(ref.value);
  if (!parsed) {
    parsed = parseNsg(ref.value);
    parsedNsgs.set(ref.value, parsed);
  }
  byId.set(canonicalId(parsed.id), parsed);
  return { nsg: parsed };
}

function subnetLabel(s: SubnetEvidence): string {
  return `subnet ${s.vnet.name ?? ''}/${s.subnet.name ?? s.id.split('/').pop()}`;
}

/**
 * Every path traffic takes to the host. A compute (instance or cluster) is reached through its subnet; the NIC
 * AzureML gives each node lives in a Microsoft subscription, so its NSG is not visible (ANCH §2.4). A VM is reached
 * through each NIC: the subnet of its primary IP configuration, then the NIC.
 */
export function hostPaths(host: HostRecord, ev: NetworkEvidence): HostPath[] {
  if (host.kind !== 'vm') {
    const byId = new Map<string, ParsedNsg>();
    if (ev.subnet.state === 'none') return [];
    if (ev.subnet.state === 'unreadable') {
      return [{ label: `subnet ${ev.subnet.id}`, nsgs: { subnet: null }, byId, host: { label: host.name }, addresses: {}, subnet: null, problem: `the subnet ${ev.subnet.id} could not be read: ${ev.subnet.reason}`, notes: [] }];
    }
    const s = ev.subnet.value;
    const label = subnetLabel(s);
    const { nsg, problem } = nsgOf(s.nsg, label, byId);
    const path: HostPath = {
      label,
      nsgs: { subnet: nsg },
      byId,
      host: { label: host.name, prefixes: subnetPrefixes(s.subnet), asgIds: [] },
      addresses: addressContext(s, ev),
      subnet: s,
      notes: ['The NSG of the NIC AzureML attaches to each node is managed by AzureML and not visible; the subnet NSG was evaluated.'],
    };
    if (problem) path.problem = problem;
    if (!subnetPrefixes(s.subnet).length) path.problem = `${label} has no address prefix`;
    return [path];
  }
  return ev.nics.map((ref): HostPath => {
    const byId = new Map<string, ParsedNsg>();
    if (ref.state !== 'found') {
      const id = ref.state === 'unreadable' ? ref.id : '(none)';
      return { label: `NIC ${id}`, nsgs: { subnet: null }, byId, host: { label: host.name }, addresses: {}, subnet: null, problem: `the NIC ${id} could not be read${ref.state === 'unreadable' ? `: ${ref.reason}` : ''}`, notes: [] };
    }
    const { nic } = ref.value;
    const label = `NIC ${nic.name ?? nic.id}`;
    const ipConfigs = arr(props(nic).ipConfigurations).map(inner);
    const ips = ipConfigs.map((c) => str(c.privateIPAddress)).filter((x): x is string => !!x && parsePrefix(x) !== null);
    const asgIds = ipConfigs.flatMap((c) => arr(c.applicationSecurityGroups).map(idOf).filter((x): x is string => !!x));
    const nicNsg = nsgOf(ref.value.nsg, label, byId);
    const problems: string[] = [];
    if (nicNsg.problem) problems.push(nicNsg.problem);
    let subnet: SubnetEvidence | null = null;
    let subnetNsg: ParsedNsg | null = null;
    if (ref.value.subnet.state === 'unreadable') problems.push(`the subnet ${ref.value.subnet.id} of ${label} could not be read: ${ref.value.subnet.reason}`);
    else if (ref.value.subnet.state === 'found') {
      subnet = ref.value.subnet.value;
      const s = nsgOf(subnet.nsg, subnetLabel(subnet), byId);
      subnetNsg = s.nsg;
      if (s.problem) problems.push(s.problem);
    }
    const hostPrefixes = ips.length ? ips : subnet ? subnetPrefixes(subnet.subnet) : [];
    const path: HostPath = {
      label,
      nsgs: { subnet: subnetNsg, nic: nicNsg.nsg },
      byId,
      host: { label: host.name, prefixes: hostPrefixes, asgIds },
      addresses: addressContext(subnet, ev),
      subnet,
      notes: [],
    };
    if (!hostPrefixes.length) problems.push(`${label} has no private IP address`);
    if (problems.length) path.problem = problems.join('; ');
    return path;
  });
}

/**
 * Load balancer ids that the host's readable NICs name through their backend pools (one per id, compared
 * case-insensitively). The NIC's own reference proves the host is load-balanced even when the load balancer itself
 * could not be read.
 */
export function loadBalancersNamedByNics(ev: NetworkEvidence): string[] {
  const out = new Map<string, string>();
  for (const ref of ev.nics) {
    if (ref.state !== 'found') continue;
    for (const c of arr(props(ref.value.nic).ipConfigurations)) {
      const cp = inner(c);
      for (const pool of arr(cp.loadBalancerBackendAddressPools)) {
        const id = idOf(pool) ?? '';
        const i = canonicalId(id).indexOf('/backendaddresspools/');
        if (i > 0) out.set(canonicalId(id.slice(0, i)), id.slice(0, i));
      }
    }
  }
  return [...out.values()];
}

/** A client source from settings (TBMON_CLIENT_SOURCES): a CIDR/IP or a service tag. */
export function sourceEndpoint(text: string): Endpoint {
  return parsePrefix(text) ? { label: text, prefixes: [text] } : { label: text, tag: text };
}

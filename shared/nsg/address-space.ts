// What a service tag means in addresses, as Azure defines it, for one host's network and one IP family:
// - VirtualNetwork: the VNet's address space, peered VNets' space, connected on-premises prefixes and the prefixes
//   of the subnet's user-defined routes (so a 0.0.0.0/0 route makes it everything) — network-security-groups-overview,
//   "Service tags: VirtualNetwork".
// - AzureLoadBalancer: the host virtual IP 168.63.129.16 where health probes come from.
// - Internet: public address space outside the virtual network; the platform IP 168.63.129.16 is not in it.
// - Every other tag: the Service Tags API's prefixes for the region, when the caller could read them; otherwise only
//   an upper bound (public address space) is known, and a verdict that depends on more is `unknown`.
import { IntervalSet } from './intervals';
import { allAddresses, parsePrefix, PUBLIC_SPACE, type IpFamily } from './cidr';

export interface VirtualNetworkSpace {
  /** The VNet's `addressSpace.addressPrefixes`. */
  addressSpace: string[];
  /** Peerings' `remoteAddressSpace.addressPrefixes`. */
  peeredAddressSpace?: string[];
  /** Prefixes of on-premises networks connected through a gateway. */
  onPremisesPrefixes?: string[];
  /** Address prefixes of the subnet's user-defined routes (CIDRs; a route to a service tag is resolved when possible). */
  routePrefixes?: string[];
}

export interface ServiceTagEntry {
  name: string;
  id?: string;
  properties: { addressPrefixes: string[]; [k: string]: unknown };
}

export interface AddressContext {
  virtualNetwork?: VirtualNetworkSpace;
  /** `serviceTags.list` values for the host's region. */
  serviceTags?: ServiceTagEntry[];
  /** Why the service tags could not be read (said in `unknown` verdicts). */
  serviceTagsUnavailable?: string;
}

export type Resolution = { exact: IntervalSet } | { bound: IntervalSet; reason: string };

const AZURE_LOAD_BALANCER = '168.63.129.16/32';
const PLATFORM_TAGS = new Set(['virtualnetwork', 'azureloadbalancer', 'internet']);

/**
 * True when every address of tag `inner` is inside tag `outer`, known without resolving either: the same tag
 * (names compare case-insensitively), a regional tag inside its parent (`Storage.EastUS2` in `Storage`), or a public
 * Azure service tag inside `Internet`.
 */
export function tagContains(outer: string, inner: string): boolean {
  const o = outer.toLowerCase();
  const i = inner.toLowerCase();
  if (o === i) return true;
  if (i.startsWith(`${o}.`)) return true;
  return o === 'internet' && !PLATFORM_TAGS.has(i);
}

function setOf(prefixes: readonly string[] | undefined, family: IpFamily): { set: IntervalSet; bad: string[] } {
  let set = IntervalSet.EMPTY;
  const bad: string[] = [];
  for (const p of prefixes ?? []) {
    const parsed = parsePrefix(p);
    if (!parsed) bad.push(p);
    else if (parsed.family === family) set = set.union(parsed.set);
  }
  return { set, bad };
}

export class AddressResolver {
  private readonly memo = new Map<string, Resolution>();
  private tagTable?: Map<string, ServiceTagEntry>;
  readonly all: IntervalSet;
  readonly public: IntervalSet;

  constructor(readonly context: AddressContext, readonly family: IpFamily) {
    this.all = allAddresses(family);
    this.public = PUBLIC_SPACE[family];
  }

  /** The VNet's own and peered space (what ASG members and "outside the VNet" are measured against), if known. */
  vnetSpace(): IntervalSet | undefined {
    const v = this.context.virtualNetwork;
    if (!v) return undefined;
    return setOf([...v.addressSpace, ...(v.peeredAddressSpace ?? [])], this.family).set;
  }

  resolve(tag: string): Resolution {
    const key = tag.toLowerCase();
    let r = this.memo.get(key);
    if (!r) {
      r = this.compute(key, tag);
      this.memo.set(key, r);
    }
    return r;
  }

  private serviceTag(name: string): ServiceTagEntry | undefined {
    if (!this.tagTable) {
      this.tagTable = new Map();
      for (const t of this.context.serviceTags ?? []) {
        this.tagTable.set(t.name.toLowerCase(), t);
        if (t.id) this.tagTable.set(t.id.toLowerCase(), t);
      }
    }
    return this.tagTable.get(name);
  }

  private compute(key: string, tag: string): Resolution {
    const v = this.context.virtualNetwork;
    if (key === 'azureloadbalancer') return { exact: setOf([AZURE_LOAD_BALANCER], this.family).set };
    if (key === 'virtualnetwork') {
      if (!v) return { bound: this.all, reason: 'the address space of the virtual network is not known' };
      const own = setOf([...v.addressSpace, ...(v.peeredAddressSpace ?? []), ...(v.onPremisesPrefixes ?? [])], this.family);
      const routes = setOf((v.routePrefixes ?? []).filter((p) => parsePrefix(p) !== null), this.family);
      if (own.bad.length) return { bound: this.all, reason: `the virtual network lists prefixes that are not CIDRs: ${own.bad.join(', ')}` };
      // A route whose prefix is a service tag widens VirtualNetwork by that tag's prefixes.
      let set = own.set.union(routes.set);
      for (const p of v.routePrefixes ?? []) {
        if (parsePrefix(p) !== null || p.toLowerCase() === 'virtualnetwork') continue;
        const r = this.resolve(p);
        if (!('exact' in r)) return { bound: this.all, reason: `VirtualNetwork includes the route prefix ${p}, which could not be resolved: ${r.reason}` };
        set = set.union(r.exact);
      }
      return { exact: set };
    }
    if (key === 'internet') {
      const vnet = this.vnetSpace();
      const lb = setOf([AZURE_LOAD_BALANCER], this.family).set;
      if (!vnet) return { bound: this.public.subtract(lb), reason: 'the address space of the virtual network is not known' };
      return { exact: this.public.subtract(vnet).subtract(lb) };
    }
    const entry = this.serviceTag(key);
    if (entry) {
      const { set, bad } = setOf(entry.properties?.addressPrefixes, this.family);
      if (bad.length) return { bound: this.public, reason: `service tag ${tag} lists prefixes that are not CIDRs: ${bad.slice(0, 3).join(', ')}` };
      return { exact: set };
    }
    // Service tags list public prefixes; the platform address 168.63.129.16 is in none of them.
    const bound = this.public.subtract(setOf([AZURE_LOAD_BALANCER], this.family).set);
    const why = this.context.serviceTags
      ? `service tag ${tag} is not in the Service Tags API's list for the region`
      : `the addresses of service tag ${tag} are not known (${this.context.serviceTagsUnavailable ?? 'service tags were not read'})`;
    return { bound, reason: why };
  }
}

const resolvers = new WeakMap<AddressContext, Map<IpFamily, AddressResolver>>();

/** One resolver per context and family, memoised, so repeated evaluations reuse resolved tags. */
export function addressResolver(context: AddressContext, family: IpFamily): AddressResolver {
  let byFamily = resolvers.get(context);
  if (!byFamily) {
    byFamily = new Map();
    resolvers.set(context, byFamily);
  }
  let r = byFamily.get(family);
  if (!r) {
    r = new AddressResolver(context, family);
    byFamily.set(family, r);
  }
  return r;
}

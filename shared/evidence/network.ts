// Network evidence for a batch of hosts, gathered in bulk at the edge (DESIGN.md: cost is a feature).
// - Batch mode (a sweep's tb-evaluate): Resource Graph, one query for every VNet (subnets), NIC, workspace and compute
//   the batch references, and a second only when the first discovers further ids (NSGs, route tables, load
//   balancers, the VNets of NIC subnets — and the NSGs/route tables attached to those subnets, found by their
//   back-references in the same query). Rows are packed per type with `summarize make_list(...)`, so a batch of any
//   size costs at most two requests. Whatever Graph did not return is read from ARM, each resource once.
// - On-demand mode (HTTP check, CLI): ARM directly — Graph can lag a fix by minutes.
// - Service tags: `serviceTags.list` per region, once per sweep (ctx.cache).
import { type Gathered, type HostRecord, canonicalId } from '../model';
import { API_VERSIONS, ArmError } from '../azure';
import { kqlString } from '../kql';
import type { ServiceTagEntry } from '../nsg/address-space';
import { cached, type EvidenceContext } from './context';
import { arr, idOf, obj, props } from '../arm-json';
import type { ArmObject, NetworkEvidence, NicEvidence, Ref, SubnetEvidence } from './network-types';

const ARM_CONCURRENCY = 8;


/** `/…/virtualNetworks/v/subnets/s` → `/…/virtualNetworks/v`. */
export function vnetIdOf(subnetId: string): string {
  const i = canonicalId(subnetId).indexOf('/subnets/');
  return i < 0 ? subnetId : subnetId.slice(0, i);
}

/** `/…/loadBalancers/lb/backendAddressPools/p` → `/…/loadBalancers/lb`. */
function parentOf(childId: string, segment: string): string | null {
  const i = canonicalId(childId).indexOf(`/${segment.toLowerCase()}/`);
  return i < 0 ? null : childId.slice(0, i);
}

function subscriptionOf(id: string): string {
  return id.split('/')[2] ?? '';
}

/** What has been read so far, by canonical id; and why a resource could not be read. */
class Store {
  readonly found = new Map<string, ArmObject>();
  readonly failed = new Map<string, string>();
  /** Subnets some host uses (canonical ids): their NSGs and route tables are wanted. */
  readonly wantedSubnets = new Set<string>();

  add(o: unknown): void {
    const id = idOf(o);
    if (id) this.found.set(canonicalId(id), o as ArmObject);
  }
  has(id: string): boolean {
    return this.found.has(canonicalId(id));
  }
  get(id: string): ArmObject | undefined {
    return this.found.get(canonicalId(id));
  }

  /** Ids referenced by what is known that are not read yet. */
  missing(): string[] {
    const want = new Map<string, string>();
    const need = (id: string | null) => {
      if (id && !this.has(id) && !this.failed.has(canonicalId(id))) want.set(canonicalId(id), id);
    };
    const ofType = (t: string) => [...this.found.values()].filter((o) => (o.type ?? '').toLowerCase() === t);
    // NICs first: they name the subnets whose NSGs and route tables the VNets then point at.
    for (const o of ofType('microsoft.network/networkinterfaces')) {
      need(idOf(props(o).networkSecurityGroup));
      for (const c of arr(props(o).ipConfigurations)) {
        const cp = obj(obj(c).properties);
        const subnet = idOf(cp.subnet);
        if (subnet) {
          this.wantedSubnets.add(canonicalId(subnet));
          need(vnetIdOf(subnet));
        }
        for (const pool of arr(cp.loadBalancerBackendAddressPools)) {
          const p = idOf(pool);
          need(p ? parentOf(p, 'backendAddressPools') : null);
        }
      }
    }
    for (const o of ofType('microsoft.network/virtualnetworks')) {
      for (const s of arr(props(o).subnets)) {
        if (!this.wantedSubnets.has(canonicalId(idOf(s) ?? ''))) continue;
        need(idOf(obj(obj(s).properties).networkSecurityGroup));
        need(idOf(obj(obj(s).properties).routeTable));
      }
    }
    return [...want.values()];
  }
}

/** The ids every host of the batch references directly. */
function directIds(hosts: HostRecord[], store: Store): string[] {
  const ids = new Map<string, string>();
  const add = (id: string | null | undefined) => {
    if (id) ids.set(canonicalId(id), id);
  };
  for (const h of hosts) {
    if (h.kind === 'vm') h.facts.nicIds.forEach(add);
    else {
      if (h.facts.subnetId) {
        store.wantedSubnets.add(h.facts.subnetId);
        add(vnetIdOf(h.facts.subnetId));
      }
      add(h.facts.workspaceId);
      if (h.kind === 'compute-instance') add(h.id);
    }
  }
  return [...ids.values()];
}

const PACK = 'summarize items = make_list(bag_pack("id", id, "name", name, "type", type, "location", location, "properties", properties)) by type';

/**
 * One Resource Graph request for these ids (and, when given, the NSGs and route tables whose back-references name
 * one of `subnetIds`): rows packed per type, so one page holds any number of resources.
 */
export function networkGraphQuery(ids: string[], subnetIds: string[] = []): string {
  const idList = ids.map((i) => kqlString(canonicalId(i))).join(', ');
  const clauses = [`tolower(id) in (${idList})`];
  if (subnetIds.length) {
    // `"id":"<subnet>"` inside properties.subnets — the closing quote keeps snet-1 from matching snet-10.
    const backRefs = subnetIds.map((s) => `tostring(properties.subnets) contains ${kqlString(`${canonicalId(s)}"`)}`).join(' or ');
    clauses.push(`(type in~ ("microsoft.network/networksecuritygroups", "microsoft.network/routetables") and (${backRefs}))`);
  }
  return `resources | where ${clauses.join(' or ')} | project id, name, type, location, properties | ${PACK}`;
}

async function graphRead(ctx: EvidenceContext, ids: string[], subnetIds: string[], subscriptions: string[], store: Store): Promise<void> {
  const query = networkGraphQuery(ids, subnetIds);
  let skipToken: string | undefined;
  do {
    const res = await ctx.azure.resourceGraph().resources(
      { query, subscriptions, options: { resultFormat: 'objectArray', top: 1000, ...(skipToken ? { skipToken } : {}) } },
      { abortSignal: ctx.abortSignal },
    );
    for (const row of arr(res.data)) for (const item of arr(obj(row).items)) store.add(typeof item === 'string' ? JSON.parse(item) : item);
    skipToken = res.skipToken ?? undefined;
  } while (skipToken);
}

const API_BY_PROVIDER: Record<string, string> = {
  'microsoft.network': API_VERSIONS.network,
  'microsoft.machinelearningservices': API_VERSIONS.machineLearning,
};

function apiVersionFor(id: string): string {
  const m = /\/providers\/([^/]+)\//i.exec(id);
  return API_BY_PROVIDER[(m?.[1] ?? '').toLowerCase()] ?? API_VERSIONS.network;
}

async function armRead(ctx: EvidenceContext, ids: string[], store: Store): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        store.add(await ctx.azure.armGet(id, apiVersionFor(id), ctx.abortSignal));
        if (!store.has(id)) store.failed.set(canonicalId(id), 'ARM answered without the resource');
      } catch (e) {
        const why = e instanceof ArmError ? `${e.statusCode} ${e.code}` : (e as Error).message;
        store.failed.set(canonicalId(id), why);
        if (!(e instanceof ArmError && e.statusCode === 404)) ctx.errors.push({ scope: id, code: e instanceof ArmError ? e.code : 'ArmReadFailed', message: `reading ${id} for network evidence failed: ${why}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ARM_CONCURRENCY, ids.length) }, worker));
}

/** Computes of a workspace from ARM (one paged list per workspace), when Graph does not index computes. */
async function armWorkspaceComputes(ctx: EvidenceContext, workspaceIds: string[], store: Store): Promise<void> {
  for (const ws of workspaceIds) {
    try {
      for await (const page of ctx.azure.armListPages<ArmObject>(`${ws}/computes`, API_VERSIONS.machineLearning, ctx.abortSignal)) page.forEach((c) => store.add(c));
    } catch (e) {
      ctx.errors.push({ scope: ws, code: e instanceof ArmError ? e.code : 'ArmReadFailed', message: `listing the computes of ${ws} failed: ${(e as Error).message}` });
    }
  }
}

async function serviceTagsFor(ctx: EvidenceContext, subscriptionId: string, location: string): Promise<Gathered<ServiceTagEntry[]>> {
  try {
    const values = await cached(ctx, `network:serviceTags:${location.toLowerCase()}`, async () => {
      const res = await ctx.azure.armGet<{ values?: ServiceTagEntry[] }>(`/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${encodeURIComponent(location)}/serviceTags`, API_VERSIONS.network, ctx.abortSignal);
      return Array.isArray(res?.values) ? res.values : [];
    });
    return { ok: true, value: values };
  } catch (e) {
    const why = e instanceof ArmError ? `${e.statusCode} ${e.code}` : (e as Error).message;
    // A run-level failure too (once per region per batch): every check that needs the tags' addresses is unknown.
    ctx.errors.push({ scope: `/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${location}/serviceTags`, code: e instanceof ArmError ? e.code : 'ServiceTagsFailed', message: `reading the service tags of ${location} (serviceTags.list) failed: ${why}` });
    return { ok: false, reason: `serviceTags.list for ${location} failed: ${why}`, hint: 'Grant Reader (Microsoft.Network/locations/serviceTags/read) on the subscription.' };
  }
}

function ref(store: Store, id: string | null): Ref<ArmObject> {
  if (!id) return { state: 'none' };
  const o = store.get(id);
  if (o) return { state: 'found', value: o };
  return { state: 'unreadable', id, reason: store.failed.get(canonicalId(id)) ?? 'not returned by Resource Graph or ARM' };
}

function subnetEvidence(store: Store, subnetId: string): Ref<SubnetEvidence> {
  const vnetRef = ref(store, vnetIdOf(subnetId));
  if (vnetRef.state !== 'found') return { state: 'unreadable', id: subnetId, reason: vnetRef.state === 'unreadable' ? `its virtual network: ${vnetRef.reason}` : 'no virtual network' };
  const vnet = vnetRef.value;
  const subnet = arr(props(vnet).subnets).find((s) => canonicalId(idOf(s) ?? '') === canonicalId(subnetId)) as ArmObject | undefined;
  if (!subnet) return { state: 'unreadable', id: subnetId, reason: `virtual network ${vnet.name} has no subnet ${subnetId.split('/').pop()}` };
  const sp = obj(subnet.properties);
  return { state: 'found', value: { id: subnetId, subnet, vnet, nsg: ref(store, idOf(sp.networkSecurityGroup)), routeTable: ref(store, idOf(sp.routeTable)) } };
}

function nicEvidence(store: Store, nicId: string): Ref<NicEvidence> {
  const nicRef = ref(store, nicId);
  if (nicRef.state !== 'found') return nicRef.state === 'none' ? { state: 'none' } : nicRef;
  const nic = nicRef.value;
  const configs = arr(props(nic).ipConfigurations).map((c) => obj(obj(c).properties));
  const primary = configs.find((c) => c.primary === true) ?? configs[0];
  const subnetId = idOf(primary?.subnet);
  return { state: 'found', value: { nic, nsg: ref(store, idOf(props(nic).networkSecurityGroup)), subnet: subnetId ? subnetEvidence(store, subnetId) : { state: 'none' } } };
}

function loadBalancersOf(store: Store, nics: Ref<NicEvidence>[]): ArmObject[] {
  const out = new Map<string, ArmObject>();
  for (const n of nics) {
    if (n.state !== 'found') continue;
    for (const c of arr(props(n.value.nic).ipConfigurations)) {
      for (const pool of arr(obj(obj(c).properties).loadBalancerBackendAddressPools)) {
        const lbId = parentOf(idOf(pool) ?? '', 'backendAddressPools');
        const lb = lbId ? store.get(lbId) : undefined;
        if (lb) out.set(canonicalId(lb.id), lb);
      }
    }
  }
  return [...out.values()];
}

function customServicesOf(store: Store, host: HostRecord): unknown[] | null {
  if (host.kind !== 'compute-instance') return null;
  const compute = store.get(host.id);
  if (!compute) return null;
  const inner = obj(props(compute).properties);
  return arr(inner.customServices);
}

/** Network evidence per host id. Never throws for one unreadable resource: that host's checks say `unknown`. */
export async function gatherNetworkEvidence(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<NetworkEvidence>>> {
  const store = new Store();
  const direct = directIds(hosts, store);
  const subscriptions = [...new Set(hosts.map((h) => h.subscriptionId).concat(direct.map(subscriptionOf)).filter(Boolean))];
  let source: NetworkEvidence['source'] = 'arm';

  if (ctx.mode === 'batch' && direct.length) {
    source = 'resourceGraph';
    try {
      await graphRead(ctx, direct, [], subscriptions, store);
      const discovered = store.missing();
      // Subnets of NICs whose VNet was not in the first pass: fetch their NSGs/route tables by back-reference.
      const newSubnets = [...store.wantedSubnets].filter((s) => !store.has(vnetIdOf(s)));
      if (discovered.length) await graphRead(ctx, discovered, newSubnets, [...new Set([...subscriptions, ...discovered.map(subscriptionOf)])], store);
    } catch (e) {
      source = 'arm';
      ctx.errors.push({ scope: 'resourceGraph', code: 'NetworkQueryFailed', message: `the network evidence query failed; reading from ARM instead: ${(e as Error).message}` });
    }
    // Computes Graph does not index: one ARM list per workspace, never one call per host.
    const lackingComputes = hosts.filter((h) => h.kind === 'compute-instance' && !store.has(h.id)).map((h) => h.facts.workspaceId).filter((w): w is string => !!w);
    if (lackingComputes.length) await armWorkspaceComputes(ctx, [...new Set(lackingComputes)], store);
  }
  // ARM for everything still missing (all of it on demand), each resource once, until nothing new is referenced.
  // In a batch, a compute neither Graph nor its workspace's compute list returned is not read again one by one.
  const computeIds = new Set(hosts.filter((h) => h.kind === 'compute-instance').map((h) => h.id));
  let pending = [...new Set([...direct.filter((id) => !store.has(id) && !(ctx.mode === 'batch' && computeIds.has(canonicalId(id)))), ...store.missing()])];
  for (let round = 0; round < 4 && pending.length; round++) {
    await armRead(ctx, pending, store);
    pending = store.missing();
  }

  const out = new Map<string, Gathered<NetworkEvidence>>();
  const tagsByLocation = new Map<string, Promise<Gathered<ServiceTagEntry[]>>>();
  const inVnet = (h: HostRecord) => h.kind === 'vm' || !!h.facts.subnetId;
  for (const h of hosts.filter(inVnet)) {
    const key = h.location.toLowerCase();
    if (!tagsByLocation.has(key)) tagsByLocation.set(key, serviceTagsFor(ctx, h.subscriptionId, h.location));
  }
  const noTags: Gathered<ServiceTagEntry[]> = { ok: false, reason: 'the host is not in a customer virtual network' };
  for (const h of hosts) {
    const nics = h.kind === 'vm' ? h.facts.nicIds.map((id) => nicEvidence(store, id)) : [];
    const ev: NetworkEvidence = {
      subnet: h.kind !== 'vm' && h.facts.subnetId ? subnetEvidence(store, h.facts.subnetId) : { state: 'none' },
      nics,
      loadBalancers: loadBalancersOf(store, nics),
      workspace: h.kind !== 'vm' ? ref(store, h.facts.workspaceId) : { state: 'none' },
      customServices: customServicesOf(store, h),
      serviceTags: (await tagsByLocation.get(h.location.toLowerCase())) ?? noTags,
      source,
    };
    out.set(h.id, { ok: true, value: ev });
  }
  return out;
}

// How Log Analytics rows name a host (CHECKS.md § script): Syslog/metrics rows by `Computer` (the compute instance
// name, a VM's OS computer name) or `_ResourceId` (case-insensitive); cluster events by `ClusterName` within the
// ML workspace's `_ResourceId`; traffic-analytics flows by VM, NIC, private IP within its subnet, or subnet. Every
// key is lower-cased here and on the server, and the index maps a returned key back to every host it may belong to.
import { type HostRecord, canonicalId } from '../model';

export interface HostKeys {
  /** `Computer` values (lower-case) that name the host whatever `_ResourceId` the row carries (compute instances). */
  computers: string[];
  /**
   * A VM's OS computer name (lower-case): it names the host only on rows that carry no `_ResourceId` — a row with
   * another resource id is another machine's, however its host name reads (VMs from one image often share one).
   */
  vmComputers: string[];
  /** `_ResourceId` values (lower-case ARM ids). */
  resourceIds: string[];
  /** For clusters: `ClusterName` (lower-case) and the ML workspace id rows carry as `_ResourceId` (lower-case). */
  cluster: { name: string; workspaceId: string } | null;
  /** ML workspace id (lower-case) for workspace-level metrics (AzureMetrics), clusters only. */
  workspaceMetricsKey: string | null;
  /** NTANetAnalytics DestVm / DestNic / DestSubnet forms (`sub/rg/name` and full ARM ids, lower-case). */
  flowVms: string[];
  flowNics: string[];
  flowSubnets: string[];
  /**
   * `<subnet>|<private IP>` for each subnet form (IP addresses repeat across VNets, so an address alone would tie
   * another VNet's host): set when the host's private IP is known (compute instances), empty otherwise.
   */
  flowIps: string[];
}

/** `sub/rg/name…` — the short form traffic analytics writes for VMs, NICs (`sub/rg/nic`) and subnets (`sub/rg/vnet/subnet`). */
export function shortFlowId(armId: string): string | null {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)(?:\/subnets\/([^/]+))?$/i.exec(armId);
  if (!m) return null;
  return canonicalId([m[1], m[2], m[3], m[4]].filter((s) => s !== undefined).join('/'));
}

function bothForms(armId: string | null): string[] {
  if (!armId) return [];
  const short = shortFlowId(armId);
  return short ? [armId, short] : [armId];
}

/** The flow key of an address in a subnet, as the flows query builds it from DestSubnet and DestIp. */
export function flowIpKey(subnet: string, ip: string): string {
  return `${subnet.toLowerCase()}|${ip.toLowerCase()}`;
}

export function hostKeysOf(host: HostRecord): HostKeys {
  const computers = new Set<string>();
  const vmComputers = new Set<string>();
  const resourceIds = new Set<string>([host.id]);
  if (host.kind === 'vm') {
    // The OS computer name is what the agent writes; the VM name only stands in when discovery did not read it.
    vmComputers.add((host.facts.computerName ?? host.name).toLowerCase());
  } else if (host.kind === 'compute-instance') {
    computers.add(host.name.toLowerCase());
  }
  const workspaceId = host.facts.workspaceId;
  const isCluster = host.kind === 'compute-cluster';
  return {
    computers: [...computers],
    vmComputers: [...vmComputers],
    resourceIds: [...resourceIds],
    cluster: isCluster ? { name: host.name.toLowerCase(), workspaceId: workspaceId ?? '' } : null,
    workspaceMetricsKey: isCluster && workspaceId ? workspaceId : null,
    flowVms: host.kind === 'vm' ? bothForms(host.id) : [],
    flowNics: host.facts.nicIds.flatMap(bothForms),
    flowSubnets: bothForms(host.facts.subnetId),
    flowIps: host.facts.privateIp ? bothForms(host.facts.subnetId).map((s) => flowIpKey(s, host.facts.privateIp as string)) : [],
  };
}

/** Maps the keys the server returns back to host ids. A key may belong to several hosts (a shared computer name). */
export class HostKeyIndex {
  private readonly byKey = new Map<string, Set<string>>();
  readonly keys = new Map<string, HostKeys>();

  constructor(readonly hosts: readonly HostRecord[]) {
    for (const h of hosts) {
      const k = hostKeysOf(h);
      this.keys.set(h.id, k);
      for (const c of [...k.computers, ...k.vmComputers]) this.add(`computer:${c}`, h.id);
      for (const r of k.resourceIds) this.add(`resource:${r}`, h.id);
      if (k.cluster) this.add(`cluster:${k.cluster.name}`, h.id);
      if (k.workspaceMetricsKey) this.add(`workspace:${k.workspaceMetricsKey}`, h.id);
      for (const v of k.flowVms) this.add(`vm:${v}`, h.id);
      for (const n of k.flowNics) this.add(`nic:${n}`, h.id);
      for (const s of k.flowSubnets) this.add(`subnet:${s}`, h.id);
      for (const i of k.flowIps) this.add(`ip:${i}`, h.id);
    }
  }

  private add(key: string, hostId: string): void {
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = new Set()));
    s.add(hostId);
  }

  /** Host ids for a `kind:value` key. */
  lookup(kind: string, value: string): string[] {
    return [...(this.byKey.get(`${kind}:${value.toLowerCase()}`) ?? [])];
  }

  /** A Syslog/metrics row's HostKey: an ARM id when `_ResourceId` matched, else the computer name. */
  hostsForRowKey(hostKey: string): string[] {
    const k = hostKey.toLowerCase();
    return k.startsWith('/subscriptions/') ? this.lookup('resource', k) : this.lookup('computer', k);
  }

  /** A cluster row: its cluster name, and — when the row carries one — the ML workspace it came from. */
  hostsForCluster(clusterName: string, workspaceResourceId: string): string[] {
    const ws = canonicalId(workspaceResourceId);
    return this.lookup('cluster', clusterName).filter((id) => {
      const c = this.keys.get(id)?.cluster;
      return !!c && (ws === '' || c.workspaceId === '' || c.workspaceId === ws);
    });
  }

  all<K extends 'computers' | 'vmComputers' | 'resourceIds' | 'flowVms' | 'flowNics' | 'flowSubnets' | 'flowIps'>(field: K): string[] {
    const out = new Set<string>();
    for (const k of this.keys.values()) for (const v of k[field]) out.add(v);
    return [...out].sort();
  }

  clusterNames(): string[] {
    return [...new Set([...this.keys.values()].flatMap((k) => (k.cluster ? [k.cluster.name] : [])))].sort();
  }

  workspaceMetricsKeys(): string[] {
    return [...new Set([...this.keys.values()].flatMap((k) => (k.workspaceMetricsKey ? [k.workspaceMetricsKey] : [])))].sort();
  }
}

// What every network check does first: read the network evidence, decide whether the host's network mode applies.
import type { CheckOutcome, HostRecord } from '../../model';
import type { NetworkEvidence } from '../../evidence/network-types';
import type { HostEvidence } from '../../evidence/types';
import { hostPaths, type HostPath } from './path';

export const NETWORK_HINT = 'tbmon reads subnets, NSGs, NICs, route tables, load balancers and the workspace through Resource Graph (sweeps) or ARM (on-demand checks); grant Reader on their resource groups.';

/** A compute with no customer VNet runs in AzureML's own network: nothing of ours to evaluate. */
export function notInCustomerVnet(host: HostRecord): boolean {
  return host.kind !== 'vm' && !host.facts.subnetId;
}

/** Public IP is Azure's default for computes when the property is absent. */
export function hasPublicIp(host: HostRecord): boolean {
  return host.facts.enableNodePublicIp !== false;
}

/** The outcome when the network evidence could not be read: unknown, with the reason and how to grant access. */
export function networkUnavailable(title: string, network: { reason: string; hint?: string }): CheckOutcome {
  return { status: 'unknown', summary: `${title}: network evidence is not available: ${network.reason}`, hint: network.hint ?? NETWORK_HINT };
}

export type Prepared = { ok: true; ev: NetworkEvidence; paths: HostPath[] } | { ok: false; outcome: CheckOutcome };

/** The evidence and paths, or the outcome to return (unknown when unreadable, skipped when not in a VNet). */
export function prepare(evidence: HostEvidence, title: string): Prepared {
  const { host, network } = evidence;
  if (notInCustomerVnet(host)) return { ok: false, outcome: { status: 'skipped', summary: `${title}: ${host.name} is not in a customer virtual network (AzureML manages its network)` } };
  if (!network.ok) return { ok: false, outcome: networkUnavailable(title, network) };
  const paths = hostPaths(host, network.value);
  if (paths.length === 0) {
    return { ok: false, outcome: { status: 'unknown', summary: `${title}: no network path to ${host.name} is known (no subnet or NIC in the evidence)`, hint: NETWORK_HINT } };
  }
  return { ok: true, ev: network.value, paths };
}

export function workspaceHasPrivateEndpoint(ev: NetworkEvidence): boolean | null {
  if (ev.workspace.state !== 'found') return null;
  const conns = (ev.workspace.value.properties?.privateEndpointConnections ?? []) as unknown[];
  return Array.isArray(conns) && conns.some((c) => approved(c));
}

export function approved(conn: unknown): boolean {
  const o = (conn && typeof conn === 'object' ? conn : {}) as Record<string, unknown>;
  const p = (o.properties && typeof o.properties === 'object' ? o.properties : o) as Record<string, unknown>;
  const state = (p.privateLinkServiceConnectionState ?? {}) as Record<string, unknown>;
  return typeof state.status === 'string' && state.status.toLowerCase() === 'approved';
}

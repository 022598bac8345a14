// All evidence for a batch of hosts: every family gathered in bulk, in parallel, then one HostEvidence per host.
// A gatherer that throws does not sink the batch: each host's family becomes `{ ok: false, reason }` (so the checks
// that need it say `unknown`, never pass) and the failure is recorded as a RunError.
import { canonicalId, type Gathered, type HostRecord } from '../model';
import type { EvidenceContext } from './context';
import { LOG_FAMILIES, type LogEvidence } from './log-types';
import type { HostEvidence, NetworkEvidence, VmSizeInfo } from './types';
import { gatherLogEvidence } from './logs';
import { gatherNetworkEvidence } from './network';
import { gatherVmSizes } from './vm-size';
import { gatherCollectionRules, type CollectionEvidence } from './collection';
import { resolveJobComputes } from './job-compute';

export interface Gatherers {
  network(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<NetworkEvidence>>>;
  logs(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, LogEvidence>>;
  vmSizes(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<VmSizeInfo>>>;
  /** Optional: gatherer sets written before it (benchmarks, fault tests) read no rules. */
  collection?(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<CollectionEvidence>>>;
}

export const GATHERERS: Gatherers = { network: gatherNetworkEvidence, logs: gatherLogEvidence, vmSizes: gatherVmSizes, collection: gatherCollectionRules };

/**
 * Every family for every host, in bulk. A job-service host's compute (evidence/job-compute.ts) is gathered with the
 * batch — in the same requests, as one more host — unless it is a host of the batch already; the job's host then
 * carries that evidence, seen from the job, as `jobCompute`.
 */
export async function gatherEvidence(hosts: HostRecord[], ctx: EvidenceContext, gatherers: Gatherers = GATHERERS): Promise<Map<string, HostEvidence>> {
  const collect = gatherers.collection;
  const computes = await settle('job compute', () => resolveJobComputes(hosts, ctx), ctx);
  const ids = new Set(hosts.map((h) => canonicalId(h.id)));
  const extra = new Map<string, HostRecord>();
  if (computes.ok) {
    for (const c of computes.value.values()) if (c.ok && !ids.has(canonicalId(c.value.id))) extra.set(canonicalId(c.value.id), c.value);
  }
  const all = extra.size ? [...hosts, ...extra.values()] : hosts;
  const [network, logs, vmSizes, collection] = await Promise.all([
    settle('network', () => gatherers.network(all, ctx), ctx),
    settle('logs', () => gatherers.logs(all, ctx), ctx),
    settle('vmSizes', () => gatherers.vmSizes(all, ctx), ctx),
    collect ? settle('collection', () => collect(hosts, ctx), ctx) : Promise.resolve(null),
  ]);
  const evidenceOf = (host: HostRecord): HostEvidence => ({
    host,
    network: pick(network, host.id, 'network'),
    vmSize: pick(vmSizes, host.id, 'VM size'),
    logs: pickLogs(logs, host.id),
  });
  const out = new Map<string, HostEvidence>();
  for (const host of hosts) {
    const ev: HostEvidence = { ...evidenceOf(host), ...(collection ? { collection: pick(collection, host.id, 'data collection rule') } : {}) };
    if (host.kind === 'job-service') {
      const c = computes.ok ? computes.value.get(host.id) : { ok: false as const, reason: computes.reason };
      ev.jobCompute = !c ? { ok: false, reason: 'the job\'s compute was not looked up' } : c.ok ? { ok: true, value: evidenceOf(c.value) } : c;
    }
    out.set(host.id, ev);
  }
  return out;
}

/** A family gathered for the batch, or why it could not be (a run error too). */
async function settle<T>(family: string, run: () => Promise<T>, ctx: EvidenceContext): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    ctx.errors.push({ scope: `evidence:${family}`, code: 'GatherFailed', message: `gathering ${family} evidence failed: ${message}` });
    return { ok: false, reason: `gathering ${family} evidence failed: ${message}` };
  }
}

type Settled<T> = { ok: true; value: Map<string, T> } | { ok: false; reason: string };


function pick<T>(s: Settled<Gathered<T>>, hostId: string, what: string): Gathered<T> {
  if (!s.ok) return { ok: false, reason: s.reason };
  return s.value.get(hostId) ?? { ok: false, reason: `no ${what} evidence was gathered for this host` };
}

function pickLogs(s: Settled<LogEvidence>, hostId: string): LogEvidence {
  const found = s.ok ? s.value.get(hostId) : undefined;
  if (found) return found;
  const reason = s.ok ? 'no Log Analytics evidence was gathered for this host' : s.reason;
  return Object.fromEntries(LOG_FAMILIES.map((f) => [f, { ok: false, reason }])) as unknown as LogEvidence;
}

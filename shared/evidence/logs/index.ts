// Log Analytics evidence for a batch of hosts: per workspace and chunk of ≤ 1,000 hosts, one query per evidence
// family (launch log, kernel messages, metrics, cluster events, denied flows), each summarised per host on the
// server; results split per host here. A family that could not be read — no workspace, no data (204), a partial
// error, a query that failed after retries — is `{ ok: false, reason, hint }` for exactly the hosts it covered.
// By job: partition.ts and plan.ts (chunks and their queries), run.ts (one query and how its failures sort;
// no-content.ts the 204 workaround), rows.ts (row parsers); this file puts them together.
import type { Gathered, HostRecord } from '../../model';
import type { EvidenceContext } from '../context';
import { KERNEL_HINT, LOG_FAMILIES, type LogEvidence, type LogFamily } from '../log-types';
import { planChunkQueries, planChunks, type PlannedQuery } from './plan';
import { parseFamily } from './rows';
import { runFamilyQuery, type LogGatherOptions } from './run';

export { MAX_HOSTS_PER_QUERY, planChunkQueries, planChunks, plannedQueries, restartReadBack, type Chunk, type PlannedQuery } from './plan';
export type { LogGatherOptions } from './run';

export const NO_WORKSPACE_HINT =
  'Send the host\'s logs to a Log Analytics workspace and tell tbmon which: a diagnostic setting on the ML workspace, ' +
  'the tag `tbmon-log-analytics=<workspace ARM id or customer id>` on the host, or the setting TBMON_LOG_ANALYTICS_WORKSPACE_ID.';

const FAMILY_HINTS: Record<LogFamily, string> = {
  launch: 'Start TensorBoard with the tbmon launcher, tensorboard-launch.sh (get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app), or `tensorboard … 2>&1 | logger -t tensorboard`, and collect Syslog (facility user) with a data collection rule.',
  kernel: KERNEL_HINT,
  metrics: 'Enable VM insights (InsightsMetrics) or Perf counters for memory, logical disk and processor; for clusters, send the ML workspace\'s metrics and AmlComputeCpuGpuUtilization to the workspace.',
  cluster: 'Send the ML workspace\'s AmlComputeClusterEvent diagnostics to the Log Analytics workspace.',
  flows: 'Enable VNet or NSG flow logs with traffic analytics into this Log Analytics workspace.',
};

function missing(reason: string, hint?: string): { ok: false; reason: string; hint?: string } {
  return hint ? { ok: false, reason, hint } : { ok: false, reason };
}

function allMissing(reason: string, hint?: string): LogEvidence {
  const out = {} as Record<LogFamily, Gathered<never>>;
  for (const f of LOG_FAMILIES) out[f] = missing(reason, hint);
  return out as unknown as LogEvidence;
}

async function runPlannedQuery(q: PlannedQuery, ctx: EvidenceContext, options: LogGatherOptions, out: Map<string, LogEvidence>): Promise<void> {
  const set = (id: string, value: Gathered<unknown>) => {
    (out.get(id) as unknown as Record<LogFamily, Gathered<unknown>>)[q.family] = value;
  };
  const res = await runFamilyQuery(ctx, q.workspaceId, q.family, q.query, q.timespan, options);
  if (!res.ok) {
    for (const id of q.hostIds) set(id, missing(res.reason, FAMILY_HINTS[q.family]));
    return;
  }
  const parsed = parseFamily(q, res.rows, ctx);
  for (const id of q.hostIds) {
    const v = parsed.get(id);
    set(id, v === undefined
      ? missing(`no ${q.family} rows for this host in Log Analytics workspace ${q.workspaceId} in the last ${ctx.settings.lookback}`, FAMILY_HINTS[q.family])
      : { ok: true, value: v });
  }
}

export async function gatherLogEvidence(hosts: HostRecord[], ctx: EvidenceContext, options: LogGatherOptions = {}): Promise<Map<string, LogEvidence>> {
  const out = new Map<string, LogEvidence>();
  for (const h of hosts) {
    out.set(h.id, h.kind === 'job-service'
      ? allMissing('an AzureML job\'s output does not reach Log Analytics (its logs are in the job\'s outputs, system_logs/)')
      : h.logAnalyticsWorkspaceId
      ? allMissing('not gathered')
      : allMissing('no Log Analytics workspace is known for this host', NO_WORKSPACE_HINT));
  }
  const tasks: Promise<void>[] = [];
  for (const chunk of planChunks(hosts)) {
    const { queries, notApplicable } = planChunkQueries(chunk, ctx.settings, ctx.now);
    for (const n of notApplicable) (out.get(n.hostId) as unknown as Record<LogFamily, Gathered<unknown>>)[n.family] = missing(n.reason, n.hint);
    for (const q of queries) tasks.push(runPlannedQuery(q, ctx, options, out));
  }
  await Promise.all(tasks);
  return out;
}

// Evaluate hosts: gather evidence in bulk, run every applicable check, build one report per host. The same code
// serves the queue-triggered evaluate (mode `batch`), the HTTP check and the CLI (mode `on-demand`); it writes
// nothing — only the evaluate pipeline (evaluate-batch.ts) stores state and alerts.
import type { AzureContext } from './azure';
import type { Settings } from './config';
import { runChecks } from './checks/registry';
import type { CheckDefinition } from './checks/types';
import type { EvidenceContext } from './evidence/context';
import type { HostEvidence } from './evidence/types';
import { gatherEvidence, GATHERERS, type Gatherers } from './evidence/index';
import { hostOf, hostStatus, requestsBetween, type HostCoverage, type HostRecord, type HostReport, type RunError, type RunStats } from './model';
import { parseSuppressions } from './suppressions';
import { hostCoverage } from './coverage/host';

export interface EvaluateOptions {
  azure: AzureContext;
  settings: Settings;
  mode: 'batch' | 'on-demand';
  /** Evaluation time (the sandbox clock in tests); default now. */
  now?: Date;
  /** Per-sweep memo shared across batches (service tags, VM size catalogues). */
  cache?: Map<string, Promise<unknown>>;
  abortSignal?: AbortSignal;
  /** Replace the registered checks or gatherers (benchmarks, fault tests). */
  checks?: readonly CheckDefinition[];
  gatherers?: Gatherers;
  /**
   * Takes each report as it is made, in the hosts' order; `reports` is then empty. A caller that writes reports out
   * (the CLI's scan) holds one at a time instead of a batch's (1,000 hosts: ~17 MB of report JSON).
   */
  onReport?: (report: HostReport) => void;
}

export interface EvaluateResult {
  reports: HostReport[];
  errors: RunError[];
  /** Duration and the requests this call made per API. */
  stats: RunStats;
}

/** The host's coverage; a bug in it costs the host its coverage (a run error), never its report. */
function coverageOf(ev: HostEvidence, ctx: EvidenceContext): { coverage?: HostCoverage } {
  try {
    return { coverage: hostCoverage(ev) };
  } catch (e) {
    ctx.errors.push({ scope: ev.host.id, code: 'CoverageFailed', message: `tbmon bug: the host's coverage could not be computed: ${(e as Error)?.message ?? String(e)}` });
    return {};
  }
}

export async function evaluateHosts(hosts: HostRecord[], options: EvaluateOptions): Promise<EvaluateResult> {
  const started = performance.now();
  const before = options.azure.counter.snapshot();
  const now = options.now ?? new Date();
  const ctx: EvidenceContext = {
    azure: options.azure, settings: options.settings, mode: options.mode, errors: [], cache: options.cache ?? new Map(), now,
    abortSignal: options.abortSignal,
  };
  const evidence = await gatherEvidence(hosts, ctx, options.gatherers ?? GATHERERS);
  const evaluatedAt = now.toISOString();
  const reports: HostReport[] = [];
  for (const record of hosts) {
    const ev = evidence.get(record.id);
    if (!ev) continue; // gatherEvidence returns every host; a duplicate id in the input is reported once
    // Dropped once its report is made: the batch's evidence is let go host by host.
    evidence.delete(record.id);
    const checks = runChecks(ev, options.settings, { now, checks: options.checks });
    const report: HostReport = { host: hostOf(record), evaluatedAt, status: hostStatus(checks), checks, ...coverageOf(ev, ctx) };
    if (options.onReport) options.onReport(report);
    else reports.push(report);
    for (const problem of parseSuppressions(record.tags).problems) ctx.errors.push({ scope: record.id, code: 'InvalidSuppression', message: problem });
  }
  const requests = requestsBetween(before, options.azure.counter.snapshot());
  return { reports, errors: ctx.errors, stats: { durationMs: Math.round(performance.now() - started), requests } };
}

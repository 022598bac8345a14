// One family query to one Log Analytics workspace, throttled and retried (logs-throttle.ts), and how its failures
// sort: no data (204) and a missing table are reasons, not run errors; anything else — a failed request, a partial
// result — is a run error too, and partial rows are never used.
import { RestError } from '@azure/core-rest-pipeline';
import type { LogsQueryPartialResult, LogsQueryResult } from '@azure/monitor-query-logs';
import type { RunError } from '../../model';
import type { EvidenceContext } from '../context';
import type { LogFamily } from '../log-types';
import { DEFAULT_RETRY, runThrottled, type RetryPolicy } from '../logs-throttle';
import { withNoContentPolicy } from './no-content';
import { rowsOf, type Row } from './rows';

export interface LogGatherOptions {
  retry?: RetryPolicy;
  /** Server-side wait (Prefer: wait=…), seconds. */
  serverTimeoutInSeconds?: number;
}

/** Outcome of one family query for one chunk: rows, or why there are none. */
export type QueryOutcome = { ok: true; rows: Row[] } | { ok: false; reason: string };

/** Log Analytics' answer when a query names a table the workspace does not have (isfuzzy skips some, not all). */
const MISSING_TABLE = /failed to resolve table|none of the tables exists/i;

const FAMILY_TABLES: Record<LogFamily, string> = {
  launch: 'launch-log',
  kernel: 'Syslog',
  metrics: 'InsightsMetrics, Perf, AzureMetrics or AmlComputeCpuGpuUtilization',
  cluster: 'AmlComputeClusterEvent',
  flows: 'NTANetAnalytics',
};

/** Why a query that threw has no rows, and the run error it is (null: the workspace lacks the data, not a failure). */
export function sortQueryError(e: unknown, family: LogFamily, workspaceId: string): { reason: string; error: RunError | null } {
  if (e instanceof RestError && e.statusCode === 204) {
    return { reason: `Log Analytics workspace ${workspaceId} holds no data (204 No Content)`, error: null };
  }
  if (e instanceof RestError && e.statusCode === 400 && MISSING_TABLE.test(e.message)) {
    // Not a failure of the run: the workspace never received this family's table.
    return { reason: `Log Analytics workspace ${workspaceId} has no ${FAMILY_TABLES[family]} table (${e.message})`, error: null };
  }
  const code = e instanceof RestError ? e.code ?? `Http${e.statusCode ?? ''}` : (e as Error).name || 'Error';
  const status = e instanceof RestError && e.statusCode ? ` (HTTP ${e.statusCode})` : '';
  const message = `the ${family} query to Log Analytics workspace ${workspaceId} failed${status}: ${(e as Error).message}`;
  return { reason: message, error: { scope: workspaceId, code, message } };
}

/** A partial result: its detail as a run error, and the reason its rows are not used. */
export function sortPartialResult(result: LogsQueryPartialResult, family: LogFamily, workspaceId: string): { reason: string; error: RunError } {
  const err = result.partialError as { code?: string; message?: string; details?: { code?: string; message?: string }[] } | undefined;
  const detail = [err?.code, err?.message, ...(err?.details ?? []).map((d) => [d.code, d.message].filter(Boolean).join(': '))].filter(Boolean).join('; ') || 'no detail';
  const message = `the ${family} query to Log Analytics workspace ${workspaceId} returned a partial result (${detail})`;
  return { reason: `${message}; evidence that may be incomplete is not used`, error: { scope: workspaceId, code: err?.code ?? 'PartialError', message } };
}

export async function runFamilyQuery(ctx: EvidenceContext, workspaceId: string, family: LogFamily, query: string, timespan: string, options: LogGatherOptions): Promise<QueryOutcome> {
  const client = withNoContentPolicy(ctx.azure.logs());
  let result: LogsQueryResult;
  try {
    result = await runThrottled(
      ctx.azure.logAnalyticsGate,
      () =>
        client.queryWorkspace(workspaceId, query, { duration: timespan }, {
          abortSignal: ctx.abortSignal,
          serverTimeoutInSeconds: options.serverTimeoutInSeconds,
        }),
      options.retry ?? DEFAULT_RETRY,
      ctx.abortSignal,
    );
  } catch (e) {
    const sorted = sortQueryError(e, family, workspaceId);
    if (sorted.error) ctx.errors.push(sorted.error);
    return { ok: false, reason: sorted.reason };
  }
  if (result.status === 'Success') return { ok: true, rows: rowsOf(result.tables[0]) };
  const sorted = sortPartialResult(result, family, workspaceId);
  ctx.errors.push(sorted.error);
  return { ok: false, reason: sorted.reason };
}

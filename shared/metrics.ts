// tbmon's numbers for Azure Monitor: what each run adds to the fleet's metrics, as plain points (pure functions of a
// run's outcome), and the sink that exports them. The exporter (shared/metrics-exporter.ts) is loaded only when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set and the first point is recorded — never when a function module is
// imported — so the cold import of the functions does not pay for OpenTelemetry.
//
// Every metric is a counter a run adds to (or, for durations, a histogram): a sweep's batches are evaluated by many
// invocations, so "hosts failing in the fleet" is the sum of what the batches of one sweep add — summed per sweep
// interval in the workbook and the alert rule (infra/app/monitoring.bicep), no fleet-sized state anywhere.
import type { HostReport, HostStatus, RequestCounts } from './model';

export interface MetricPoint {
  name: MetricName;
  kind: 'counter' | 'histogram';
  value: number;
  dimensions: Record<string, string>;
}

/** The metric names (Application Insights `customMetrics.name`), each with its unit and meaning. */
export const METRICS = {
  'tbmon.sweep.duration': { kind: 'histogram', unit: 'ms', description: 'How long a sweep (discovery and queueing) took.' },
  'tbmon.sweep.hosts': { kind: 'counter', unit: '{host}', description: 'TensorBoard hosts a sweep discovered.' },
  'tbmon.hosts': { kind: 'counter', unit: '{host}', description: 'Hosts evaluated, by status (dimension status).' },
  'tbmon.hosts.failing': { kind: 'counter', unit: '{host}', description: 'Hosts evaluated as failing (no dimension: the metric alert rule watches it).' },
  'tbmon.check.failing': { kind: 'counter', unit: '{host}', description: 'Hosts failing a check, by check id (dimension check).' },
  'tbmon.requests': { kind: 'counter', unit: '{request}', description: 'Calls tbmon made, by API (dimension api) and stage (sweep, evaluate, alert).' },
  'tbmon.notices.sent': { kind: 'counter', unit: '{message}', description: 'Digests sent, by channel (email, teams).' },
} as const;
export type MetricName = keyof typeof METRICS;

export interface MetricsSink {
  /**
   * Records the points and exports them now (a Functions instance may be frozen after the invocation). Never throws:
   * a failed export is a line in `log`.
   */
  export(points: readonly MetricPoint[], log?: (line: string) => void): Promise<void>;
}

const counter = (name: MetricName, value: number, dimensions: Record<string, string> = {}): MetricPoint => ({ name, kind: 'counter', value, dimensions });

function requestPoints(requests: RequestCounts, stage: string): MetricPoint[] {
  return Object.entries(requests).filter(([, n]) => n > 0).map(([api, n]) => counter('tbmon.requests', n, { api, stage }));
}

/** What a sweep adds: its duration, the hosts it found, the calls it made. */
export function sweepMetricPoints(outcome: { hosts: number; stats: { durationMs: number; requests: RequestCounts } }): MetricPoint[] {
  return [
    { name: 'tbmon.sweep.duration', kind: 'histogram', value: outcome.stats.durationMs, dimensions: {} },
    counter('tbmon.sweep.hosts', outcome.hosts),
    ...requestPoints(outcome.stats.requests, 'sweep'),
  ];
}

const STATUSES: readonly HostStatus[] = ['fail', 'warn', 'unknown', 'pass'];

/**
 * What an evaluated batch adds: hosts by status (every status, zeros included, so a chart shows 0 rather than a gap),
 * hosts failing, hosts failing per check (only checks that fail somewhere: check ids are a bounded set), the calls.
 * Suppressed checks keep their status but never alert, so they do not count as failing here either.
 */
export function evaluateMetricPoints(reports: readonly Pick<HostReport, 'status' | 'checks'>[], requests: RequestCounts): MetricPoint[] {
  const byStatus = new Map<HostStatus, number>(STATUSES.map((s) => [s, 0]));
  const byCheck = new Map<string, number>();
  for (const r of reports) {
    byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    for (const c of r.checks) if (c.status === 'fail' && !c.suppressed) byCheck.set(c.id, (byCheck.get(c.id) ?? 0) + 1);
  }
  return [
    ...STATUSES.map((s) => counter('tbmon.hosts', byStatus.get(s) ?? 0, { status: s })),
    counter('tbmon.hosts.failing', byStatus.get('fail') ?? 0),
    ...[...byCheck].sort(([a], [b]) => a.localeCompare(b)).map(([check, n]) => counter('tbmon.check.failing', n, { check })),
    ...requestPoints(requests, 'evaluate'),
  ];
}

/** What an alert run adds: digests sent per channel. */
export function alertMetricPoints(result: { email: { sent: number }; teams: { sent: number } }): MetricPoint[] {
  return [counter('tbmon.notices.sent', result.email.sent, { channel: 'email' }), counter('tbmon.notices.sent', result.teams.sent, { channel: 'teams' })];
}

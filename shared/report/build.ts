// Assemble the report contract (schemas/report.v1.json) from host reports, run errors and stats.
import { fleetCoverage } from '../coverage/fleet';
import type { HostReport, HostStatus, Report, RunError, RunStats } from '../model';

/** Failing hosts first: the order reports list hosts in. */
export const HOST_STATUS_ORDER: Record<HostStatus, number> = { fail: 0, warn: 1, unknown: 2, pass: 3 };

/** Failing hosts first, then warn, unknown, pass; by name within a status. */
export function sortHostReports(hosts: readonly HostReport[]): HostReport[] {
  return [...hosts].sort((a, b) => HOST_STATUS_ORDER[a.status] - HOST_STATUS_ORDER[b.status] || a.host.name.localeCompare(b.host.name) || a.host.id.localeCompare(b.host.id));
}

export function summarize(hosts: readonly HostReport[]): Report['summary'] {
  const summary = { hosts: hosts.length, pass: 0, warn: 0, fail: 0, unknown: 0 };
  for (const h of hosts) summary[h.status]++;
  return summary;
}

/** `hostTag` (TBMON_HOST_TAG) names the VM set in coverage fixes; default the setting's default. */
export function buildReport(hosts: readonly HostReport[], opts: { errors?: RunError[]; stats: RunStats; generatedAt?: Date; hostTag?: string }): Report {
  return {
    schemaVersion: 1,
    generatedAt: (opts.generatedAt ?? new Date()).toISOString(),
    hosts: sortHostReports(hosts),
    summary: summarize(hosts),
    stats: opts.stats,
    errors: opts.errors ?? [],
    coverage: fleetCoverage(hosts, { hostTag: opts.hostTag ?? 'tensorboard' }),
  };
}

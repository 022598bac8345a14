// Builders for pure check tests: a host, settings, and evidence built from raw log lines the way the server
// summarises them (classified by the same pattern table, the newest LINES_PER_GROUP distinct lines per key).
import { loadSettings, type Settings } from '../../shared/config';
import type { HostEvidence, VmSizeInfo } from '../../shared/evidence/types';
import type { KernelEvent, KernelEvidence, LaunchLogEvidence, LaunchLogLine, LogEvidence, MetricSeries } from '../../shared/evidence/log-types';
import { LINES_PER_GROUP } from '../../shared/evidence/logs-queries';
import type { Gathered, HostRecord } from '../../shared/model';
import { classifyLaunchLine, OTHER_KEY } from '../../shared/evidence/launch-patterns';
import { classifyKernelLine } from '../../shared/evidence/kernel-patterns';

export const NOW = '2026-11-26T06:00:00.000Z';

export const settings: Settings = loadSettings({});

export function host(over: Omit<Partial<HostRecord>, 'facts'> & { facts?: Partial<HostRecord['facts']> } = {}): HostRecord {
  const { facts, ...rest } = over;
  const kind = rest.kind ?? 'compute-instance';
  return {
    id: kind === 'vm'
      ? '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ml/providers/Microsoft.Compute/virtualMachines/vm-tb'
      : '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1/computes/ci-tb',
    name: kind === 'vm' ? 'vm-tb' : 'ci-tb',
    kind,
    subscriptionId: '11111111-1111-1111-1111-111111111111',
    resourceGroup: 'rg-ml',
    workspace: kind === 'vm' ? null : 'ws1',
    location: 'eastus2',
    port: 6006,
    publishedPort: 6006,
    owners: [],
    logAnalyticsWorkspaceId: '22222222-2222-2222-2222-222222222222',
    tags: { tensorboard: '6006' },
    ...rest,
    facts: {
      vmSize: 'STANDARD_D4S_V3', state: kind === 'vm' ? 'PowerState/running' : 'Running', provisioningState: 'Succeeded', errors: null,
      lastOperation: null, enableNodePublicIp: true, subnetId: null, nicIds: [], computerName: null, workspaceId: null,
      ...facts,
    },
  };
}

const missing = (reason: string): Gathered<never> => ({ ok: false, reason, hint: `enable ${reason}` });

export function noLogs(): LogEvidence {
  return { launch: missing('launch'), kernel: missing('kernel'), metrics: missing('metrics'), cluster: missing('cluster'), flows: missing('flows') };
}

export function evidence(h: HostRecord, logs: Partial<LogEvidence> = {}, vmSize?: Gathered<VmSizeInfo>): HostEvidence {
  return {
    host: h,
    vmSize: vmSize ?? { ok: true, value: { name: 'Standard_D4s_v3', vCPUs: 4, memoryGB: 16 } },
    network: { ok: false, reason: 'not gathered in this test' },
    logs: { ...noLogs(), ...logs },
  };
}

/** `HH:MM` (or `HH:MM:SS`) on the sandbox day → ISO. */
export function at(hhmm: string): string {
  return new Date(`2026-11-26T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}.000Z`).toISOString();
}

/** Distinct lines per group (same message adds up), the newest LINES_PER_GROUP of each group. */
function newestDistinct<T extends { time: string; message: string; count: number }>(lines: readonly (T & { group: string })[]): T[] {
  const byGroup = new Map<string, Map<string, T>>();
  for (const { group, ...line } of lines) {
    let byMessage = byGroup.get(group);
    if (!byMessage) byGroup.set(group, (byMessage = new Map()));
    const prev = byMessage.get(line.message);
    if (!prev) byMessage.set(line.message, { ...(line as unknown as T) });
    else {
      prev.count += line.count;
      if (line.time > prev.time) prev.time = line.time;
    }
  }
  return [...byGroup.values()].flatMap((m) => [...m.values()].sort((a, b) => b.time.localeCompare(a.time)).slice(0, LINES_PER_GROUP));
}

/** Raw launch-log lines → the per-key summary the launch query returns. */
export function launchLog(lines: readonly [string, string][], asOf = NOW): Gathered<LaunchLogEvidence> {
  const classified = lines.map(([time, message]) => {
    const key = classifyLaunchLine(message)?.key ?? OTHER_KEY;
    return { group: key, key, time: at(time), message, count: 1 };
  });
  return { ok: true, value: { asOf, table: 'Syslog', tag: 'tensorboard', rows: lines.length, newest: newestDistinct<LaunchLogLine>(classified) } };
}

/**
 * Raw Syslog lines (facility, message) in the window → the kernel summary. `olderKernRows`: `kern` rows before the
 * window but within the coverage period (a boot message) — 0 leaves kernel collection unproven unless a line here is kern.
 */
export function kernelLog(lines: readonly [string, string, string][], { extraRows = 10, olderKernRows = 1 } = {}): Gathered<KernelEvidence> {
  const events = lines.flatMap(([time, facility, message]) => {
    const c = facility === 'kern' ? classifyKernelLine(message) : null;
    return c ? [{ group: `${c.kind}|${c.detail}`, kind: c.kind, detail: c.detail, count: 1, time: at(time), message }] : [];
  });
  const kernRows = lines.filter(([, facility]) => facility === 'kern').length + olderKernRows;
  return { ok: true, value: { syslogRows: lines.length + extraRows, kernRows, kernCoverage: 'P7D', events: newestDistinct<KernelEvent>(events) } };
}

export function series(metric: MetricSeries['metric'], values: Partial<MetricSeries> = {}): MetricSeries {
  return { metric, source: 'InsightsMetrics', node: '', instance: '', samples: 60, avg: 50, min: 40, worstBinMax: 50, last: 50, lastTime: at('05:59'), ...values };
}

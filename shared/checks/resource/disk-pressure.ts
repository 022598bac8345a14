// resource.disk-pressure (CHECKS.md; domain-facts R06): the newest free-space value per node and mount below
// TBMON_DISK_FAIL_PCT → fail, below TBMON_DISK_WARN_PCT → warn. Clusters: the ML workspace's AzureMetrics
// DiskAvailMegabytes / DiskUsedMegabytes (workspace-level: Log Analytics drops the dimensions).
import type { CheckOutcome } from '../../model';
import type { MetricSeries } from '../../evidence/log-types';
import type { CheckDefinition } from '../types';
import { fmtPct, onNode, unknownFrom } from './common';
import { exampleEvidence, metrics } from '../examples';
import { cannotTell, evidenceList, notCollected, pct } from '../words';

interface MountFree {
  /** The node (a cluster's nodes each have their own disks); '' for a single-node host or workspace-level metrics. */
  node: string;
  mount: string;
  freePct: number;
  source: string;
  time: string;
}

export function freeSpaceByMount(series: readonly MetricSeries[]): MountFree[] {
  const out: MountFree[] = [];
  for (const s of series) {
    if (s.metric === 'disk-free-pct' && Number.isFinite(s.last)) out.push({ node: s.node, mount: s.instance || '(unnamed)', freePct: s.last, source: s.source, time: s.lastTime });
  }
  const avail = series.find((s) => s.metric === 'disk-avail-mb' && Number.isFinite(s.last));
  const used = series.find((s) => s.metric === 'disk-used-mb' && Number.isFinite(s.last));
  if (avail && used && avail.last + used.last > 0) {
    out.push({ node: '', mount: '(cluster nodes)', freePct: (100 * avail.last) / (avail.last + used.last), source: 'AzureMetrics', time: avail.lastTime });
  }
  return out;
}

export const diskPressureCheck: CheckDefinition = {
  id: 'resource.disk-pressure',
  class: 'resource',
  severity: 'medium',
  title: 'Disks have free space',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run({ host, logs }, settings): CheckOutcome {
    if (!logs.metrics.ok) return unknownFrom(logs.metrics, 'Disk metrics');
    const mounts = freeSpaceByMount(logs.metrics.value.series);
    if (!mounts.length) {
      return {
        status: 'unknown',
        summary: `No disk free-space metrics from ${host.name} in the last ${settings.lookback}`,
        hint: 'Enable VM insights (InsightsMetrics LogicalDisk/FreeSpacePercentage) or the Perf counter "% Free Space"; for clusters send the ML workspace\'s metrics (DiskAvailMegabytes) to Log Analytics.',
      };
    }
    const worst = mounts.reduce((a, b) => (b.freePct < a.freePct ? b : a));
    const evidence = { mounts, failPct: settings.diskFailPct, warnPct: settings.diskWarnPct };
    const where = `${worst.mount}${onNode(worst.node, host.name)}`;
    const remediation = `Free space on ${worst.mount} of ${onNode(worst.node, host.name) ? `node ${worst.node} of ` : ''}${host.name}: du -xh --max-depth=1 ${worst.mount === '(cluster nodes)' || worst.mount === '(unnamed)' ? '/' : worst.mount} | sort -h | tail (old event files, checkpoints, /tmp)`;
    if (worst.freePct < settings.diskFailPct) return { status: 'fail', summary: `${where} has ${fmtPct(worst.freePct)} free (below ${settings.diskFailPct} %)`, evidence, remediation };
    if (worst.freePct < settings.diskWarnPct) return { status: 'warn', summary: `${where} has ${fmtPct(worst.freePct)} free (below ${settings.diskWarnPct} %)`, evidence, remediation };
    return { status: 'pass', summary: `Every mount has at least ${fmtPct(worst.freePct)} free`, evidence };
  },
  sentence(o, host) {
    if (o.status === 'fail' || o.status === 'warn') {
      const worst = evidenceList(o, 'mounts').reduce<Record<string, unknown> | null>((a, b) => (!a || Number(b.freePct) < Number(a.freePct) ? b : a), null) ?? {};
      const node = worst.node && String(worst.node).toLowerCase() !== host.name.toLowerCase() ? ` on node ${String(worst.node)}` : '';
      return `${host.name} is ${o.status === 'fail' ? 'out of' : 'running out of'} disk space: ${String(worst.mount ?? 'a disk')}${node} has ${pct(Number(worst.freePct) || 0)} free, and TensorBoard cannot load or write with a full disk`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'its disks have free space', notCollected('disk metrics'));
    return `${host.name}'s disks have free space`;
  },
  examples(host, settings) {
    const run = (free: number) => diskPressureCheck.run(exampleEvidence(host, { logs: { metrics: metrics([{ metric: 'disk-free-pct', instance: '/', last: free }]) } }), settings);
    return {
      fail: [run(settings.diskFailPct / 2)],
      warn: [run((settings.diskFailPct + settings.diskWarnPct) / 2)],
      pass: [run(60)],
      unknown: [diskPressureCheck.run(exampleEvidence(host), settings), diskPressureCheck.run(exampleEvidence(host, { logs: { metrics: metrics([]) } }), settings)],
    };
  },
};

// resource.memory-pressure (CHECKS.md; domain-facts R04/R05): a kernel OOM kill of TensorBoard's process in the
// window → fail; available memory below TBMON_MEMORY_WARN_PCT for a whole 5-minute bin on any node → warn (the
// series are per node, so the worst node decides and is named). A pass needs both sources: without proof that
// facility kern is collected an OOM kill would go unseen, without memory metrics the pressure would. Low memory seen
// without the kernel's messages is a partial warn (CHECKS.md § Partial evidence).
import type { CheckOutcome } from '../../model';
import type { KernelEvent, MetricSeries } from '../../evidence/log-types';
import type { CheckDefinition } from '../types';
import { fmtPct, kernNotProven, onNode } from './common';
import { KERNEL_HINT } from '../../evidence/log-types';
import { OOM_KILL, TENSORBOARD_COMM } from '../../evidence/kernel-patterns';
import { exampleEvidence, kernelLog, metrics } from '../examples';
import { cannotTell, count, evidenceList, evidenceNumber, notCollected, pct } from '../words';
import { partialOutcome, type MissingSource } from '../partial';
import type { LaunchLogEvidence } from '../../evidence/log-types';
import type { Gathered } from '../../model';
import { patternByKey, parseLauncherLine } from '../../evidence/launch-patterns';
import { KERNEL_OOM } from '../sources';

/**
 * TensorBoard's pids as the launcher's lines name them (`tbmon-launcher: event=… pid=N`), over the window: a
 * restart gives a new pid, and a kill of any of them is TensorBoard's. Empty when no launcher line is known.
 */
export function tensorboardPids(launch: Gathered<LaunchLogEvidence>): Set<number> {
  const pids = new Set<number>();
  if (!launch.ok) return pids;
  for (const line of launch.value.newest) {
    const p = patternByKey(line.key);
    if (p?.role !== 'launcher' || !p.regex.test(line.message)) continue;
    const parsed = parseLauncherLine(line.message);
    if (parsed) pids.add(parsed.pid);
  }
  return pids;
}

/**
 * OOM kills confirmed against the exact kernel message, split by whose process died: TensorBoard's (a pid the
 * launcher named; without a known pid, a tensorboard / python* / server command) or another process's.
 */
export function oomKills(events: readonly KernelEvent[], pids: ReadonlySet<number>): { tensorboard: KernelEvent[]; others: KernelEvent[] } {
  const tensorboard: KernelEvent[] = [];
  const others: KernelEvent[] = [];
  for (const e of events) {
    if (e.kind !== 'oom-kill') continue;
    const m = OOM_KILL.exec(e.message);
    if (!m) continue;
    const isTensorBoard = pids.size ? pids.has(Number(m[2])) : TENSORBOARD_COMM.test(m[3]);
    (isTensorBoard ? tensorboard : others).push(e);
  }
  return { tensorboard, others };
}

/** OOM kills of TensorBoard's own process when no launcher pid is known (tensorboard / python* / server). */
export function tensorboardOomKills(events: readonly KernelEvent[]): KernelEvent[] {
  return oomKills(events, new Set()).tensorboard;
}

interface LowMemory {
  pct: number;
  series: MetricSeries;
}

/** The lowest "whole 5-minute bin below" available-memory percentage, from either metric form. */
function worstAvailablePct(series: readonly MetricSeries[], memoryGB: number | null): { worst: LowMemory | null; usable: number } {
  let worst: LowMemory | null = null;
  let usable = 0;
  for (const s of series) {
    let pct: number | null = null;
    if (s.metric === 'memory-available-pct') pct = s.worstBinMax;
    else if (s.metric === 'memory-available-mb' && memoryGB && memoryGB > 0) pct = (100 * s.worstBinMax) / (memoryGB * 1024);
    if (pct === null || !Number.isFinite(pct)) continue;
    usable++;
    if (!worst || pct < worst.pct) worst = { pct, series: s };
  }
  return { worst, usable };
}

export const memoryPressureCheck: CheckDefinition = {
  id: 'resource.memory-pressure',
  class: 'resource',
  severity: 'high',
  title: 'No OOM kills or sustained low memory',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  sources: [KERNEL_OOM],
  run(ev, settings): CheckOutcome {
    const { host, logs, vmSize } = ev;
    const missing: string[] = [];
    const hints: string[] = [];
    const kernel = logs.kernel;
    const kernMissing = kernel.ok ? kernNotProven(ev, kernel.value) : null;
    let neighbourKills: KernelEvent[] = [];
    const pids = tensorboardPids(logs.launch);
    if (kernel.ok && !kernMissing) {
      const { tensorboard: kills, others } = oomKills(kernel.value.events, pids);
      neighbourKills = others;
      if (kills.length) {
        const newest = kills.reduce((a, b) => (b.time > a.time ? b : a));
        const total = kills.reduce((n, k) => n + k.count, 0);
        return {
          status: 'fail',
          summary: `The kernel killed ${newest.detail || 'TensorBoard'} for lack of memory ${total === 1 ? 'once' : `${total} times`} in the last ${settings.lookback} (newest ${newest.time})`,
          evidence: {
            table: 'Syslog',
            rule: pids.size ? `Facility kern, (Out of memory|Memory cgroup out of memory): Killed process N with N one of TensorBoard's pids (${[...pids].join(', ')}, from the launcher's lines)` : 'Facility kern, (Out of memory|Memory cgroup out of memory): Killed process N (tensorboard|python*|server)',
            kills,
          },
          remediation: `Give TensorBoard more memory: a larger VM size, fewer runs per logdir, or --samples_per_plugin scalars=500,images=0 / --load_fast=true; check with: journalctl -k | grep -i 'killed process' on ${host.name}`,
        };
      }
    } else {
      missing.push(kernMissing ? `${kernMissing.summary} (an OOM kill would go unseen)` : `kernel messages: ${kernel.ok ? 'not proven collected' : kernel.reason}`);
      hints.push(kernMissing ? kernMissing.hint : kernel.ok ? KERNEL_HINT : kernel.hint ?? '');
    }
    if (neighbourKills.length) {
      const newest = neighbourKills.reduce((a, b) => (b.time > a.time ? b : a));
      const total = neighbourKills.reduce((n, k) => n + k.count, 0);
      return {
        status: 'warn',
        summary: `The host ${host.name} ran out of memory: the kernel killed ${newest.detail || 'another process'} ${total === 1 ? 'once' : `${total} times`} in the last ${settings.lookback} (newest ${newest.time}), not TensorBoard${pids.size ? ` (pid ${[...pids].join(', ')})` : ''}, which may be next`,
        evidence: { table: 'Syslog', kills: neighbourKills, tensorboardPids: [...pids] },
        remediation: `Find what holds the memory on ${host.name} (ps aux --sort=-rss | head; journalctl -k | grep -i 'killed process') and give the workload room: a larger size, or fewer processes beside TensorBoard`,
      };
    }
    const metrics = logs.metrics;
    const memoryGB = vmSize.ok ? vmSize.value.memoryGB : null;
    const { worst, usable } = metrics.ok ? worstAvailablePct(metrics.value.series, memoryGB) : { worst: null, usable: 0 };
    if (worst && worst.pct < settings.memoryWarnPct) {
      // Low memory seen, but without the kernel's messages an OOM kill of TensorBoard (fail) would go unseen: the
      // warn is partial, so it never reads as an improvement over an earlier fail.
      const kernelSource: MissingSource[] = missing.length ? [{ source: 'kernel messages (Syslog facility kern)', reason: kernel.ok ? kernMissing?.summary ?? 'not collected' : kernel.reason, hint: hints.filter(Boolean).join(' ') || KERNEL_HINT }] : [];
      return partialOutcome({
        status: 'warn',
        summary: `Available memory stayed below ${settings.memoryWarnPct} % for at least 5 minutes${onNode(worst.series.node, host.name)} (lowest ${fmtPct(worst.pct)}, ${worst.series.source})`,
        evidence: { series: worst.series, node: worst.series.node || null, availablePct: worst.pct, thresholdPct: settings.memoryWarnPct },
        remediation: `Find what holds the memory on ${worst.series.node && onNode(worst.series.node, host.name) ? `node ${worst.series.node} of ` : ''}${host.name} (ps aux --sort=-rss | head) and move to a larger size if the workload needs it`,
      }, kernelSource);
    }
    if (!usable) {
      missing.push(metrics.ok ? `no memory metrics (InsightsMetrics Memory/AvailableMB or Perf "Available MBytes Memory") from ${host.name}${!vmSize.ok ? ' that can be read without the VM size' : ''}` : `memory metrics: ${metrics.reason}`);
      hints.push(metrics.ok ? 'Enable VM insights (InsightsMetrics) or the Perf counter "Available MBytes Memory".' : metrics.hint ?? '');
    }
    if (missing.length) {
      return { status: 'unknown', summary: `Memory pressure cannot be ruled out: ${missing.join('; ')}`, hint: hints.filter(Boolean).join(' ') };
    }
    return {
      status: 'pass',
      summary: `No OOM kill of TensorBoard; available memory never stayed below ${settings.memoryWarnPct} % (lowest 5-minute bin ${fmtPct((worst as LowMemory).pct)})`,
      evidence: { availablePct: worst?.pct ?? null, node: worst?.series.node || null },
    };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const kills = evidenceList(o, 'kills');
      const n = kills.reduce((sum, k) => sum + (Number(k.count) || 0), 0);
      return `TensorBoard on ${host.name} was killed for lack of memory (${n === 1 ? 'once' : `${n} times`} in the window tbmon reads)`;
    }
    if (o.status === 'warn' && evidenceList(o, 'kills').length) {
      const kills = evidenceList(o, 'kills');
      const n = kills.reduce((sum, k) => sum + (Number(k.count) || 0), 0);
      const names = [...new Set(kills.map((k) => String(k.detail ?? '')).filter(Boolean))].slice(0, 3).join(', ');
      return `${host.name} ran out of memory: the kernel killed ${names || 'another process'} ${count(n, 'time')}, not TensorBoard — it may be next`;
    }
    if (o.status === 'warn') {
      const node = typeof o.evidence?.node === 'string' && o.evidence.node ? ` on node ${o.evidence.node}` : '';
      return `${host.name} is low on memory${node}: only ${pct(evidenceNumber(o, 'availablePct') ?? 0)} stayed free for at least 5 minutes, so TensorBoard may be killed or too slow`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'TensorBoard runs out of memory', notCollected('memory metrics or kernel messages'));
    return `${host.name} has enough memory for TensorBoard`;
  },
  examples(host, settings) {
    const run = (parts: Parameters<typeof exampleEvidence>[1]) => memoryPressureCheck.run(exampleEvidence(host, parts), settings);
    const kern = kernelLog([[12, 'Out of memory: Killed process 4242 (tensorboard) total-vm:9000000kB, anon-rss:7000000kB', 2]]);
    const calm = metrics([{ metric: 'memory-available-pct', worstBinMax: 40 }]);
    return {
      fail: [run({ logs: { kernel: kern, metrics: calm } })],
      warn: [
        run({ logs: { kernel: kernelLog([]), metrics: metrics([{ metric: 'memory-available-pct', worstBinMax: 3.5 }]) } }),
        run({ logs: { kernel: kernelLog([[12, 'Out of memory: Killed process 5120 (java) total-vm:9000000kB, anon-rss:7000000kB', 1]]), metrics: calm } }),
      ],
      pass: [run({ logs: { kernel: kernelLog([]), metrics: calm } })],
      unknown: [run({}), run({ logs: { kernel: kernelLog([], 0), metrics: calm } })],
    };
  },
};

// resource.cpu-saturation (CHECKS.md): average CPU over the window above TBMON_CPU_WARN_PCT → warn.
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { fmtPct, onNode, unknownFrom } from './common';
import { exampleEvidence, metrics } from '../examples';
import { cannotTell, evidenceNumber, notCollected, pct } from '../words';

export const cpuSaturationCheck: CheckDefinition = {
  id: 'resource.cpu-saturation',
  class: 'resource',
  severity: 'low',
  title: 'CPU is not saturated',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run({ host, logs }, settings): CheckOutcome {
    if (!logs.metrics.ok) return unknownFrom(logs.metrics, 'CPU metrics');
    const cpu = logs.metrics.value.series.filter((s) => s.metric === 'cpu-pct' && s.samples > 0 && Number.isFinite(s.avg));
    if (!cpu.length) {
      return {
        status: 'unknown',
        summary: `No CPU metrics from ${host.name} in the last ${settings.lookback}`,
        hint: 'Enable VM insights (InsightsMetrics Processor/UtilizationPercentage) or the Perf counter "% Processor Time"; for clusters send AmlComputeCpuGpuUtilization to Log Analytics.',
      };
    }
    // Two sources or several nodes for one host: the busiest series speaks (a saturated node must not hide behind an
    // idle average).
    const busiest = cpu.reduce((a, b) => (b.avg > a.avg ? b : a));
    const evidence = { averagePct: busiest.avg, node: busiest.node || null, source: busiest.source, samples: busiest.samples, thresholdPct: settings.cpuWarnPct };
    if (busiest.avg > settings.cpuWarnPct) {
      return {
        status: 'warn',
        summary: `Average CPU was ${fmtPct(busiest.avg)}${onNode(busiest.node, host.name)} over the last ${settings.lookback} (above ${settings.cpuWarnPct} %): TensorBoard may answer too slowly for the proxy`,
        evidence,
        remediation: `See what uses the CPU on ${host.name} (top -o %CPU); give TensorBoard its own cores or a larger size`,
      };
    }
    return { status: 'pass', summary: `Average CPU ${fmtPct(busiest.avg)} over the last ${settings.lookback}`, evidence };
  },
  sentence(o, host) {
    if (o.status === 'warn') return `${host.name} is busy: its CPU averaged ${pct(evidenceNumber(o, 'averagePct') ?? 0)}, so TensorBoard may answer too slowly for the proxy`;
    if (o.status === 'unknown') return cannotTell(host, 'the CPU leaves room for TensorBoard', notCollected('CPU metrics'));
    return `${host.name}'s CPU leaves room for TensorBoard`;
  },
  examples(host, settings) {
    const run = (avg: number) => cpuSaturationCheck.run(exampleEvidence(host, { logs: { metrics: metrics([{ metric: 'cpu-pct', avg }]) } }), settings);
    return { warn: [run(Math.min(99, settings.cpuWarnPct + 5))], pass: [run(20)], unknown: [cpuSaturationCheck.run(exampleEvidence(host), settings)] };
  },
};

// script.localhost-only (CHECKS.md): TensorBoard ≥ 2.0 serves on localhost unless --bind_all; the newest relevant
// line wins (a later serving line on another address clears an earlier localhost notice). Fail where localhost is
// unreachable by design — VMs, hosts behind a load balancer, compute-instance custom applications (a container
// bound to localhost cannot be reached through its published port); pass with a note for a compute instance reached
// through the AzureML instance proxy (found by tag, no custom application), which reaches loopback; warn otherwise (a
// cluster).
import type { Settings } from '../../config';
import type { HostEvidence } from '../../evidence/types';
import { tagValue } from '../../discovery/identify';
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { confirmedLines, lineEvidence, newestOf, newestServing, readLaunchLog } from './launch-log';
import { isLoopbackHost, parseServingLine } from '../../evidence/launch-patterns';
import { exampleEvidence, exampleLoadBalancer, exampleNetwork, launchLog } from '../examples';
import { cannotTell, launchLogWhy } from '../words';
import { partialOutcome, type MissingSource } from '../partial';
import { AML_NOTEBOOKS_1659, TB_PROGRAM } from '../sources';

/**
 * The network fact loopbackIsFatal needs but could not read (the load balancers on the path), or null. Whether a
 * compute instance has a custom application is a host fact discovery read with the host itself.
 */
function networkUnread(evidence: HostEvidence): MissingSource | null {
  const hint = 'tbmon reads load balancers through Resource Graph or ARM; grant Reader on their resource groups.';
  if (!evidence.network.ok) return { source: 'the network evidence (load balancers)', reason: evidence.network.reason, hint: evidence.network.hint ?? hint };
  return null;
}

/** Where loopback is unreachable through the path clients take. */
export function loopbackIsFatal(evidence: HostEvidence, settings: Settings): { fatal: boolean; proxied?: boolean; why: string } {
  const h = evidence.host;
  if (h.kind === 'vm') return { fatal: true, why: 'a VM is reached over its network interface' };
  if (evidence.network.ok && evidence.network.value.loadBalancers.length > 0) return { fatal: true, why: 'a load balancer forwards to the host\'s address' };
  // A compute instance found through its custom application (a fact discovery sets), or one whose container port is
  // published on another port, is reached through the published port. A record stored before discovery set the fact
  // has none: an instance without the host tag can only have been found through its custom application.
  const customApplication = h.facts.customApplication ?? tagValue(h.tags, settings.hostTag) === undefined;
  const customApp = h.kind === 'compute-instance' && (customApplication || h.port !== h.publishedPort);
  if (customApp) return { fatal: true, why: 'a custom application is reached through its published port' };
  if (h.kind === 'compute-instance') return { fatal: false, proxied: true, why: 'the AzureML instance proxy reaches loopback on the instance' };
  return { fatal: false, why: 'the AzureML proxy may still reach it, but nothing else can' };
}

export const localhostOnlyCheck: CheckDefinition = {
  id: 'script.localhost-only',
  class: 'script',
  severity: 'high',
  title: 'TensorBoard listens beyond localhost',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  sources: [TB_PROGRAM, AML_NOTEBOOKS_1659],
  run(evidence, settings): CheckOutcome {
    const read = readLaunchLog(evidence, settings);
    if (!read.ok) return read.outcome;
    const serving = newestServing(read.log);
    const notice = newestOf(confirmedLines(read.log, ['script.localhost-only']));
    const servingUrl = serving ? parseServingLine(serving.message) : null;
    let culprit = null;
    if (serving && servingUrl && isLoopbackHost(servingUrl.host)) culprit = serving;
    else if (notice && (!serving || notice.time >= serving.time)) culprit = notice;
    if (culprit) {
      const { fatal, proxied, why } = loopbackIsFatal(evidence, settings);
      // Not fatal only as far as the network evidence shows: unread, a load balancer (fail) could be there, so the
      // warn is partial (and the proxy's pass unknown).
      const unread = fatal ? null : networkUnread(evidence);
      // A compute instance found by its tag, with no custom application, is reached through the instance proxy
      // (https://<ci>-<port>.<region>.instances.azureml.ms), which connects to the port on loopback: the
      // azureml.tensorboard helper passes neither --bind_all nor --host and its URL works (AML_NOTEBOOKS_1659).
      if (proxied) {
        return partialOutcome({
          status: 'pass',
          summary: `TensorBoard serves on localhost only, which the AzureML instance proxy reaches on ${evidence.host.name}`,
          evidence: { ...lineEvidence(read.log, culprit), proxied: true },
          notes: [`Only the instance proxy can reach it: a custom application, a load balancer or a client in the VNet needs --bind_all (tensorboard --logdir <logdir> --port ${evidence.host.port} --bind_all).`],
        }, unread ? [unread] : []);
      }
      return partialOutcome({
        status: fatal ? 'fail' : 'warn',
        summary: `TensorBoard serves on localhost only (${why}): "${culprit.message.trim()}"`,
        evidence: lineEvidence(read.log, culprit),
        remediation: `Start it with --bind_all: tensorboard --logdir <logdir> --port ${evidence.host.port} --bind_all (the tbmon launcher does this; get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app)`,
      }, unread ? [unread] : []);
    }
    if (serving && servingUrl) return { status: 'pass', summary: `TensorBoard serves on ${servingUrl.host}:${servingUrl.port}`, evidence: lineEvidence(read.log, serving) };
    return { status: 'pass', summary: `No localhost-only message in the launch log of the last ${settings.lookback}` };
  },
  sentence(o, host) {
    if (o.status === 'fail') return `TensorBoard on ${host.name} listens on localhost only, which nothing outside the host can reach`;
    if (o.status === 'pass' && o.evidence?.proxied === true) return `TensorBoard on ${host.name} listens on localhost only, which the AzureML instance proxy reaches; nothing else can`;
    if (o.status === 'warn') return `TensorBoard on ${host.name} listens on localhost only: the AzureML proxy may still reach it, but nothing else can`;
    if (o.status === 'unknown') return cannotTell(host, 'TensorBoard listens beyond localhost', launchLogWhy(o));
    return `TensorBoard on ${host.name} listens on the network, not only on localhost`;
  },
  examples(host, settings) {
    const local: [number, string] = [5, `TensorBoard 2.18.0 at http://localhost:${host.port}/ (Press CTRL+C to quit)`];
    // Fatal: a VM; a compute instance behind a custom application; a cluster node behind a load balancer.
    const fatalPath = () => host.kind === 'vm' ? exampleEvidence(host)
      : host.kind === 'compute-instance' ? exampleNetwork({ ...host, facts: { ...host.facts, customApplication: true } })
        : exampleNetwork(host, { loadBalancers: [exampleLoadBalancer(host, host.port, { protocol: 'Tcp', port: host.port })] });
    const run = (lines: [number, string][], ev = exampleEvidence(host)) => localhostOnlyCheck.run({ ...ev, logs: { ...ev.logs, launch: launchLog(lines) } }, settings);
    return {
      fail: [run([local], fatalPath())],
      ...(host.kind === 'compute-cluster' ? { warn: [run([local])] } : {}),
      pass: [...(host.kind === 'compute-instance' ? [run([local], exampleNetwork(host))] : []), run([[5, `TensorBoard 2.18.0 at http://${host.name}:${host.port}/ (Press CTRL+C to quit)`]]), run([[5, 'other line']])],
      unknown: [localhostOnlyCheck.run(exampleEvidence(host), settings)],
    };
  },
};

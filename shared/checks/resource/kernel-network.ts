// resource.kernel-network (CHECKS.md): SYN flooding, a full conntrack table or TCP out of memory → warn; fail when
// the flooded port is TensorBoard's. A pass needs proof that the host's kernel messages are collected (a `kern` row
// in the coverage period): other Syslog rows, such as the launch log, prove nothing about facility kern.
import type { CheckOutcome } from '../../model';
import type { KernelEvent } from '../../evidence/log-types';
import type { CheckDefinition } from '../types';
import { kernNotProven, unknownFrom } from './common';
import { kernelPattern } from '../../evidence/kernel-patterns';
import { exampleEvidence, kernelLog } from '../examples';
import { cannotTell, evidenceList, notCollected } from '../words';

/** Events confirmed against the exact kernel message. */
export function kernelNetworkEvents(events: readonly KernelEvent[]): KernelEvent[] {
  return events.filter((e) => e.kind !== 'oom-kill' && kernelPattern(e.kind).regex.test(e.message));
}

export const kernelNetworkCheck: CheckDefinition = {
  id: 'resource.kernel-network',
  class: 'resource',
  severity: 'medium',
  title: 'Kernel network buffers are not overflowing',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run(ev, settings): CheckOutcome {
    const { host, logs } = ev;
    if (!logs.kernel.ok) return unknownFrom(logs.kernel, 'Kernel messages');
    const notProven = kernNotProven(ev, logs.kernel.value);
    if (notProven) return { status: 'unknown', summary: notProven.summary, hint: notProven.hint };
    const events = kernelNetworkEvents(logs.kernel.value.events);
    if (!events.length) return { status: 'pass', summary: `No SYN flooding, conntrack or TCP memory messages in the last ${settings.lookback}` };
    const tbPorts = new Set([host.port, host.publishedPort].map(String));
    const onTb = events.filter((e) => e.kind === 'syn-flood' && tbPorts.has(e.detail));
    const shown = onTb.length ? onTb : events;
    const summary = shown.map((e) => `${e.kind === 'syn-flood' ? `SYN flooding on port ${e.detail}` : e.kind === 'conntrack-full' ? 'conntrack table full' : 'TCP out of memory'} ×${e.count}`).join(', ');
    return {
      status: onTb.length ? 'fail' : 'warn',
      summary: `The kernel reported ${summary} in the last ${settings.lookback}${onTb.length ? ' — on the TensorBoard port' : ''}`,
      evidence: { table: 'Syslog', events },
      remediation: onTb.length
        ? `Find who floods port ${onTb[0].detail} on ${host.name} (ss -tn state syn-recv '( sport = :${onTb[0].detail} )'); raise net.ipv4.tcp_max_syn_backlog or restrict the sources in the NSG`
        : `Raise the kernel limits on ${host.name}: sysctl net.netfilter.nf_conntrack_max / net.ipv4.tcp_mem`,
    };
  },
  sentence(o, host) {
    if (o.status === 'fail' || o.status === 'warn') {
      const e = evidenceList(o, 'events')[0] ?? {};
      const what = e.kind === 'syn-flood' ? `SYN flooding on port ${String(e.detail)}` : e.kind === 'conntrack-full' ? 'a full connection-tracking table' : 'TCP running out of memory';
      return o.status === 'fail'
        ? `TensorBoard on ${host.name} is flooded with connections: the kernel reported ${what}`
        : `${host.name}'s kernel is dropping network connections: it reported ${what}`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'the kernel drops connections', notCollected('kernel messages'));
    return `${host.name}'s kernel reports no dropped connections`;
  },
  examples(host, settings) {
    const run = (lines: Parameters<typeof kernelLog>[0], kernRows?: number) => kernelNetworkCheck.run(exampleEvidence(host, { logs: { kernel: kernelLog(lines, kernRows) } }), settings);
    return {
      fail: [run([[5, `TCP: request_sock_TCP: Possible SYN flooding on port ${host.port}. Sending cookies.`, 30]])],
      warn: [run([[5, 'nf_conntrack: table full, dropping packet', 8]])],
      pass: [run([])],
      unknown: [run([], 0), kernelNetworkCheck.run(exampleEvidence(host), settings)],
    };
  },
};

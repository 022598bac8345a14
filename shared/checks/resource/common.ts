// Small helpers the resource and script checks share: an `unknown` outcome from evidence that could not be read.
import type { CheckOutcome, Gathered } from '../../model';
import type { KernelEvidence } from '../../evidence/log-types';

/** `unknown` naming the missing evidence and how to enable it; never a silent pass. */
export function unknownFrom(g: Extract<Gathered<unknown>, { ok: false }>, what: string): CheckOutcome {
  return { status: 'unknown', summary: `${what} is not available: ${g.reason}`, ...(g.hint ? { hint: g.hint } : {}) };
}

export function fmtPct(n: number): string {
  return `${Math.round(n * 10) / 10} %`;
}

/** " on node X" when a series comes from a node other than the host itself (a cluster's nodes), else ''. */
export function onNode(node: string, hostName: string): string {
  return node && node.toLowerCase() !== hostName.toLowerCase() ? ` on node ${node}` : '';
}

/** Why kernel messages are not proven collected from the host (no `kern` row in the coverage period), or null. */
export function kernNotProven(kernel: KernelEvidence, hostName: string): string | null {
  if (kernel.kernRows > 0) return null;
  const period = kernel.kernCoverage.replace(/^P(\d+)D$/, '$1 days').replace(/^PT?/, '');
  return kernel.syslogRows > 0
    ? `Syslog arrives from ${hostName}, but no facility kern row in the last ${period}: kernel messages are not proven collected`
    : `No Syslog facility kern rows from ${hostName} in the last ${period}`;
}

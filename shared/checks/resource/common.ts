// Small helpers the resource and script checks share: an `unknown` outcome from evidence that could not be read.
import type { CheckOutcome, Gathered } from '../../model';
import type { KernelEvidence } from '../../evidence/log-types';
import type { HostEvidence } from '../../evidence/types';
import { kernProof } from './kern-proof';

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

/**
 * Why kernel messages are not proven collected from the host (kern-proof.ts: a `kern` row, or for a VM an associated
 * rule collecting kern plus Syslog rows), with the hint naming the rule to change; null when proven.
 */
export function kernNotProven(ev: Pick<HostEvidence, 'host' | 'collection'>, kernel: KernelEvidence): { summary: string; hint: string } | null {
  const proof = kernProof(ev, kernel);
  return proof.proven ? null : { summary: proof.summary, hint: proof.hint };
}

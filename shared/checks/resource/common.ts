// Small helpers the resource and script checks share: an `unknown` outcome from evidence that could not be read.
import type { CheckOutcome, Gathered } from '../../model';

/** `unknown` naming the missing evidence and how to enable it; never a silent pass. */
export function unknownFrom(g: Extract<Gathered<unknown>, { ok: false }>, what: string): CheckOutcome {
  return { status: 'unknown', summary: `${what} is not available: ${g.reason}`, ...(g.hint ? { hint: g.hint } : {}) };
}

export function fmtPct(n: number): string {
  return `${Math.round(n * 10) / 10} %`;
}

// Partial evidence (CHECKS.md § Partial evidence): a check that reads several sources and could not read one of them
// says what it saw, marked `partial: true`, with the missing source in `hint` — unless what it saw already decides
// the worst status it can give. A partial result is never `pass`: healthy-looking but incomplete is `unknown`.
import type { CheckOutcome } from '../model';

/** A source a check could not read: what it is, why, and how to make it readable. */
export interface MissingSource {
  source: string;
  reason: string;
  hint?: string;
}

/** The hint of a partial or unknown outcome: each missing source with its reason, then how to enable them. */
export function missingHint(missing: readonly MissingSource[]): string {
  const read = missing.map((m) => `${m.source} could not be read (${m.reason})`).join('; ');
  const fixes = [...new Set(missing.map((m) => m.hint).filter((h): h is string => !!h))].join(' ');
  return `Not seen: ${read}; it could make this verdict worse.${fixes ? ` ${fixes}` : ''}`;
}

/** `outcome` (what the readable sources showed) marked partial: warn stays warn; pass becomes unknown. */
export function partialOutcome(outcome: CheckOutcome, missing: readonly MissingSource[]): CheckOutcome {
  if (!missing.length) return outcome;
  const hint = missingHint(missing);
  if (outcome.status === 'pass') {
    const { evidence, notes } = outcome;
    return { status: 'unknown', summary: `${outcome.summary}, but ${missing.map((m) => m.source).join(' and ')} could not be read`, hint, ...(evidence ? { evidence } : {}), ...(notes ? { notes } : {}) };
  }
  if (outcome.status !== 'warn' && outcome.status !== 'fail') return outcome;
  return { ...outcome, partial: true, hint };
}

/**
 * What the registry enforces on every outcome, so no check can break the contract: `partial` only on warn or fail
 * (a partial pass is unknown), and always with a hint.
 */
export function settlePartial(outcome: CheckOutcome): CheckOutcome {
  if (!('partial' in outcome)) return outcome;
  const { partial, ...rest } = outcome;
  if (!partial) return rest;
  if (rest.status === 'pass') {
    return { ...rest, status: 'unknown', hint: rest.hint ?? 'A source of this check could not be read, so a pass cannot be confirmed.' };
  }
  if (rest.status !== 'warn' && rest.status !== 'fail') return rest;
  return { ...rest, partial: true, hint: rest.hint ?? 'A source of this check could not be read; it could make this verdict worse.' };
}

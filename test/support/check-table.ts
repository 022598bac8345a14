// One runner for the check tables (STYLE.md: ESLint's RuleTester). A case is evidence → the status a check gives
// and what its words must say; each case is one test; adding a case is one line. Every outcome the runner computes
// also keeps the rules every check keeps: an unknown says how to get the evidence (a hint), a fail says what to do
// (a remediation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Settings } from '../../shared/config';
import type { CheckDefinition } from '../../shared/checks/types';
import type { HostEvidence } from '../../shared/evidence/types';
import type { CheckOutcome, CheckStatus } from '../../shared/model';
import { settings as defaultSettings } from './evidence';

export interface CheckCase {
  name: string;
  evidence: HostEvidence;
  /** The status the check gives; over several checks, the status of each check named (the others are not asserted). */
  expect: CheckStatus | Partial<Record<string, CheckStatus>>;
  /** What the summary, remediation or notes say (one check). */
  says?: RegExp;
  /** What the hint says (one check). */
  hint?: RegExp;
  settings?: Settings;
  /** Anything more to assert of the outcome (one check). */
  then?: (outcome: CheckOutcome) => void;
}

export interface CheckTableOptions {
  /** The test's name for a case (default: the case's name). */
  title?: (c: CheckCase) => string;
  /** Whether every fail must carry a remediation (default true). */
  failHasRemediation?: boolean;
}

/** What a check said, in one text: the summary, the remediation, the notes. */
export function wordsOf(o: CheckOutcome): string {
  return `${o.summary}\n${o.remediation ?? ''}\n${(o.notes ?? []).join('\n')}`;
}

/** Runs one case and asserts it: the outcome of the one check, or of each check of the table by id. */
export function runCase(checks: CheckDefinition | readonly CheckDefinition[], c: CheckCase, options: CheckTableOptions = {}): Record<string, CheckOutcome> {
  const list: readonly CheckDefinition[] = Array.isArray(checks) ? checks : [checks as CheckDefinition];
  const outcomes: Record<string, CheckOutcome> = Object.fromEntries(list.map((chk) => [chk.id, chk.run(c.evidence, c.settings ?? defaultSettings)]));
  const expected: Partial<Record<string, CheckStatus>> = typeof c.expect === 'string' ? { [list[0].id]: c.expect } : c.expect;
  if (typeof c.expect === 'string' || c.says || c.hint || c.then) assert.equal(list.length, 1, `${c.name}: a single status, says, hint and then are for a table of one check`);
  for (const [id, want] of Object.entries(expected)) {
    const o = outcomes[id];
    assert.ok(o, `${c.name}: no check ${id} in the table`);
    assert.equal(o.status, want, `${id} for "${c.name}": ${o.summary}`);
  }
  for (const [id, o] of Object.entries(outcomes)) {
    if (o.status === 'unknown') assert.ok(o.hint, `${id} for "${c.name}": an unknown carries a hint (${o.summary})`);
    if (o.status === 'fail' && options.failHasRemediation !== false) assert.ok(o.remediation, `${id} for "${c.name}": a fail carries a remediation (${o.summary})`);
  }
  const only = outcomes[list[0].id];
  if (c.says) assert.match(wordsOf(only), c.says, c.name);
  if (c.hint) assert.match(only.hint ?? '', c.hint, c.name);
  c.then?.(only);
  return outcomes;
}

/** One test per case. */
export function checkTable(checks: CheckDefinition | readonly CheckDefinition[], cases: readonly CheckCase[], options: CheckTableOptions = {}): void {
  for (const c of cases) test(options.title?.(c) ?? c.name, () => { runCase(checks, c, options); });
}

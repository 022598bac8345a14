// Every check, and the one way to run them on a host's evidence (STYLE.md: registries, as Cloud Custodian does).
// The registry owns what is common to all checks so that no check repeats it: id, class and severity from the
// metadata, `skipped` for host kinds a check does not apply to, suppressions, and a check that throws becoming
// `unknown` with the reason — one faulty rule never takes the others down and never passes silently. On a stopped
// host, a check left `unknown` (no logs, no metrics: nothing runs to produce them) is `skipped` instead: the table
// of CHECKS.md treats a stopped host as skipped, and nightly idle shutdowns must not page anyone for a data gap.
import type { Settings } from '../config';
import type { HostEvidence } from '../evidence/types';
import type { CheckResult, CheckStatus } from '../model';
import { activeSuppressions, applySuppressions, parseSuppressions } from '../suppressions';
import { networkChecks } from './network';
import { resourceChecks } from './resource';
import { runStateOf } from './resource/compute-state';
import { scriptChecks } from './script';
import type { CheckDefinition } from './types';

export const ALL_CHECKS: readonly CheckDefinition[] = assertUniqueIds([...resourceChecks, ...networkChecks, ...scriptChecks]);

const STATUSES: ReadonlySet<CheckStatus> = new Set(['pass', 'warn', 'fail', 'unknown', 'skipped']);

function assertUniqueIds(checks: CheckDefinition[]): CheckDefinition[] {
  const seen = new Set<string>();
  for (const c of checks) {
    if (seen.has(c.id)) throw new Error(`check id ${c.id} is registered twice`);
    seen.add(c.id);
  }
  return checks;
}

export interface RunChecksOptions {
  /** Evaluation time, for suppressions' end dates. */
  now?: Date;
  /** The checks to run (default: every registered check). */
  checks?: readonly CheckDefinition[];
}

/** Runs every applicable check on one host's evidence; results in registry order. */
export function runChecks(evidence: HostEvidence, settings: Settings, options: RunChecksOptions = {}): CheckResult[] {
  const checks = options.checks ?? ALL_CHECKS;
  const kind = evidence.host.kind;
  const results = checks.map((def): CheckResult => {
    const meta = { id: def.id, class: def.class, severity: def.severity };
    if (!def.appliesTo.includes(kind)) return { ...meta, status: 'skipped', summary: `${def.title}: does not apply to ${kind} hosts` };
    try {
      const outcome = def.run(evidence, settings);
      if (!STATUSES.has(outcome?.status)) {
        return { ...meta, status: 'unknown', summary: `${def.title}: the check returned no valid status`, hint: `tbmon bug in check ${def.id}: please report it` };
      }
      return { ...meta, ...outcome, severity: outcome.severity ?? def.severity };
    } catch (e) {
      return {
        ...meta, status: 'unknown', summary: `${def.title}: the check failed (${(e as Error)?.message ?? String(e)})`,
        hint: `tbmon bug in check ${def.id}: please report it with this host's report`,
      };
    }
  });
  const stopped = runStateOf(evidence.host) === 'stopped';
  const judged = stopped ? results.map((r) => (r.status === 'unknown' ? skippedWhileStopped(r) : r)) : results;
  const { entries } = parseSuppressions(evidence.host.tags);
  return applySuppressions(judged, activeSuppressions(entries, options.now ?? new Date()));
}

function skippedWhileStopped(r: CheckResult): CheckResult {
  const { hint: _hint, ...rest } = r;
  return { ...rest, status: 'skipped', summary: `the host is stopped, so there is nothing to judge (${r.summary})` };
}

// Every check, and the one way to run them on a host's evidence (STYLE.md: registries, as Cloud Custodian does).
// The registry owns what is common to all checks so that no check repeats it: id, class and severity from the
// metadata, `skipped` for host kinds a check does not apply to, suppressions, and a check that throws becoming
// `unknown` with the reason — one faulty rule never takes the others down and never passes silently. On a stopped
// host, a check left `unknown` (no logs, no metrics: nothing runs to produce them) is `skipped` instead: the table
// of CHECKS.md treats a stopped host as skipped, and nightly idle shutdowns must not page anyone for a data gap.
import type { Settings } from '../config';
import type { HostEvidence } from '../evidence/types';
import type { CheckResult, CheckStatus, Host, HostKind } from '../model';
import { activeSuppressions, applySuppressions, parseSuppressions } from '../suppressions';
import { jobChecks } from './job';
import { networkChecks } from './network';
import { resourceChecks } from './resource';
import { runStateOf } from './resource/compute-state';
import { scriptChecks } from './script';
import { settlePartial } from './partial';
import type { CheckDefinition } from './types';
import { cutWords } from './words';

export const ALL_CHECKS: readonly CheckDefinition[] = assertUniqueIds([...resourceChecks, ...networkChecks, ...scriptChecks, ...jobChecks]);

const BY_ID: ReadonlyMap<string, CheckDefinition> = new Map(ALL_CHECKS.map((c) => [c.id, c]));

/** The registered check with this id, if any. */
export function checkById(id: string): CheckDefinition | undefined {
  return BY_ID.get(id);
}

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
    if (!def.appliesTo.includes(kind)) return { ...meta, status: 'skipped', summary: notApplicable(def, kind) };
    try {
      const outcome = def.run(evidence, settings);
      if (!STATUSES.has(outcome?.status)) {
        return { ...meta, status: 'unknown', summary: `${def.title}: the check returned no valid status`, hint: `${BUG_HINT}${def.id}: please report it` };
      }
      return { ...meta, ...settlePartial(outcome), severity: outcome.severity ?? def.severity };
    } catch (e) {
      return {
        ...meta, status: 'unknown', summary: `${def.title}: the check failed (${(e as Error)?.message ?? String(e)})`,
        hint: `${BUG_HINT}${def.id}: please report it with this host's report`,
      };
    }
  });
  const stopped = runStateOf(evidence.host) === 'stopped';
  const judged = stopped ? results.map((r) => (r.status === 'unknown' ? skippedWhileStopped(r) : r)) : results;
  const { entries } = parseSuppressions(evidence.host.tags);
  return applySuppressions(judged, activeSuppressions(entries, options.now ?? new Date()));
}

const BUG_HINT = 'tbmon bug in check ';
const STOPPED = 'the host is stopped, so there is nothing to judge';

function notApplicable(def: CheckDefinition, kind: HostKind): string {
  return `${def.title}: does not apply to ${kind} hosts`;
}

function skippedWhileStopped(r: CheckResult): CheckResult {
  const { hint: _hint, ...rest } = r;
  return { ...rest, status: 'skipped', summary: `${STOPPED} (${r.summary})` };
}

const KIND_WORDS: Record<HostKind, string> = { 'compute-instance': 'compute instance', 'compute-cluster': 'compute cluster', vm: 'VM', 'job-service': 'TensorBoard service of an AzureML job' };

/**
 * The plain sentence for a result on its host (CheckDefinition.sentence), for every channel: the check's own words,
 * or the registry's for the outcomes the registry makes (does not apply, the host is stopped, the rule threw). A
 * result of a check no longer registered (an old report) falls back to its summary; a sentence that throws or is
 * empty to the check's title.
 */
export function plainSentence(result: CheckResult, host: Host): string {
  const def = BY_ID.get(result.id);
  if (!def) return cutWords(`${host.name}: ${result.summary}`, 300);
  if (result.status === 'skipped' && result.summary === notApplicable(def, host.kind)) {
    return `Not checked on ${host.name}: it does not apply to a ${KIND_WORDS[host.kind] ?? 'host of this kind'}`;
  }
  if (result.status === 'skipped' && result.summary.startsWith(`${STOPPED} (`)) return `${host.name} is stopped, so there is nothing to judge`;
  if (result.status === 'unknown' && result.hint?.startsWith(BUG_HINT)) {
    return `tbmon could not run its check “${def.title}” on ${host.name}: the check itself failed (a tbmon bug, please report it)`;
  }
  try {
    const s = def.sentence(result, host).replace(/\s+/g, ' ').trim();
    if (s) return s;
  } catch {
    // fall through: a faulty sentence must not take a message down
  }
  return `${def.title} on ${host.name}: ${result.status}`;
}

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
    if (kind === 'job-service' && def.class === 'script') return { ...meta, status: 'skipped', summary: `${def.title}: ${NO_SYSLOG}` };
    if (kind === 'job-service' && runsOnJobCompute(def)) return onJobCompute(def, evidence, settings);
    if (!def.appliesTo.includes(kind)) return { ...meta, status: 'skipped', summary: notApplicable(def, kind) };
    return runOne(def, evidence, settings);
  });
  const stopped = runStateOf(evidence.host) === 'stopped';
  const judged = stopped ? results.map((r) => (r.status === 'unknown' ? skippedWhileStopped(r) : r)) : results;
  const { entries } = parseSuppressions(evidence.host.tags);
  return applySuppressions(judged, activeSuppressions(entries, options.now ?? new Date()));
}

function runOne(def: CheckDefinition, evidence: HostEvidence, settings: Settings): CheckResult {
  const meta = { id: def.id, class: def.class, severity: def.severity };
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
}

/** Why a job-service host's script checks are skipped: the launch log they read never exists for a job. */
export const NO_SYSLOG = 'not read for an AzureML job: a job\'s output does not reach Syslog (its logs are in the job\'s outputs, system_logs/)';

/**
 * The checks a job-service host runs on the compute its job runs on (issue 16): the compute's size and nodes, and
 * the network checks of its subnet. Every other resource check is about the host's own logs and metrics, which a
 * job's nodes do not send as a host's.
 */
export function runsOnJobCompute(def: Pick<CheckDefinition, 'id' | 'class'>): boolean {
  return def.id === 'resource.vm-size' || def.id === 'resource.cluster-nodes' || def.class === 'network';
}

/** Where a result judged on a job's compute came from (in `evidence.jobCompute`); null when the compute is unknown. */
export interface JobComputeRef {
  id: string;
  name: string;
  kind: HostKind;
}

/**
 * A check run for a job-service host on the evidence of the job's compute: the compute's verdict with the compute
 * named in the evidence; `skipped` when the check does not apply to the compute's kind (cluster-nodes on an
 * instance); `unknown` with the reason when the compute could not be read (serverless, not found) — never a pass.
 */
function onJobCompute(def: CheckDefinition, evidence: HostEvidence, settings: Settings): CheckResult {
  const meta = { id: def.id, class: def.class, severity: def.severity };
  const jc = evidence.jobCompute;
  if (!jc?.ok) {
    const reason = jc ? jc.reason : 'the job\'s compute was not looked up';
    return { ...meta, status: 'unknown', summary: `${def.title}: ${reason}`, evidence: { jobCompute: null, reason }, hint: (jc && !jc.ok ? jc.hint : undefined) ?? JOB_COMPUTE_FALLBACK_HINT };
  }
  const compute = jc.value.host;
  const ref: JobComputeRef = { id: compute.id, name: compute.name, kind: compute.kind };
  if (!def.appliesTo.includes(compute.kind)) {
    return { ...meta, status: 'skipped', summary: `${def.title}: does not apply to the job's compute ${compute.name} (a ${KIND_WORDS[compute.kind]})`, evidence: { jobCompute: ref } };
  }
  const r = runOne(def, jc.value, settings);
  return { ...r, evidence: { ...r.evidence, jobCompute: ref } };
}

const JOB_COMPUTE_FALLBACK_HINT = 'tbmon reads the compute a job names in properties.computeId; grant Reader on the ML workspace.';

/** The compute a job-service result was judged on, from its evidence; undefined for any other result. */
function jobComputeOf(result: CheckResult): JobComputeRef | null | undefined {
  const ev = result.evidence;
  if (!ev || !('jobCompute' in ev)) return undefined;
  const c = ev.jobCompute as Partial<JobComputeRef> | null;
  if (c === null) return null;
  return typeof c?.id === 'string' && typeof c.name === 'string' && typeof c.kind === 'string' && c.kind in KIND_WORDS ? (c as JobComputeRef) : undefined;
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
  if (host.kind === 'job-service' && result.status === 'skipped' && result.summary === `${def.title}: ${NO_SYSLOG}`) {
    return `Not checked on job ${host.name}: an AzureML job's output does not reach Syslog, where tbmon reads TensorBoard's launch log`;
  }
  const compute = host.kind === 'job-service' ? jobComputeOf(result) : undefined;
  if (compute === null) {
    const reason = typeof result.evidence?.reason === 'string' ? result.evidence.reason : 'the job\'s compute could not be read';
    return cutWords(`tbmon cannot tell whether “${def.title}” holds for job ${host.name}: ${reason}`, 300);
  }
  if (compute) {
    const on: Host = { ...host, id: compute.id, name: compute.name, kind: compute.kind };
    if (result.status === 'skipped' && result.summary.includes('does not apply to the job\'s compute')) {
      return `Not checked on job ${host.name}: it does not apply to its compute ${compute.name}, a ${KIND_WORDS[compute.kind]}`;
    }
    try {
      const s = def.sentence(result, on).replace(/\s+/g, ' ').trim();
      if (s) return `${s} (job ${host.name} runs there)`;
    } catch {
      // fall through to the check's title
    }
    return `${def.title} on ${compute.name}, where job ${host.name} runs: ${result.status}`;
  }
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

// A check is metadata next to a pure rule (STYLE.md: Prowler checks, ESLint rules). No I/O in a check.
import type { CheckClass, CheckOutcome, CheckStatus, Host, HostKind, HostRecord, Severity } from '../model';
import type { HostEvidence } from '../evidence/types';
import type { Settings } from '../config';

/**
 * Example outcomes of a check, per status its rule can return (`skipped` too when the rule itself skips). For tests
 * only: every sentence renders for every status (test/checks/sentences.test.ts), every fix is well-formed. Built for
 * the host and settings given, with the same helpers the rule uses for its remediation and evidence (fixCommand(),
 * the check's own remediation builder), so a test over the examples tests the rule's own words.
 */
export type CheckExamples = Partial<Record<CheckStatus, readonly CheckOutcome[]>>;

export interface CheckDefinition {
  /** Stable id (CHECKS.md); never changes meaning. */
  id: string;
  class: CheckClass;
  severity: Severity;
  title: string;
  /** Host kinds it applies to; for other kinds the registry reports `skipped`. */
  appliesTo: readonly HostKind[];
  /** Where the facts the rule relies on come from (a spec, a source file, a documentation page, an issue). */
  sources?: readonly string[];
  /** Pure: evidence and settings in, outcome out. */
  run(evidence: HostEvidence, settings: Settings): CheckOutcome;
  /**
   * One plain sentence about this outcome on this host, for people who do not know tbmon's vocabulary: what is wrong
   * (or fine), on which host, and the rule, route or log line that decided — e.g. "TensorBoard on ci-nsg-deny is
   * unreachable: NSG nsg-locked rule deny-tensorboard-6006 blocks port 6006 from the VNet". Every channel (email,
   * Teams, report, status page) shows it first; the check id stays in the JSON and in small print. Pure; reads only
   * the outcome (status, evidence, summary) and the host; no check id, no raw JSON, no ARM id, no trailing period.
   * Helpers: shared/checks/words.ts. Channels call plainSentence() (registry.ts), which also covers the outcomes
   * the registry makes itself (does not apply, the rule threw, the host is stopped).
   */
  sentence(outcome: CheckOutcome, host: Host): string;
  /** Example outcomes per status this check can return, for `host` (any kind in appliesTo) and `settings`. */
  examples(host: HostRecord, settings: Settings): CheckExamples;
}

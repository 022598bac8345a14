// A check is metadata next to a pure rule (STYLE.md: Prowler checks, ESLint rules). No I/O in a check.
import type { CheckClass, CheckOutcome, HostKind, Severity } from '../model';
import type { HostEvidence } from '../evidence/types';
import type { Settings } from '../config';

export interface CheckDefinition {
  /** Stable id (CHECKS.md); never changes meaning. */
  id: string;
  class: CheckClass;
  severity: Severity;
  title: string;
  /** Host kinds it applies to; for other kinds the registry reports `skipped`. */
  appliesTo: readonly HostKind[];
  /** Pure: evidence and settings in, outcome out. */
  run(evidence: HostEvidence, settings: Settings): CheckOutcome;
}

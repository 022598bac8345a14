// The shape most script checks share: a confirmed failure line that no later serving line cleared → fail (or warn),
// otherwise pass — and unknown without a launch log.
import type { Settings } from '../../config';
import type { HostEvidence } from '../../evidence/types';
import type { CheckOutcome, HostRecord, Severity } from '../../model';
import type { CheckDefinition } from '../types';
import { lineEvidence, readLaunchLog, standingFailure } from './launch-log';
import type { ScriptCheckId } from './patterns';

export interface FailureCheckSpec {
  id: ScriptCheckId;
  severity: Severity;
  title: string;
  /** Status when the failure stands. */
  status: 'fail' | 'warn';
  /** What the failure means, for the summary. */
  meaning: string;
  remediation(host: HostRecord, message: string): string;
}

export function failureCheck(spec: FailureCheckSpec): CheckDefinition {
  return {
    id: spec.id,
    class: 'script',
    severity: spec.severity,
    title: spec.title,
    appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
    run(evidence: HostEvidence, settings: Settings): CheckOutcome {
      const read = readLaunchLog(evidence, settings);
      if (!read.ok) return read.outcome;
      const { failure, clearedBy } = standingFailure(read.log, [spec.id]);
      if (failure) {
        return {
          status: spec.status,
          summary: `${spec.meaning}: "${failure.message.trim()}" (${failure.time})`,
          evidence: lineEvidence(read.log, failure),
          remediation: spec.remediation(evidence.host, failure.message),
        };
      }
      if (clearedBy) return { status: 'pass', summary: `Earlier failures were cleared by TensorBoard serving at ${clearedBy.time}`, evidence: lineEvidence(read.log, clearedBy) };
      return { status: 'pass', summary: `No such message in the launch log of the last ${settings.lookback}` };
    },
  };
}

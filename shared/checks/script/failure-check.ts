// The shape most script checks share: a confirmed failure line that no later serving line cleared → fail (or warn),
// otherwise pass — and unknown without a launch log.
import type { Settings } from '../../config';
import type { HostEvidence } from '../../evidence/types';
import type { CheckOutcome, HostRecord, Severity } from '../../model';
import type { CheckDefinition } from '../types';
import { lineEvidence, readLaunchLog, standingFailure } from './launch-log';
import type { ScriptCheckId } from '../../evidence/launch-patterns';
import { emptyLaunchLog, exampleEvidence, launchLog } from '../examples';
import { cannotTell, evidenceText, launchLogWhy, quoteLine } from '../words';

export interface FailureCheckSpec {
  id: ScriptCheckId;
  severity: Severity;
  title: string;
  /** Status when the failure stands. */
  status: 'fail' | 'warn';
  /** What the failure means, for the summary. */
  meaning: string;
  remediation(host: HostRecord, message: string): string;
  /** The plain sentence's lead for a standing failure: "TensorBoard crashed at start on ci-x" (the log line follows). */
  plain(hostName: string): string;
  /** A launch-log line this failure is recognised by (for the check's examples). */
  exampleLine: string;
  /** Where the facts behind the rule come from. */
  sources?: readonly string[];
}

export function failureCheck(spec: FailureCheckSpec): CheckDefinition {
  const def: CheckDefinition = {
    id: spec.id,
    class: 'script',
    severity: spec.severity,
    title: spec.title,
    appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
    ...(spec.sources ? { sources: spec.sources } : {}),
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
    sentence(o, host) {
      if (o.status === 'fail' || o.status === 'warn') {
        const line = evidenceText(o, 'message');
        return `${spec.plain(host.name)}${line ? `; its launch log says ${quoteLine(line)}` : ''}`;
      }
      if (o.status === 'unknown') return cannotTell(host, 'TensorBoard starts cleanly', launchLogWhy(o));
      return `The launch log of TensorBoard on ${host.name} shows no such problem`;
    },
    examples(host, settings) {
      const run = (parts: Parameters<typeof exampleEvidence>[1]) => def.run(exampleEvidence(host, parts), settings);
      const serving = `TensorBoard 2.18.0 at http://${host.name}:${host.port}/ (Press CTRL+C to quit)`;
      return {
        [spec.status]: [run({ logs: { launch: launchLog([[4, spec.exampleLine]]) } })],
        pass: [run({ logs: { launch: launchLog([[2, serving]]) } }), run({ logs: { launch: launchLog([[9, spec.exampleLine], [2, serving]]) } })],
        unknown: [run({}), run({ logs: { launch: emptyLaunchLog() } })],
      };
    },
  };
  return def;
}

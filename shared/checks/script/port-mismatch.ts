// script.port-mismatch (CHECKS.md): the port in the newest `TensorBoard <ver> at http://<host>:<port>/` line (or,
// with only launcher lines, the port the launcher started it on) differs from the host's port → fail.
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { confirmedLines, lineEvidence, newestOf, newestServing, readLaunchLog } from './launch-log';
import { parseLauncherLine, parseServingLine } from './patterns';

export const portMismatchCheck: CheckDefinition = {
  id: 'script.port-mismatch',
  class: 'script',
  severity: 'high',
  title: 'TensorBoard listens on the host\'s port',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run(evidence, settings): CheckOutcome {
    const read = readLaunchLog(evidence, settings);
    if (!read.ok) return read.outcome;
    const host = evidence.host;
    const serving = newestServing(read.log);
    const launcher = newestOf(confirmedLines(read.log, ['launcher']));
    const line = serving ?? launcher;
    const port = serving ? parseServingLine(serving.message)?.port : launcher ? parseLauncherLine(launcher.message)?.port : undefined;
    if (!line || port === undefined) {
      return {
        status: 'unknown',
        summary: `No serving line or launcher line in the last ${settings.lookback} says which port TensorBoard uses`,
        hint: 'TensorBoard prints its serving line only at start; scripts/tensorboard-launch.sh repeats the port in a heartbeat every 60 s.',
      };
    }
    if (port !== host.port) {
      return {
        status: 'fail',
        summary: `TensorBoard listens on port ${port}, but ${host.name} expects ${host.port}`,
        evidence: { ...lineEvidence(read.log, line), listeningPort: port, expectedPort: host.port },
        remediation: host.kind === 'compute-instance' && host.port !== host.publishedPort
          ? `Start TensorBoard with --port ${host.port} (the custom application's target port), or change the application's target port to ${port}`
          : `Start TensorBoard with --port ${host.port}, or set the tag ${settings.hostTag}=${port} on ${host.name}`,
      };
    }
    return { status: 'pass', summary: `TensorBoard listens on port ${port}`, evidence: lineEvidence(read.log, line) };
  },
};

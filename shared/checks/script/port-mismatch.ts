// script.port-mismatch (CHECKS.md): the port in the newest `TensorBoard <ver> at http://<host>:<port>/` line (or,
// with only launcher lines, the port the launcher started it on) differs from the host's port → fail.
//
// `TensorBoard could not bind to port N, it was already in use` names the port TensorBoard was started for, like the
// launcher's port. When it is the newest of these lines: N other than the host's port is a mismatch (the start
// command names the wrong port, whatever holds N) → fail; N equal to the host's port says nothing about where
// TensorBoard listens — it listens nowhere, script.port-in-use fails — so the outcome stays unknown rather than a
// pass that would claim TensorBoard listens on the right port.
import type { CheckOutcome } from '../../model';
import type { LaunchLogLine } from '../../evidence/log-types';
import type { CheckDefinition } from '../types';
import { confirmedLines, lineEvidence, newestOf, newestServing, readLaunchLog } from './launch-log';
import { parseLauncherLine, parseServingLine, patternByKey } from '../../evidence/launch-patterns';
import { emptyLaunchLog, exampleEvidence, launchLog } from '../examples';
import { cannotTell, evidenceNumber, launchLogWhy } from '../words';

const BIND_ERROR_KEY = 'port-in-use.tensorboard';
const BIND_ERROR = patternByKey(BIND_ERROR_KEY)?.regex;
if (!BIND_ERROR) throw new Error(`no launch pattern ${BIND_ERROR_KEY}`);

/** The newest confirmed `could not bind to port N` line and its port. */
function newestBindFailure(lines: readonly LaunchLogLine[], regex: RegExp): { line: LaunchLogLine; port: number } | null {
  const line = newestOf(lines.filter((l) => l.key === BIND_ERROR_KEY && regex.test(l.message)));
  const port = line ? Number(regex.exec(line.message)?.[1]) : NaN;
  return line && Number.isInteger(port) ? { line, port } : null;
}

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
    const bind = newestBindFailure(read.log.newest, BIND_ERROR as RegExp);
    const remediation = (port: number) => host.kind === 'compute-instance' && host.port !== host.publishedPort
      ? `Start TensorBoard with --port ${host.port} (the custom application's target port), or change the application's target port to ${port}`
      : `Start TensorBoard with --port ${host.port}, or set the tag ${settings.hostTag}=${port} on ${host.name}`;
    if (bind && [serving, launcher].every((l) => !l || bind.line.time > l.time)) {
      if (bind.port !== host.port) {
        return {
          status: 'fail',
          summary: `TensorBoard was started on port ${bind.port} (it could not bind there: already in use), but ${host.name} expects ${host.port}`,
          evidence: { ...lineEvidence(read.log, bind.line), startedPort: bind.port, expectedPort: host.port },
          remediation: remediation(bind.port),
        };
      }
      return {
        status: 'unknown',
        summary: `TensorBoard tried the host's port ${bind.port} but could not bind to it (${bind.line.time}; script.port-in-use): it is not listening, so the port it listens on cannot be judged`,
        hint: `Free port ${bind.port} on ${host.name} (ss -ltnp 'sport = :${bind.port}') and restart TensorBoard; its serving line or the launcher's heartbeat then shows the port.`,
      };
    }
    const line = serving ?? launcher;
    const port = serving ? parseServingLine(serving.message)?.port : launcher ? parseLauncherLine(launcher.message)?.port : undefined;
    if (!line || port === undefined) {
      return {
        status: 'unknown',
        summary: `No serving line or launcher line in the last ${settings.lookback} says which port TensorBoard uses`,
        hint: 'TensorBoard prints its serving line only at start; the tbmon launcher (tensorboard-launch.sh; get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app) repeats the port in a heartbeat every 60 s.',
      };
    }
    if (port !== host.port) {
      return {
        status: 'fail',
        summary: `TensorBoard listens on port ${port}, but ${host.name} expects ${host.port}`,
        evidence: { ...lineEvidence(read.log, line), listeningPort: port, expectedPort: host.port },
        remediation: remediation(port),
      };
    }
    return { status: 'pass', summary: `TensorBoard listens on port ${port}`, evidence: lineEvidence(read.log, line) };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const port = evidenceNumber(o, 'listeningPort') ?? evidenceNumber(o, 'startedPort');
      return `TensorBoard on ${host.name} ${evidenceNumber(o, 'startedPort') !== null ? 'was started on' : 'listens on'} port ${port ?? 'another port'}, but clients are sent to port ${host.port}`;
    }
    if (o.status === 'unknown') return cannotTell(host, `TensorBoard listens on port ${host.port}`, /could not bind/.test(o.summary) ? `another process holds port ${host.port}, so TensorBoard is not listening at all` : launchLogWhy(o));
    return `TensorBoard on ${host.name} listens on port ${host.port}, where clients are sent`;
  },
  examples(host, settings) {
    const run = (lines: [number, string][]) => portMismatchCheck.run(exampleEvidence(host, { logs: { launch: launchLog(lines) } }), settings);
    const other = host.port === 6007 ? 6008 : 6007;
    const serving = (port: number): [number, string] => [5, `TensorBoard 2.18.0 at http://${host.name}:${port}/ (Press CTRL+C to quit)`];
    return {
      fail: [run([serving(other)]), run([[3, `TensorBoard could not bind to port ${other}, it was already in use`]])],
      pass: [run([serving(host.port)])],
      unknown: [run([[3, `TensorBoard could not bind to port ${host.port}, it was already in use`]]), run([[3, 'something else']]), portMismatchCheck.run(exampleEvidence(host, { logs: { launch: emptyLaunchLog() } }), settings)],
    };
  },
};

// script.data-server (CHECKS.md): the fast loader's data server did not answer TensorBoard's gRPC probe
// (tensorboard/data/server_ingester.py: "Failed to communicate with data server at localhost:N: …", whose gRPC
// reason is often "Failed to pick subchannel" when an http_proxy also catches localhost). With --load_fast=auto
// TensorBoard falls back to the slow Python loader and serves within seconds (program.py), so a serving line right
// after the message does not clear it; only a start that serves without the message does — a serving line more than
// CLEARED_AFTER_MS after it. With --load_fast=true the message is followed by "Could not start data server:" and the
// exit: script.launch-crash.
import type { LaunchLogLine } from '../../evidence/log-types';
import type { CheckOutcome } from '../../model';
import { TB_DATA_SERVER, TB_PROGRAM } from '../sources';
import type { CheckDefinition } from '../types';
import { confirmedLines, lineEvidence, newestOf, newestServing, readLaunchLog } from './launch-log';
import { emptyLaunchLog, exampleEvidence, launchLog } from '../examples';
import { cannotTell, evidenceText, launchLogWhy, quoteLine } from '../words';

/** A serving line this long after the data-server message belongs to a later start, not to the fallback. */
export const CLEARED_AFTER_MS = 2 * 60_000;

function clears(serving: LaunchLogLine | null, failure: LaunchLogLine): boolean {
  if (!serving) return false;
  const gap = Date.parse(serving.time) - Date.parse(failure.time);
  return Number.isFinite(gap) && gap > CLEARED_AFTER_MS;
}

export const dataServerCheck: CheckDefinition = {
  id: 'script.data-server',
  class: 'script',
  severity: 'medium',
  title: 'TensorBoard reaches its data server',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  sources: [TB_DATA_SERVER, TB_PROGRAM],
  run(evidence, settings): CheckOutcome {
    const read = readLaunchLog(evidence, settings);
    if (!read.ok) return read.outcome;
    const failure = newestOf(confirmedLines(read.log, ['script.data-server']));
    if (!failure) return { status: 'pass', summary: `No data-server error in the launch log of the last ${settings.lookback}` };
    const serving = newestServing(read.log);
    if (clears(serving, failure)) {
      return { status: 'pass', summary: `A data-server error at ${failure.time} was followed by a start that served at ${serving?.time}`, evidence: lineEvidence(read.log, failure) };
    }
    const { host } = evidence;
    return {
      status: 'warn',
      summary: `TensorBoard on ${host.name} could not talk to its data server (fast loading is off; large logdirs load slowly or time out): "${failure.message.trim()}" (${failure.time})`,
      evidence: lineEvidence(read.log, failure),
      remediation: `An http_proxy or https_proxy variable probably catches localhost: start TensorBoard with NO_PROXY=localhost,127.0.0.1 no_proxy=localhost,127.0.0.1 in its environment, or with --load_fast=false: NO_PROXY=localhost,127.0.0.1 tensorboard --logdir <logdir> --port ${host.port} --bind_all`,
    };
  },
  sentence(o, host) {
    if (o.status === 'warn') {
      const line = evidenceText(o, 'message');
      return `TensorBoard on ${host.name} cannot reach its own data server, so it loads slowly${line ? `; its launch log says ${quoteLine(line)}` : ''} — often a proxy setting that also catches localhost`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'TensorBoard reaches its data server', launchLogWhy(o));
    return `TensorBoard on ${host.name} shows no data-server error`;
  },
  examples(host, settings) {
    const run = (lines: [number, string][]) => dataServerCheck.run(exampleEvidence(host, { logs: { launch: launchLog(lines) } }), settings);
    const rpc = 'Failed to communicate with data server at localhost:38471: <_InactiveRpcError of RPC that terminated with: status = StatusCode.UNAVAILABLE details = "failed to connect to all addresses">';
    const serving = `TensorBoard 2.18.0 at http://${host.name}:${host.port}/ (Press CTRL+C to quit)`;
    return {
      warn: [run([[10, rpc], [10, serving]])],
      pass: [run([[5, serving]]), run([[30, rpc], [5, serving]])],
      unknown: [dataServerCheck.run(exampleEvidence(host), settings), dataServerCheck.run(exampleEvidence(host, { logs: { launch: emptyLaunchLog() } }), settings)],
    };
  },
};

// script.not-running (CHECKS.md): with launcher lines, the newest launcher event decides (exited / gave-up → fail;
// no heartbeat for more than 10 minutes while the compute runs → fail; else pass). Without them: a start failure
// with no later serving line → fail; a serving line → pass; nothing → unknown.
import type { CheckOutcome } from '../../model';
import type { LaunchLogLine } from '../../evidence/log-types';
import type { CheckDefinition } from '../types';
import { runStateOf } from '../resource/compute-state';
import { confirmedLines, lineEvidence, newestServing, readLaunchLog, standingFailure } from './launch-log';
import { parseLauncherLine, START_FAILURE_ROLES, type LauncherLine } from '../../evidence/launch-patterns';
import { emptyLaunchLog, exampleEvidence, launchLog } from '../examples';
import { cannotTell, launchLogWhy, lowerFirst, quoteLine, evidenceText } from '../words';

/** Log Analytics ingestion lags a few minutes; a heartbeat every 60 s older than this means the launcher is gone. */
export const HEARTBEAT_STALE_MS = 10 * 60_000;

/** Same timestamp: a restart logs exited then started; gave-up is final. */
const TIE_RANK: Record<LauncherLine['event'], number> = { 'gave-up': 3, started: 2, heartbeat: 1, exited: 0 };

function newestLauncherEvent(lines: readonly LaunchLogLine[]): { line: LaunchLogLine; parsed: LauncherLine } | null {
  let best: { line: LaunchLogLine; parsed: LauncherLine } | null = null;
  for (const line of lines) {
    const parsed = parseLauncherLine(line.message);
    if (!parsed) continue;
    if (!best || line.time > best.line.time || (line.time === best.line.time && TIE_RANK[parsed.event] > TIE_RANK[best.parsed.event])) best = { line, parsed };
  }
  return best;
}

export const notRunningCheck: CheckDefinition = {
  id: 'script.not-running',
  class: 'script',
  severity: 'high',
  title: 'TensorBoard is running',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run(evidence, settings): CheckOutcome {
    const read = readLaunchLog(evidence, settings);
    if (!read.ok) return read.outcome;
    const { log } = read;
    const host = evidence.host;
    // A stopped compute serves nobody by design (nightly idle shutdown): resource.compute-state says so, quietly.
    if (runStateOf(host) === 'stopped') return { status: 'skipped', summary: `${host.name} is stopped: TensorBoard is not expected to run` };
    const restart = `Restart it with the tbmon launcher: bash tensorboard-launch.sh --logdir <logdir> --port ${host.port} (get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app; the launch log: journalctl -t ${log.tag} -n 50 on ${host.name})`;
    const launcher = newestLauncherEvent(confirmedLines(log, ['launcher']));
    if (launcher) {
      const { line, parsed } = launcher;
      if (parsed.event === 'exited' || parsed.event === 'gave-up') {
        const how = parsed.event === 'gave-up'
          ? `the launcher gave up restarting TensorBoard${parsed.attempt !== null ? ` after ${parsed.attempt} attempts` : ''}`
          : `TensorBoard exited${parsed.code !== null ? ` with code ${parsed.code}` : ''}`;
        return { status: 'fail', summary: `${how} at ${line.time}`, evidence: lineEvidence(log, line), remediation: restart };
      }
      const ageMs = Date.parse(log.asOf) - Date.parse(line.time);
      if (!Number.isFinite(ageMs)) {
        // Without a readable time the heartbeat's age is unknown: it cannot prove TensorBoard is running now.
        return {
          status: 'unknown',
          summary: `The newest launcher line ("${line.message.trim()}") has no readable time (${line.time || 'none'}), so how long ago TensorBoard was last seen running is unknown`,
          hint: 'The launch log rows need TimeGenerated; the tbmon launcher (tensorboard-launch.sh) writes a heartbeat every 60 s through syslog, which the Azure Monitor Agent stamps.',
        };
      }
      if (ageMs > HEARTBEAT_STALE_MS) {
        const runState = runStateOf(host);
        if (runState !== 'running') {
          return {
            status: 'unknown',
            summary: `No launcher heartbeat for ${Math.round(ageMs / 60_000)} minutes, but ${host.name} is not running (${host.facts.state ?? 'state unknown'}): resource.compute-state says why`,
            hint: `Once ${host.name} runs again, the launcher's heartbeat (every 60 s) shows whether TensorBoard came back; if it does not, restart it with the tbmon launcher (get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app).`,
          };
        }
        return {
          status: 'fail',
          summary: `No launcher heartbeat for ${Math.round(ageMs / 60_000)} minutes (last ${parsed.event} at ${line.time}): the launcher or the host stopped`,
          evidence: { ...lineEvidence(log, line), ageMinutes: Math.round(ageMs / 60_000) },
          remediation: restart,
        };
      }
      return { status: 'pass', summary: `The launcher reports TensorBoard running (pid ${parsed.pid}, port ${parsed.port}, ${parsed.event} at ${line.time})`, evidence: lineEvidence(log, line) };
    }
    const { failure } = standingFailure(log, START_FAILURE_ROLES);
    if (failure) return { status: 'fail', summary: `TensorBoard did not start: "${failure.message.trim()}" (${failure.time}) and no later serving line`, evidence: lineEvidence(log, failure), remediation: restart };
    const serving = newestServing(log);
    if (serving) return { status: 'pass', summary: `TensorBoard started serving at ${serving.time}`, evidence: lineEvidence(log, serving) };
    return {
      status: 'unknown',
      summary: `The launch log of the last ${settings.lookback} neither shows TensorBoard serving nor failing to start`,
      hint: 'TensorBoard prints its serving line only at start; the tbmon launcher (tensorboard-launch.sh; get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app) writes a heartbeat every 60 s so a long-running TensorBoard stays visible.',
    };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const line = evidenceText(o, 'message');
      const age = typeof o.evidence?.ageMinutes === 'number' ? o.evidence.ageMinutes : null;
      if (age !== null) return `TensorBoard on ${host.name} is not running: its launcher has not been heard from for ${age} minutes`;
      return `TensorBoard on ${host.name} is not running${line ? `; its launch log says ${quoteLine(line)}` : `: ${lowerFirst(o.summary)}`}`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'TensorBoard is running', /not running \(/.test(o.summary) ? 'the host itself is not running' : launchLogWhy(o));
    if (o.status === 'skipped') return `${host.name} is stopped, so TensorBoard is not expected to run`;
    return `TensorBoard is running on ${host.name}`;
  },
  examples(host, settings) {
    const run = (lines: [number, string][], facts?: Partial<typeof host.facts>) => notRunningCheck.run(exampleEvidence(host, { logs: { launch: launchLog(lines) }, facts }), settings);
    const beat = (event: string, ago: number, extra = '') => [ago, `tbmon-launcher: event=${event} pid=4242 port=${host.port}${extra}`] as [number, string];
    const stopped = host.kind === 'vm' ? 'PowerState/deallocated' : 'Stopped';
    return {
      fail: [run([beat('exited', 3, ' code=1')]), run([beat('gave-up', 3, ' code=1 attempt=5')]), run([beat('heartbeat', 45)]), run([[5, 'Failed to launch TensorBoard (exited with 1)']])],
      pass: [run([beat('heartbeat', 1)]), run([[5, `TensorBoard 2.18.0 at http://${host.name}:${host.port}/ (Press CTRL+C to quit)`]])],
      unknown: [notRunningCheck.run(exampleEvidence(host), settings), notRunningCheck.run(exampleEvidence(host, { logs: { launch: emptyLaunchLog() } }), settings), run([[5, 'some other line']]), run([beat('heartbeat', 45)], { state: host.kind === 'vm' ? 'PowerState/starting' : 'Starting' })],
      skipped: [run([beat('heartbeat', 1)], { state: stopped })],
    };
  },
};

// script.not-relaunched (CHECKS.md): a compute instance that (re)started — `lastOperation` a Succeeded Create, Start
// or Restart at T (a Start's trigger is User or Schedule; Stop's are User, Schedule, IdleShutdown) — after which
// TensorBoard never came back. A creation script runs once, at provisioning; only a startup script
// (`setupScripts.scripts.startupScript`, "run every time the machine starts") or a custom application runs again on
// every start, so scheduled stop/start and idle shutdown leave TensorBoard dead until someone starts it by hand.
// Evidence, from the launch-log query's read-back (shared/evidence/logs/, no query of its own): the newest
// launcher or serving line and the newest Syslog row of any process from the host since 7 days before T.
// fail: TensorBoard ran in the 7 days before T, the host sent Syslog after T, no launcher/serving line after T, and
// neither a startup script nor a custom application. unknown: nothing from the host after T (collection unproven),
// or the log could not be read back far enough.
import type { CheckOutcome } from '../../model';
import { RESTART_HORIZON_MS, RESTART_READ_BACK_MS } from '../../evidence/logs-queries';
import { restartTime } from '../../evidence/restart';
import { AML_COMPUTE_SPEC } from '../sources';
import type { CheckDefinition } from '../types';
import { setupHint } from './launch-log';
import { EXAMPLE_NOW, exampleEvidence, minutesAgo } from '../examples';
import { cannotTell } from '../words';
import type { LaunchLogEvidence, RestartProbe } from '../../evidence/log-types';
import type { Gathered } from '../../model';

const DAY_MS = 86_400_000;

export const notRelaunchedCheck: CheckDefinition = {
  id: 'script.not-relaunched',
  class: 'script',
  severity: 'high',
  title: 'TensorBoard comes back after the instance (re)starts',
  appliesTo: ['compute-instance'],
  sources: [AML_COMPUTE_SPEC],
  run(evidence, settings): CheckOutcome {
    const { host, logs } = evidence;
    const launch = logs.launch;
    // Log evidence that could not be read decides nothing, not even that the rule does not apply.
    if (!launch.ok) return { status: 'unknown', summary: `The launch log of ${host.name} is not available, so whether TensorBoard comes back after a (re)start is unknown: ${launch.reason}`, hint: launch.hint ?? setupHint(settings) };
    const op = host.facts.lastOperation;
    if (!op || !op.operationName) {
      return {
        status: 'unknown',
        summary: `Azure reports no last operation for ${host.name}, so a restart cannot be told`,
        hint: 'Resource Graph and ARM show a compute instance\'s properties.properties.lastOperation once it has been created or started; re-run after the next start.',
      };
    }
    const t = restartTime(host);
    const what = `${op.operationName}${op.operationTrigger ? ` (by ${op.operationTrigger})` : ''}`;
    if (t === null) {
      if (/^stop$/i.test(op.operationName)) return { status: 'skipped', summary: `${host.name} was last stopped (${what}); nothing to relaunch until it starts` };
      return { status: 'pass', summary: `The last operation on ${host.name} is ${what}, ${op.operationStatus ?? 'status unknown'}: not a completed (re)start` };
    }
    const since = new Date(t).toISOString();
    if (host.facts.startupScript || host.facts.customApplication) {
      const by = host.facts.startupScript ? 'a startup script' : 'a custom application';
      return { status: 'pass', summary: `${host.name} runs ${by} on every start (last ${what} at ${since})`, evidence: { lastOperation: op, startupScript: !!host.facts.startupScript, customApplication: !!host.facts.customApplication } };
    }
    const asOf = Date.parse(launch.value.asOf);
    if (Number.isFinite(asOf) && asOf - t > RESTART_HORIZON_MS) {
      return { status: 'pass', summary: `The last (re)start of ${host.name} was ${what} at ${since}, more than ${RESTART_HORIZON_MS / DAY_MS} days ago: whether TensorBoard runs now is script.not-running's to judge` };
    }
    const probe = launch.value.restart;
    if (!probe) return { status: 'unknown', summary: `The launch log of ${host.name} was not read back to its ${what} at ${since}`, hint: 'tbmon reads the launch log back 7 days before a (re)start in the launch query; this evaluation did not (re-run the check).' };
    const evidenceOut = { lastOperation: op, readFrom: probe.readFrom, lastTensorBoardLine: probe.lastTensorBoardLine, lastSyslogRow: probe.lastSyslogRow, table: launch.value.table, tag: launch.value.tag };
    const lastTb = probe.lastTensorBoardLine ? Date.parse(probe.lastTensorBoardLine) : NaN;
    if (Number.isFinite(lastTb) && lastTb > t) {
      return { status: 'pass', summary: `TensorBoard came back on ${host.name} after its ${what} at ${since} (newest line ${probe.lastTensorBoardLine})`, evidence: evidenceOut };
    }
    const lastRow = probe.lastSyslogRow ? Date.parse(probe.lastSyslogRow) : NaN;
    if (!(Number.isFinite(lastRow) && lastRow > t)) {
      return {
        status: 'unknown',
        summary: `Nothing from ${host.name} reached Log Analytics since its ${what} at ${since}, so whether TensorBoard came back is unproven`,
        hint: 'Collect Syslog from the instance with the Azure Monitor Agent (any facility: the kernel\'s boot lines prove collection after a start).',
        evidence: evidenceOut,
      };
    }
    if (!(Number.isFinite(lastTb) && lastTb >= t - RESTART_READ_BACK_MS)) {
      if (Date.parse(probe.readFrom) <= t - RESTART_READ_BACK_MS) {
        return { status: 'pass', summary: `TensorBoard did not run on ${host.name} in the 7 days before its ${what} at ${since}: nothing to relaunch`, evidence: evidenceOut };
      }
      return {
        status: 'unknown',
        summary: `The launch log of ${host.name} was read back only to ${probe.readFrom}, not 7 days before its ${what} at ${since}, and shows no TensorBoard before it`,
        hint: 'Log Analytics holds the launch log for the workspace\'s retention; a restart more than 7 days old is not read back.',
        evidence: evidenceOut,
      };
    }
    return {
      status: 'fail',
      summary: `TensorBoard on ${host.name} did not come back after the instance's ${what} at ${since}: it ran before (newest line ${probe.lastTensorBoardLine}) and the host has logged since (${probe.lastSyslogRow}), but no launcher or serving line followed — nothing starts it on start (no startup script, no custom application)`,
      evidence: evidenceOut,
      remediation: `Make TensorBoard start on every start of ${host.name}: a startup script (setupScripts.scripts.startupScript, "setup_scripts: startup_script:" in the instance's YAML) that starts it in the background, since a setup script that does not finish fails the start — nohup bash tensorboard-launch.sh --logdir <logdir> --port ${host.port} >/dev/null 2>&1 & (get the launcher with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app) — or a custom application that runs TensorBoard. Until then, start it by hand: bash tensorboard-launch.sh --logdir <logdir> --port ${host.port}`,
    };
  },
  sentence(o, host) {
    const op = (o.evidence?.lastOperation ?? {}) as { operationName?: string; operationTrigger?: string };
    const what = op.operationName ? `${op.operationTrigger === 'Schedule' ? 'scheduled ' : ''}${op.operationName.toLowerCase()}` : '(re)start';
    if (o.status === 'fail') return `TensorBoard on ${host.name} did not come back after the instance's ${what}: nothing starts it on start (no startup script, no custom application)`;
    if (o.status === 'unknown') return cannotTell(host, 'TensorBoard came back after the instance last started', o.hint ? 'nothing from the host since then shows it either way' : 'its launch log could not be read');
    if (o.status === 'skipped') return `${host.name} is stopped, so there is nothing to relaunch yet`;
    return `TensorBoard on ${host.name} comes back when the instance starts, or has not needed to`;
  },
  examples(host, settings) {
    const start = { operationName: 'Start', operationStatus: 'Succeeded', operationTrigger: 'Schedule', operationTime: minutesAgo(40) };
    const launch = (restart: RestartProbe): Gathered<LaunchLogEvidence> => ({ ok: true, value: { asOf: EXAMPLE_NOW, table: 'Syslog', tag: 'tensorboard', rows: 0, newest: [], restart } });
    const probe = (over: Partial<RestartProbe>): RestartProbe => ({ readFrom: minutesAgo(40 + 7 * 24 * 60), lastTensorBoardLine: minutesAgo(10 * 60), lastSyslogRow: minutesAgo(39), ...over });
    const run = (facts: Partial<typeof host.facts>, restart: RestartProbe) => notRelaunchedCheck.run(exampleEvidence(host, { facts: { lastOperation: start, ...facts }, logs: { launch: launch(restart) } }), settings);
    return {
      fail: [run({}, probe({}))],
      pass: [run({}, probe({ lastTensorBoardLine: minutesAgo(38) })), run({ startupScript: true }, probe({}))],
      unknown: [run({}, probe({ lastSyslogRow: minutesAgo(12 * 60) })), notRelaunchedCheck.run(exampleEvidence(host, { facts: { lastOperation: start } }), settings)],
      skipped: [run({ lastOperation: { ...start, operationName: 'Stop', operationTrigger: 'IdleShutdown' } }, probe({}))],
    };
  },
};

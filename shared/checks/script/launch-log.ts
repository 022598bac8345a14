// Reading the launch-log evidence for the script checks (CHECKS.md § script): the newest confirmed line per role,
// the "newest relevant line wins" rule, and the unknown-with-setup-hint when the host has no launch log.
import type { Settings } from '../../config';
import type { HostEvidence } from '../../evidence/types';
import type { LaunchLogEvidence, LaunchLogLine } from '../../evidence/log-types';
import type { CheckOutcome } from '../../model';
import { LAUNCH_PATTERNS, type LaunchPatternRole } from '../../evidence/launch-patterns';

export function setupHint(settings: Settings): string {
  const where = settings.launchLogTable.toLowerCase() === 'syslog'
    ? `Syslog rows with ProcessName "${settings.launchLogTag}"`
    : `rows of ${settings.launchLogTable}`;
  return `tbmon reads TensorBoard's launch log from ${where}. Start TensorBoard with the tbmon launcher, tensorboard-launch.sh (get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app; it logs under the tag "${settings.launchLogTag}" with a heartbeat every 60 s), or pipe it: tensorboard … 2>&1 | logger -t ${settings.launchLogTag}; and collect Syslog (facility user) with the Azure Monitor Agent into the host's Log Analytics workspace.`;
}

export type LaunchLogRead = { ok: true; log: LaunchLogEvidence } | { ok: false; outcome: CheckOutcome };

/** The host's launch log, or the `unknown` outcome every script check gives without one. */
export function readLaunchLog({ host, logs }: HostEvidence, settings: Settings): LaunchLogRead {
  const launch = logs.launch;
  if (!launch.ok) {
    return { ok: false, outcome: { status: 'unknown', summary: `The TensorBoard launch log is not available: ${launch.reason}`, hint: launch.hint ?? setupHint(settings) } };
  }
  if (launch.value.rows === 0) {
    return {
      ok: false,
      outcome: { status: 'unknown', summary: `No TensorBoard launch log for ${host.name} in the last ${settings.lookback}`, hint: setupHint(settings) },
    };
  }
  return { ok: true, log: launch.value };
}

const rolesByKey = new Map(LAUNCH_PATTERNS.map((p) => [p.key, p]));

/** Lines of the given roles that the exact regex confirms (a near-miss the server grouped in is dropped). */
export function confirmedLines(log: LaunchLogEvidence, roles: readonly LaunchPatternRole[]): LaunchLogLine[] {
  return log.newest.filter((l) => {
    const p = rolesByKey.get(l.key);
    return !!p && roles.includes(p.role) && p.regex.test(l.message);
  });
}

export function newestOf(lines: readonly LaunchLogLine[]): LaunchLogLine | null {
  return lines.reduce<LaunchLogLine | null>((a, b) => (!a || b.time > a.time ? b : a), null);
}

export function newestServing(log: LaunchLogEvidence): LaunchLogLine | null {
  return newestOf(confirmedLines(log, ['serving']));
}

/** Newest relevant line wins: a failure stands unless a serving line came strictly later. */
export function standingFailure(log: LaunchLogEvidence, roles: readonly LaunchPatternRole[]): { failure: LaunchLogLine | null; clearedBy: LaunchLogLine | null } {
  const failure = newestOf(confirmedLines(log, roles));
  const serving = newestServing(log);
  if (!failure) return { failure: null, clearedBy: null };
  if (serving && serving.time > failure.time) return { failure: null, clearedBy: serving };
  return { failure, clearedBy: null };
}

export function lineEvidence(log: LaunchLogEvidence, line: LaunchLogLine): Record<string, unknown> {
  return { table: log.table, tag: log.tag, time: line.time, message: line.message, occurrences: line.count, pattern: line.key };
}

// The TensorBoard launch-log lines the script checks read (CHECKS.md § script; research/domain-facts.md S01x–S07x),
// in one table used twice: the Log Analytics query classifies each line on the server with `terms` (every term must
// be contained, case-insensitively — KQL `contains`) so it can return only the newest line per key, and the checks
// confirm the returned line with the exact `regex`. The first pattern whose terms all match classifies a line, so
// specific patterns come before generic ones. It lives in evidence/, beside the query built from it; checks import
// it from here (imports run one way).

export type ScriptCheckId =
  | 'script.not-installed'
  | 'script.launch-crash'
  | 'script.port-in-use'
  | 'script.localhost-only'
  | 'script.bad-flags'
  | 'script.logdir'
  | 'script.slow-start'
  | 'script.data-server';

export type LaunchPatternRole = ScriptCheckId | 'serving' | 'launcher';

export interface LaunchPattern {
  key: string;
  role: LaunchPatternRole;
  /** Lower-case substrings that must all occur (the server-side classification). */
  terms: readonly string[];
  /** The exact message, case-insensitive (the check-side confirmation). */
  regex: RegExp;
}

export const LAUNCHER_LINE =
  /\btbmon-launcher: event=(started|heartbeat|exited|gave-up) pid=(\d+) port=(\d+)(?: code=(-?\d+))?(?: attempt=(\d+))?(?=\s|$)/i;

/**
 * `TensorBoard %s at %s (Press CTRL+C to quit)` with the URL `http://%s:%d%s/`, the last `%s` being `--path_prefix`
 * without its trailing slash (tensorflow/tensorboard `tensorboard/program.py`, print_serving_message / get_url).
 */
export const SERVING_LINE = /\bTensorBoard (\d[\w.+-]*) at (https?):\/\/(\[[^\]\s/]*\]|[^\s/:[\]]+)(?::(\d+))?(\/[^\s?#]*)/i;

function launcher(event: string): LaunchPattern {
  return {
    key: `launcher.${event}`,
    role: 'launcher',
    terms: ['tbmon-launcher:', `event=${event} `],
    regex: new RegExp(`${LAUNCHER_LINE.source.replace('(started|heartbeat|exited|gave-up)', `(${event})`)}`, 'i'),
  };
}

export const LAUNCH_PATTERNS: readonly LaunchPattern[] = [
  launcher('started'),
  launcher('heartbeat'),
  launcher('exited'),
  launcher('gave-up'),
  {
    key: 'localhost.notice',
    role: 'script.localhost-only',
    terms: ['serving tensorboard on localhost'],
    regex: /Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all/i,
  },
  { key: 'serving', role: 'serving', terms: ['tensorboard ', ' at http'], regex: SERVING_LINE },
  { key: 'not-installed.command', role: 'script.not-installed', terms: ['tensorboard: command not found'], regex: /(?:^|[\s:'"`])tensorboard: command not found/i },
  { key: 'not-installed.module', role: 'script.not-installed', terms: ['no module named', 'tensorboard'], regex: /No module named ['"]?tensorboard(?:\.main)?['"]?(?![\w.])/i },
  { key: 'not-installed.notebook', role: 'script.not-installed', terms: ['could not find `tensorboard`'], regex: /Could not find `tensorboard`/i },
  { key: 'bad-flags.logdir', role: 'script.bad-flags', terms: ['a logdir or db must be specified'], regex: /A logdir or db must be specified/i },
  { key: 'bad-flags.host-bind-all', role: 'script.bad-flags', terms: ['must not specify both --host and --bind_all'], regex: /Must not specify both --host and --bind_all/i },
  { key: 'bad-flags.address', role: 'script.bad-flags', terms: ['could not bind to unavailable address'], regex: /could not bind to unavailable address/i },
  // tensorboard/program.py: EAFNOSUPPORT (an IPv6 --host where the host has none; TensorBoard spells it "Tensorboard"
  // here), the --port scan that found no free port, and --load_fast=true without a data server binary.
  { key: 'bad-flags.address-family', role: 'script.bad-flags', terms: ['could not bind to unsupported address family'], regex: /TensorBoard could not bind to unsupported address family/i },
  { key: 'bad-flags.port-scan', role: 'script.bad-flags', terms: ['could not bind to any port around'], regex: /TensorBoard could not bind to any port around \d+/i },
  { key: 'bad-flags.load-fast', role: 'script.bad-flags', terms: ['option --load_fast=true not available'], regex: /Option --load_fast=true not available/i },
  { key: 'bad-flags.superuser', role: 'script.bad-flags', terms: ['must be run as superuser to bind to port'], regex: /must be run as superuser to bind to port \d+/i },
  { key: 'port-in-use.tensorboard', role: 'script.port-in-use', terms: ['could not bind to port', 'already in use'], regex: /TensorBoard could not bind to port (\d+), it was already in use/i },
  { key: 'port-in-use.errno', role: 'script.port-in-use', terms: ['address already in use'], regex: /\bAddress already in use\b/i },
  // `Could not start data server: %s.` is printed only with --load_fast=true, right before sys.exit(1)
  // (tensorboard/program.py _DATA_SERVER_STARTUP_ERROR_MESSAGE_TEMPLATE): a crash, whatever the reason it names, so
  // it comes before the data-server and slow-start lines that reason may contain.
  { key: 'crash.data-server', role: 'script.launch-crash', terms: ['could not start data server:'], regex: /Could not start data server: /i },
  { key: 'crash.failed-launch', role: 'script.launch-crash', terms: ['failed to launch tensorboard (exited with'], regex: /Failed to launch TensorBoard \(exited with (-?\d+)\)/i },
  { key: 'crash.version-conflict', role: 'script.launch-crash', terms: ['contextualversionconflict'], regex: /\bContextualVersionConflict\b/i },
  { key: 'crash.traceback', role: 'script.launch-crash', terms: ['traceback (most recent call last)'], regex: /(?:^|\s)Traceback \(most recent call last\)/i },
  { key: 'slow-start.tensorboard', role: 'script.slow-start', terms: ['timed out waiting for tensorboard to start'], regex: /Timed out waiting for TensorBoard to start/i },
  { key: 'slow-start.data-server', role: 'script.slow-start', terms: ['timed out while waiting for data server to start'], regex: /Timed out while waiting for data server to start/i },
  // tensorboard/data/server_ingester.py: the gRPC probe of the data server failed (the reason is grpc's, e.g.
  // "failed to connect to all addresses" / "Failed to pick subchannel", often an http_proxy that catches localhost).
  // With --load_fast=auto TensorBoard falls back to the slower Python loader and serves.
  { key: 'data-server.communicate', role: 'script.data-server', terms: ['failed to communicate with data server at'], regex: /Failed to communicate with data server at \S+/i },
  { key: 'data-server.subchannel', role: 'script.data-server', terms: ['failed to pick subchannel'], regex: /Failed to pick subchannel/i },
  { key: 'logdir.missing', role: 'script.logdir', terms: ['no such file or directory'], regex: /No such file or directory/i },
  { key: 'logdir.permission', role: 'script.logdir', terms: ['permission denied'], regex: /Permission denied/i },
  { key: 'logdir.no-dashboards', role: 'script.logdir', terms: ['no dashboards are active'], regex: /No dashboards are active/i },
];

/** Lines whose newest occurrence, without a later serving line, means TensorBoard did not start. */
export const START_FAILURE_ROLES: readonly LaunchPatternRole[] = ['script.not-installed', 'script.launch-crash', 'script.port-in-use', 'script.bad-flags'];

export const OTHER_KEY = 'other';

/** The classification the server applies, done locally: for the checks' worked examples and test fixtures. */
export function classifyLaunchLine(message: string): LaunchPattern | null {
  const lower = message.toLowerCase();
  return LAUNCH_PATTERNS.find((p) => p.terms.every((t) => lower.includes(t))) ?? null;
}

export function patternByKey(key: string): LaunchPattern | undefined {
  return LAUNCH_PATTERNS.find((p) => p.key === key);
}

export interface ServingUrl {
  version: string;
  scheme: string;
  host: string;
  port: number;
  /** The `--path_prefix` the URL carries ('' for none), without its trailing slash: `/tb` of `http://h:6006/tb/`. */
  pathPrefix: string;
}

export function parseServingLine(message: string): ServingUrl | null {
  const m = SERVING_LINE.exec(message);
  if (!m) return null;
  const port = m[4] ? Number(m[4]) : m[2].toLowerCase() === 'https' ? 443 : 80;
  return { version: m[1], scheme: m[2].toLowerCase(), host: m[3].toLowerCase(), port, pathPrefix: m[5].replace(/\/+$/, '') };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith('.localhost');
}

export interface LauncherLine {
  event: 'started' | 'heartbeat' | 'exited' | 'gave-up';
  pid: number;
  port: number;
  code: number | null;
  attempt: number | null;
}

export function parseLauncherLine(message: string): LauncherLine | null {
  const m = LAUNCHER_LINE.exec(message);
  if (!m) return null;
  return {
    event: m[1].toLowerCase() as LauncherLine['event'],
    pid: Number(m[2]),
    port: Number(m[3]),
    code: m[4] !== undefined ? Number(m[4]) : null,
    attempt: m[5] !== undefined ? Number(m[5]) : null,
  };
}

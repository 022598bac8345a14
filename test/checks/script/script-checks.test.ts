// Table-driven tests of the script checks with TensorBoard's real messages (research/domain-facts.md S01x–S07x),
// the launcher grammar, near-misses that must not match, and the newest-relevant-line rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scriptChecks } from '../../../shared/checks/script';
import type { CheckStatus, HostRecord } from '../../../shared/model';
import { checkTable, runCase, type CheckCase } from '../../support/check-table';
import { evidence, host, launchLog, settings, NOW } from '../../support/evidence';

const M = {
  serving: 'TensorBoard 2.16.2 at http://ci-tb:6006/ (Press CTRL+C to quit)',
  servingOther: 'TensorBoard 2.16.2 at http://ci-tb:6007/ (Press CTRL+C to quit)',
  servingLocal: 'TensorBoard 2.16.2 at http://localhost:6006/ (Press CTRL+C to quit)',
  serving127: 'TensorBoard 2.15.1 at http://127.0.0.1:6006/ (Press CTRL+C to quit)',
  localNotice: 'Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all',
  portInUse: 'ERROR: TensorBoard could not bind to port 6006, it was already in use',
  eaddrinuse: 'OSError: [Errno 98] Address already in use',
  cmdNotFound: 'bash: tensorboard: command not found',
  noModule: '/usr/bin/python3: No module named tensorboard',
  noModuleQuoted: "ModuleNotFoundError: No module named 'tensorboard'",
  couldNotFind: 'ERROR: Could not find `tensorboard`. Please ensure that your PATH contains an executable `tensorboard` program, or explicitly specify the path to a TensorBoard binary by setting the `TENSORBOARD_BINARY` environment variable.',
  failedLaunch: 'ERROR: Failed to launch TensorBoard (exited with 1).',
  traceback: 'Traceback (most recent call last):',
  versionConflict: "pkg_resources.ContextualVersionConflict: (google-auth 2.3.0 (/usr/lib/python3/dist-packages), Requirement.parse('google-auth<2,>=1.6.3'), {'tensorboard'})",
  noLogdir: 'Error: A logdir or db must be specified. For example `tensorboard --logdir mylogdir` or `tensorboard --db sqlite:~/.tensorboard.db`. Run `tensorboard --helpfull` for details and examples.',
  hostAndBindAll: 'Error: Must not specify both --host and --bind_all.',
  unavailableAddress: 'ERROR: TensorBoard could not bind to unavailable address 10.9.9.9',
  superuser: 'ERROR: TensorBoard must be run as superuser to bind to port 80',
  timedOut: 'ERROR: Timed out waiting for TensorBoard to start. It may still be running as pid 4242.',
  dataServer: 'Timed out while waiting for data server to start. It may still be running as pid 4243.',
  logdirMissing: 'tbmon-launcher: logdir /mnt/logs: No such file or directory',
  logdirDenied: 'tbmon-launcher: logdir /mnt/logs: Permission denied',
  noDashboards: 'No dashboards are active for the current data set.',
  started: 'tbmon-launcher: event=started pid=4242 port=6006 attempt=1',
  heartbeat: 'tbmon-launcher: event=heartbeat pid=4242 port=6006',
  exited: 'tbmon-launcher: event=exited pid=4242 port=6006 code=1 attempt=1',
  gaveUp: 'tbmon-launcher: event=gave-up pid=4242 port=6006 code=1 attempt=5',
  startedOther: 'tbmon-launcher: event=started pid=4242 port=6007 attempt=1',
  heartbeatOther: 'tbmon-launcher: event=heartbeat pid=4242 port=6007',
  // tensorflow/tensorboard tensorboard/program.py and tensorboard/data/server_ingester.py, as they print them
  servingPrefix: 'TensorBoard 2.16.2 at http://ci-tb:6006/tensorboard/ (Press CTRL+C to quit)',
  servingPrefixLocal: 'TensorBoard 2.16.2 at http://localhost:6006/tb/ (Press CTRL+C to quit)',
  dataServerRpc: 'Failed to communicate with data server at localhost:38471: <_InactiveRpcError of RPC that terminated with: status = StatusCode.UNAVAILABLE details = "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:38471: Failed to pick subchannel">',
  subchannel: 'E1126 05:30:00.123456 4243 client_channel.cc:123] Failed to pick subchannel',
  dataServerCrash: 'Could not start data server: Failed to communicate with data server at localhost:38471: <_InactiveRpcError …>.',
  dataServerCrashTimeout: 'Could not start data server: Timed out while waiting for data server to start. It may still be running as pid 4243..',
  addressFamily: 'ERROR: Tensorboard could not bind to unsupported address family ::',
  portScan: 'ERROR: TensorBoard could not bind to any port around 6006 (tried 100 times)',
  loadFastUnavailable: 'Option --load_fast=true not available: Could not find data server binary',
  advisory: 'NOTE: Using experimental fast data loading logic. To disable, pass "--load_fast=false" and report issues on GitHub.',
} as const;

type Expect = Partial<Record<string, CheckStatus>>;
interface Case {
  name: string;
  lines: [string, string][];
  expect: Expect;
  host?: HostRecord;
}

const vm = host({ kind: 'vm' });
const cluster = host({ kind: 'compute-cluster' });
const customApp = host({ tags: {}, port: 6006, publishedPort: 8765 });

const CASES: Case[] = [
  // healthy
  { name: 'serving line only', lines: [['05:10', M.serving]], expect: { 'script.not-running': 'pass', 'script.localhost-only': 'pass', 'script.port-mismatch': 'pass', 'script.port-in-use': 'pass', 'script.not-installed': 'pass' } },
  { name: 'launcher heartbeats', lines: [['05:00', M.started], ['05:00:05', M.serving], ['05:55', M.heartbeat], ['05:56', M.heartbeat]], expect: { 'script.not-running': 'pass', 'script.port-mismatch': 'pass' } },
  { name: 'heartbeats only (long-running TensorBoard)', lines: [['05:58', M.heartbeat]], expect: { 'script.not-running': 'pass', 'script.port-mismatch': 'pass', 'script.localhost-only': 'pass' } },
  // not-installed
  { name: 'bash command not found', lines: [['05:30', M.cmdNotFound]], expect: { 'script.not-installed': 'fail', 'script.not-running': 'fail' } },
  { name: 'python -m without module', lines: [['05:30', M.noModule]], expect: { 'script.not-installed': 'fail' } },
  { name: 'ModuleNotFoundError quoted', lines: [['05:30', M.noModuleQuoted]], expect: { 'script.not-installed': 'fail' } },
  { name: 'notebook could not find', lines: [['05:30', M.couldNotFind]], expect: { 'script.not-installed': 'fail' } },
  { name: 'near-miss: plugin module missing', lines: [['05:30', "ModuleNotFoundError: No module named 'tensorboard_plugin_profile'"]], expect: { 'script.not-installed': 'pass', 'script.not-running': 'unknown' } },
  { name: 'near-miss: other command not found', lines: [['05:30', 'bash: tensorboardx: command not found']], expect: { 'script.not-installed': 'pass' } },
  // launch-crash
  { name: 'failed to launch', lines: [['05:30', M.failedLaunch]], expect: { 'script.launch-crash': 'fail', 'script.not-running': 'fail' } },
  { name: 'traceback', lines: [['05:30', M.traceback], ['05:30:01', '  File "/usr/lib/python3/site-packages/tensorboard/main.py", line 46, in run_main']], expect: { 'script.launch-crash': 'fail' } },
  { name: 'version conflict', lines: [['05:30', M.versionConflict]], expect: { 'script.launch-crash': 'fail' } },
  { name: 'near-miss: failed to launch without exit code', lines: [['05:30', 'Failed to launch TensorBoard viewer in browser']], expect: { 'script.launch-crash': 'pass' } },
  // port-in-use
  { name: 'could not bind, in use', lines: [['05:30', M.portInUse]], expect: { 'script.port-in-use': 'fail', 'script.not-running': 'fail' } },
  { name: 'EADDRINUSE', lines: [['05:30', M.eaddrinuse]], expect: { 'script.port-in-use': 'fail' } },
  { name: 'near-miss: port check message', lines: [['05:30', 'checking whether port 6006 is already in use by another user']], expect: { 'script.port-in-use': 'pass' } },
  { name: 'a later serving line clears an earlier bind failure', lines: [['05:30', M.portInUse], ['05:35', M.serving]], expect: { 'script.port-in-use': 'pass', 'script.not-running': 'pass' } },
  { name: 'a later failure overrides an earlier serving line', lines: [['05:30', M.serving], ['05:40', M.eaddrinuse]], expect: { 'script.port-in-use': 'fail', 'script.not-running': 'fail' } },
  { name: 'a later serving line clears crash and not-installed', lines: [['05:20', M.cmdNotFound], ['05:25', M.failedLaunch], ['05:30', M.serving]], expect: { 'script.not-installed': 'pass', 'script.launch-crash': 'pass', 'script.not-running': 'pass' } },
  // localhost-only
  // the instance proxy reaches loopback (Azure/MachineLearningNotebooks#1659: azureml.tensorboard binds localhost)
  { name: 'localhost on a compute instance reached through the instance proxy (tagged), load balancers unread → unknown, not pass', lines: [['05:30', M.localNotice], ['05:30', M.servingLocal]], expect: { 'script.localhost-only': 'unknown' } },
  { name: 'localhost on a cluster → warn', host: cluster, lines: [['05:30', M.localNotice], ['05:30', M.servingLocal]], expect: { 'script.localhost-only': 'warn' } },
  { name: 'localhost on a VM → fail', host: vm, lines: [['05:30', M.localNotice], ['05:30', M.servingLocal]], expect: { 'script.localhost-only': 'fail' } },
  { name: 'localhost on a custom application → fail', host: customApp, lines: [['05:30', M.servingLocal]], expect: { 'script.localhost-only': 'fail' } },
  { name: '127.0.0.1 serving URL on a VM → fail', host: vm, lines: [['05:30', M.serving127]], expect: { 'script.localhost-only': 'fail' } },
  { name: 'a later --bind_all serving line clears localhost', host: vm, lines: [['05:20', M.localNotice], ['05:20', M.servingLocal], ['05:40', M.serving]], expect: { 'script.localhost-only': 'pass' } },
  { name: 'near-miss: serving URL without a version', host: vm, lines: [['05:30', 'Open TensorBoard at http://localhost:6006/ in your browser']], expect: { 'script.localhost-only': 'pass', 'script.port-mismatch': 'unknown' } },
  // port-mismatch
  { name: 'serving on another port', lines: [['05:30', M.servingOther]], expect: { 'script.port-mismatch': 'fail' } },
  { name: 'launcher started on another port', lines: [['05:50', M.startedOther], ['05:55', M.heartbeatOther]], expect: { 'script.port-mismatch': 'fail', 'script.not-running': 'pass' } },
  // the port a failed bind names is the port TensorBoard was started for: another port than the host's is a mismatch;
  // the host's own port says nothing about where TensorBoard listens (it does not) — unknown, port-in-use fails
  { name: 'could not bind to another port than the host\'s', lines: [['05:30', 'ERROR: TensorBoard could not bind to port 6007, it was already in use']], expect: { 'script.port-mismatch': 'fail', 'script.port-in-use': 'fail' } },
  { name: 'could not bind to the host\'s port', lines: [['05:30', M.portInUse]], expect: { 'script.port-mismatch': 'unknown', 'script.port-in-use': 'fail' } },
  { name: 'a bind failure on another port after serving on the right one', lines: [['05:10', M.serving], ['05:30', 'ERROR: TensorBoard could not bind to port 6007, it was already in use']], expect: { 'script.port-mismatch': 'fail' } },
  { name: 'serving on the right port after a bind failure on another', lines: [['05:10', 'ERROR: TensorBoard could not bind to port 6007, it was already in use'], ['05:30', M.serving]], expect: { 'script.port-mismatch': 'pass', 'script.port-in-use': 'pass' } },
  { name: 'launcher heartbeats on the right port after a bind failure on another', lines: [['05:10', 'ERROR: TensorBoard could not bind to port 6007, it was already in use'], ['05:50', M.heartbeat]], expect: { 'script.port-mismatch': 'pass' } },
  { name: 'custom application: target port is what TensorBoard must use', host: customApp, lines: [['05:30', 'TensorBoard 2.16.2 at http://0.0.0.0:6006/ (Press CTRL+C to quit)']], expect: { 'script.port-mismatch': 'pass', 'script.localhost-only': 'pass' } },
  // bad-flags
  { name: 'no logdir', lines: [['05:30', M.noLogdir]], expect: { 'script.bad-flags': 'fail', 'script.not-running': 'fail' } },
  { name: 'host and bind_all', lines: [['05:30', M.hostAndBindAll]], expect: { 'script.bad-flags': 'fail' } },
  { name: 'unavailable address', lines: [['05:30', M.unavailableAddress]], expect: { 'script.bad-flags': 'fail' } },
  { name: 'superuser', lines: [['05:30', M.superuser]], expect: { 'script.bad-flags': 'fail' } },
  { name: 'IPv6 --host where the host has none', lines: [['05:30', M.addressFamily]], expect: { 'script.bad-flags': 'fail', 'script.not-running': 'fail' } },
  { name: 'no free port in the scan', lines: [['05:30', M.portScan]], expect: { 'script.bad-flags': 'fail', 'script.port-in-use': 'pass' } },
  { name: '--load_fast=true without a data server', lines: [['05:30', M.loadFastUnavailable]], expect: { 'script.bad-flags': 'fail', 'script.data-server': 'pass' } },
  { name: 'near-miss: the fast-loading advisory names --load_fast', lines: [['05:30', M.advisory], ['05:30', M.serving]], expect: { 'script.bad-flags': 'pass', 'script.data-server': 'pass', 'script.slow-start': 'pass' } },
  { name: 'near-miss: address family in another tool\'s message', lines: [['05:30', 'socket: unsupported address family']], expect: { 'script.bad-flags': 'pass' } },
  // path-prefix
  { name: '--path_prefix in the serving URL', lines: [['05:30', M.servingPrefix]], expect: { 'script.path-prefix': 'fail', 'script.port-mismatch': 'pass', 'script.not-running': 'pass', 'script.localhost-only': 'pass' } },
  { name: '--path_prefix on localhost: both fail on a VM', host: vm, lines: [['05:30', M.servingPrefixLocal]], expect: { 'script.path-prefix': 'fail', 'script.localhost-only': 'fail' } },
  { name: 'a later start without the prefix clears it', lines: [['05:10', M.servingPrefix], ['05:40', M.serving]], expect: { 'script.path-prefix': 'pass' } },
  { name: 'a later start with the prefix overrides a plain one', lines: [['05:10', M.serving], ['05:40', M.servingPrefix]], expect: { 'script.path-prefix': 'fail' } },
  { name: 'near-miss: a path in a line that is no serving line', lines: [['05:30', 'Open http://ci-tb:6006/tensorboard/ in your browser']], expect: { 'script.path-prefix': 'pass' } },
  { name: 'near-miss: serving at / with the Press suffix', lines: [['05:30', M.serving]], expect: { 'script.path-prefix': 'pass' } },
  // data-server
  { name: 'data server unreachable, fallback serves seconds later → warn', lines: [['05:30', M.dataServerRpc], ['05:30:03', M.serving]], expect: { 'script.data-server': 'warn', 'script.not-running': 'pass', 'script.launch-crash': 'pass' } },
  { name: 'subchannel alone → warn', lines: [['05:30', M.subchannel]], expect: { 'script.data-server': 'warn' } },
  { name: 'a later start that serves without the error clears it', lines: [['05:10', M.dataServerRpc], ['05:10:02', M.serving], ['05:40', M.serving]], expect: { 'script.data-server': 'pass' } },
  { name: 'near-miss: the data server answered', lines: [['05:30', 'Opened channel to data server at pid 4243 via localhost:38471']], expect: { 'script.data-server': 'pass' } },
  // a data server that could not start with --load_fast=true is followed by the exit: a crash, not a slow start
  { name: 'could not start data server (communicate) → crash', lines: [['05:30', M.dataServerCrash]], expect: { 'script.launch-crash': 'fail', 'script.not-running': 'fail', 'script.data-server': 'pass', 'script.slow-start': 'pass' } },
  { name: 'could not start data server (timeout) → crash', lines: [['05:30', M.dataServerCrashTimeout]], expect: { 'script.launch-crash': 'fail', 'script.slow-start': 'pass' } },
  // logdir
  { name: 'logdir missing', lines: [['05:30', M.logdirMissing]], expect: { 'script.logdir': 'warn', 'script.not-running': 'unknown' } },
  { name: 'logdir unreadable', lines: [['05:30', M.logdirDenied]], expect: { 'script.logdir': 'warn' } },
  { name: 'no dashboards', lines: [['05:30', M.serving], ['05:31', M.noDashboards]], expect: { 'script.logdir': 'warn', 'script.not-running': 'pass' } },
  // slow-start
  { name: 'notebook start timeout', lines: [['05:30', M.timedOut]], expect: { 'script.slow-start': 'warn' } },
  { name: 'data server timeout', lines: [['05:30', M.dataServer]], expect: { 'script.slow-start': 'warn' } },
  // launcher grammar
  { name: 'launcher: exited is newest', lines: [['05:00', M.started], ['05:30', M.heartbeat], ['05:31', M.exited]], expect: { 'script.not-running': 'fail' } },
  { name: 'launcher: gave up', lines: [['05:00', M.started], ['05:31', M.exited], ['05:40', M.gaveUp]], expect: { 'script.not-running': 'fail' } },
  { name: 'launcher: restarted after exit (same second)', lines: [['05:55', M.exited], ['05:55', M.started]], expect: { 'script.not-running': 'pass' } },
  { name: 'launcher: heartbeat older than 10 minutes', lines: [['05:00', M.started], ['05:45', M.heartbeat]], expect: { 'script.not-running': 'fail' } },
  { name: 'launcher: heartbeat 9 minutes old', lines: [['05:00', M.started], ['05:51', M.heartbeat]], expect: { 'script.not-running': 'pass' } },
  { name: 'launcher: stale heartbeat while the compute restarts → unknown', host: host({ facts: { state: 'Restarting' } }), lines: [['05:00', M.heartbeat]], expect: { 'script.not-running': 'unknown' } },
  { name: 'launcher: stale heartbeat on a stopped compute → skipped', host: host({ facts: { state: 'Stopped' } }), lines: [['05:00', M.heartbeat]], expect: { 'script.not-running': 'skipped' } },
  { name: 'near-miss: launcher-like free text', lines: [['05:30', 'tbmon-launcher: event=exploded pid=1 port=6006']], expect: { 'script.not-running': 'unknown' } },
  // nothing relevant
  { name: 'unrelated lines only', lines: [['05:30', 'I1126 05:30:00 reloading runs']], expect: { 'script.not-running': 'unknown', 'script.port-in-use': 'pass', 'script.port-mismatch': 'unknown' } },
];

// Each case runs every script check on its lines: the statuses named are asserted, and every check's unknown carries
// a hint and every fail a remediation.
const table: CheckCase[] = CASES.map((c) => ({ name: `script: ${c.name}`, evidence: evidence(c.host ?? host(), { launch: launchLog(c.lines) }), expect: c.expect }));
checkTable(scriptChecks, table);

test('script: every unknown in the case table says how to get the evidence (a hint), never a bare unknown', () => {
  for (const c of table) runCase(scriptChecks, { ...c, expect: {} });
});

// script.not-relaunched reads the restart read-back, not the window's lines (test/checks/script/not-relaunched.test.ts).
const windowChecks = scriptChecks.filter((c) => c.id !== 'script.not-relaunched');

test('script: no launch-log rows → every script check unknown with the setup hint', () => {
  const ev = evidence(host(), { launch: { ok: true, value: { asOf: NOW, table: 'Syslog', tag: 'tensorboard', rows: 0, newest: [] } } });
  for (const chk of windowChecks) {
    const r = chk.run(ev, settings);
    assert.equal(r.status, 'unknown', chk.id);
    assert.match(r.hint ?? '', /tensorboard-launch\.sh/, chk.id);
    assert.match(r.hint ?? '', /ProcessName "tensorboard"/, chk.id);
  }
});

test('script: launch log not readable → unknown with the reason', () => {
  const ev = evidence(host(), { launch: { ok: false, reason: 'the launch query failed (HTTP 500)', hint: 'retry' } });
  for (const chk of windowChecks) {
    const r = chk.run(ev, settings);
    assert.equal(r.status, 'unknown');
    assert.match(r.summary, /HTTP 500/);
  }
});

test('script: a failure carries the deciding line and a remediation', () => {
  const ev = evidence(host(), { launch: launchLog([['05:30', M.portInUse]]) });
  const r = scriptChecks.find((c) => c.id === 'script.port-in-use')?.run(ev, settings);
  assert.equal(r?.status, 'fail');
  assert.equal((r?.evidence as { message: string }).message, M.portInUse);
  assert.match(r?.remediation ?? '', /ss -ltnp 'sport = :6006'/);
});

test('script.localhost-only: a load balancer on the path, or a custom application (the host fact discovery sets), makes localhost fatal', () => {
  const check = scriptChecks.find((c) => c.id === 'script.localhost-only');
  const lines = launchLog([['05:30', M.localNotice], ['05:30', M.servingLocal]]);
  const withNetwork = (h: HostRecord, value: Record<string, unknown>) => ({ ...evidence(h, { launch: lines }), network: { ok: true as const, value: value as never } });
  const tagged = host({ tags: { tensorboard: 'true' } });
  // The instance proxy reaches loopback on a tagged compute instance (Azure/MachineLearningNotebooks#1659).
  assert.equal(check?.run(withNetwork(tagged, { loadBalancers: [], customServices: null }), settings).status, 'pass');
  assert.equal(check?.run(withNetwork(tagged, { loadBalancers: [{ id: '/subscriptions/x/lb' }], customServices: null }), settings).status, 'fail');
  const customApp = host({ tags: { tensorboard: 'true' }, facts: { customApplication: true } });
  assert.equal(check?.run(withNetwork(customApp, { loadBalancers: [], customServices: null }), settings).status, 'fail');
  // A record stored before discovery set the fact: an instance without the host tag was found through its application.
  const { customApplication: _unset, ...older } = host({ tags: {} }).facts;
  assert.equal(check?.run(withNetwork({ ...host({ tags: {} }), facts: older }, { loadBalancers: [], customServices: null }), settings).status, 'fail');
});

test('script.not-running: a launcher line without a readable time is unknown, never a pass', () => {
  const withTime = (time: string, asOf = NOW) => {
    const log = launchLog([['05:58', M.heartbeat]], asOf);
    assert.ok(log.ok);
    return evidence(host(), { launch: { ok: true, value: { ...log.value, newest: log.value.newest.map((l) => ({ ...l, time })) } } });
  };
  const check = scriptChecks.find((c) => c.id === 'script.not-running');
  assert.ok(check);
  const cases: [name: string, ev: ReturnType<typeof withTime>, want: CheckStatus][] = [
    ['a readable recent heartbeat', withTime('2026-11-26T05:58:00.000Z'), 'pass'],
    ['a heartbeat without a time', withTime(''), 'unknown'],
    ['a heartbeat with an unreadable time', withTime('not a time'), 'unknown'],
    ['an unreadable evaluation time', withTime('2026-11-26T05:58:00.000Z', ''), 'unknown'],
  ];
  for (const [name, ev, want] of cases) {
    const r = check.run(ev, settings);
    assert.equal(r.status, want, `${name}: ${r.summary}`);
    if (want === 'unknown') assert.ok(r.hint, `${name}: an unknown carries a hint`);
  }
});

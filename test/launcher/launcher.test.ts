// scripts/tensorboard-launch.sh with a fake `tensorboard` on PATH that prints TensorBoard's real messages: the
// lines it emits (file sink), its exit codes, and that the script checks read those lines as intended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { scriptChecks } from '../../shared/checks/script';
import type { CheckStatus } from '../../shared/model';
import { evidence, host, launchLog, settings } from '../support/evidence';

const LAUNCHER = path.resolve(__dirname, '..', '..', 'scripts', 'tensorboard-launch.sh');
const FAKE = path.resolve(__dirname, 'fake-tensorboard.sh');
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

interface Run {
  dir: string;
  logFile: string;
  logdir: string;
  child: ChildProcess;
  exit: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}, withTensorboard = true): Run {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tblaunch-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  if (withTensorboard) {
    copyFileSync(FAKE, path.join(bin, 'tensorboard'));
    chmodSync(path.join(bin, 'tensorboard'), 0o755);
  }
  const logdir = path.join(dir, 'logs');
  mkdirSync(logdir);
  const logFile = path.join(dir, 'launch.log');
  const child = spawn('bash', [LAUNCHER, '--sink', `file:${logFile}`, ...args.map((a) => a.replace('$LOGDIR', logdir))], {
    env: { PATH: `${bin}:${SYSTEM_PATH}`, HOME: dir, TMPDIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { dir, logFile, logdir, child, exit };
}

function lines(r: Run): string[] {
  return existsSync(r.logFile) ? readFileSync(r.logFile, 'utf8').split('\n').filter(Boolean) : [];
}

async function waitFor(r: Run, pred: (ls: string[]) => boolean, ms = 8000): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const ls = lines(r);
    if (pred(ls)) return ls;
    if (Date.now() > until) throw new Error(`timed out; lines so far:\n${ls.join('\n')}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

async function finish(r: Run): Promise<{ code: number | null; lines: string[] }> {
  const code = await r.exit;
  const ls = lines(r);
  rmSync(r.dir, { recursive: true, force: true });
  return { code, lines: ls };
}

/** What the script checks make of the emitted lines (one second apart, ending just now). */
function statuses(ls: string[], hostOver: Parameters<typeof host>[0] = {}): Record<string, CheckStatus> {
  const base = Date.parse('2026-11-26T05:59:00Z') - ls.length * 1000;
  const stamped = ls.map((l, i) => [new Date(base + i * 1000).toISOString().slice(11, 19), l] as [string, string]);
  const ev = evidence(host(hostOver), { launch: launchLog(stamped) });
  return Object.fromEntries(scriptChecks.map((c) => [c.id, c.run(ev, settings).status]));
}

const EVENT = /^tbmon-launcher: event=(started|heartbeat|exited|gave-up) pid=\d+ port=\d+( code=-?\d+)?( attempt=\d+)?$/;
const FAST = ['--heartbeat', '0.2', '--backoff', '0.05', '--max-backoff', '0.1'];

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

test('serves with --bind_all, heartbeats, and stops cleanly on SIGTERM (exit 0)', async () => {
  const port = await freePort();
  const argsFile = path.join(os.tmpdir(), `tb-args-${port}`);
  const r = start(['--logdir', '$LOGDIR', '--port', String(port), ...FAST], { FAKE_TB_MODE: 'serve', FAKE_TB_ARGS: argsFile });
  const ls = await waitFor(r, (l) => l.filter((x) => x.includes('event=heartbeat')).length >= 2);
  assert.match(ls[0], new RegExp(`^tbmon-launcher: event=started pid=\\d+ port=${port} attempt=1$`));
  assert.ok(ls.includes(`TensorBoard 2.16.2 at http://fakehost:${port}/ (Press CTRL+C to quit)`), ls.join('\n'));
  const tbArgs = readFileSync(argsFile, 'utf8');
  rmSync(argsFile);
  assert.match(tbArgs, new RegExp(`--logdir \\S+ --port ${port} --bind_all`));
  const during = statuses(ls, { port });
  assert.equal(during['script.not-running'], 'pass');
  assert.equal(during['script.localhost-only'], 'pass');
  assert.equal(during['script.port-mismatch'], 'pass');
  r.child.kill('SIGTERM');
  const done = await finish(r);
  assert.equal(done.code, 0);
  assert.match(done.lines[done.lines.length - 1], /^tbmon-launcher: event=exited pid=\d+ port=\d+ code=\d+ attempt=1$/);
  for (const l of done.lines.filter((x) => x.startsWith('tbmon-launcher: event='))) assert.match(l, EVENT);
});

test('bind failure: restarts with back-off up to the limit, then gives up (exit 6)', async () => {
  const port = await freePort();
  const r = start(['--logdir', '$LOGDIR', '--port', String(port), '--max-restarts', '2', ...FAST], { FAKE_TB_MODE: 'bind-fail' });
  const { code, lines: ls } = await finish(r);
  assert.equal(code, 6);
  const events = ls.filter((l) => l.startsWith('tbmon-launcher: event='));
  assert.deepEqual(events.map((e) => e.replace(/pid=\d+/, 'pid=N')), [
    `tbmon-launcher: event=started pid=N port=${port} attempt=1`,
    `tbmon-launcher: event=exited pid=N port=${port} code=255 attempt=1`,
    `tbmon-launcher: event=started pid=N port=${port} attempt=2`,
    `tbmon-launcher: event=exited pid=N port=${port} code=255 attempt=2`,
    `tbmon-launcher: event=started pid=N port=${port} attempt=3`,
    `tbmon-launcher: event=exited pid=N port=${port} code=255 attempt=3`,
    `tbmon-launcher: event=gave-up pid=N port=${port} code=255 attempt=3`,
  ]);
  assert.equal(ls.filter((l) => l === `ERROR: TensorBoard could not bind to port ${port}, it was already in use`).length, 3);
  const s = statuses(ls, { port });
  assert.equal(s['script.port-in-use'], 'fail');
  assert.equal(s['script.not-running'], 'fail');
});

test('a crash then a healthy restart: the later serving line clears the crash', async () => {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tbcount-'));
  const r = start(['--logdir', '$LOGDIR', '--port', String(port), ...FAST], { FAKE_TB_MODE: 'crash-then-serve', FAKE_TB_COUNT: path.join(dir, 'n') });
  const ls = await waitFor(r, (l) => l.some((x) => x.includes('event=heartbeat')));
  r.child.kill('SIGTERM');
  await finish(r);
  rmSync(dir, { recursive: true, force: true });
  assert.ok(ls.includes('Traceback (most recent call last):'));
  assert.ok(ls.some((l) => /^tbmon-launcher: event=exited pid=\d+ port=\d+ code=1 attempt=1$/.test(l)));
  assert.ok(ls.some((l) => /^tbmon-launcher: event=started pid=\d+ port=\d+ attempt=2$/.test(l)));
  const s = statuses(ls, { port });
  assert.equal(s['script.launch-crash'], 'pass');
  assert.equal(s['script.not-running'], 'pass');
});

test('a crash on every start is reported as a crash', async () => {
  const port = await freePort();
  const r = start(['--logdir', '$LOGDIR', '--port', String(port), '--max-restarts', '0', ...FAST], { FAKE_TB_MODE: 'crash' });
  const { code, lines: ls } = await finish(r);
  assert.equal(code, 6);
  const s = statuses(ls, { port });
  assert.equal(s['script.launch-crash'], 'fail');
  assert.equal(s['script.not-running'], 'fail');
});

test('a localhost serving line is logged and judged localhost-only on a VM', async () => {
  const port = await freePort();
  const r = start(['--logdir', '$LOGDIR', '--port', String(port), ...FAST], { FAKE_TB_MODE: 'localhost' });
  const ls = await waitFor(r, (l) => l.some((x) => x.startsWith('TensorBoard 2.16.2 at http://localhost:')));
  r.child.kill('SIGTERM');
  await finish(r);
  assert.ok(ls.includes('Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all'));
  assert.equal(statuses(ls, { kind: 'vm', port })['script.localhost-only'], 'fail');
});

test('tensorboard not on PATH: exit 3 with "command not found"', async () => {
  const r = start(['--logdir', '$LOGDIR'], {}, false);
  const { code, lines: ls } = await finish(r);
  assert.equal(code, 3);
  assert.match(ls[0], /^tbmon-launcher: tensorboard: command not found/);
  assert.equal(ls[1], 'tbmon-launcher: event=gave-up pid=0 port=6006 code=127');
  const s = statuses(ls);
  assert.equal(s['script.not-installed'], 'fail');
  assert.equal(s['script.not-running'], 'fail');
});

test('missing logdir: exit 4 with "No such file or directory"', async () => {
  const r = start(['--logdir', '/nonexistent/tb-logs'], { FAKE_TB_MODE: 'serve' });
  const { code, lines: ls } = await finish(r);
  assert.equal(code, 4);
  assert.equal(ls[0], 'tbmon-launcher: logdir /nonexistent/tb-logs: No such file or directory');
  assert.equal(statuses(ls)['script.logdir'], 'warn');
});

test('port already in use: exit 5 before starting anything', async () => {
  const srv = net.createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const r = start(['--logdir', '$LOGDIR', '--port', String(port)], { FAKE_TB_MODE: 'serve' });
    const { code, lines: ls } = await finish(r);
    assert.equal(code, 5);
    assert.equal(ls[0], `tbmon-launcher: port ${port}: Address already in use`);
    assert.equal(statuses(ls, { port })['script.port-in-use'], 'fail');
  } finally {
    await new Promise<void>((res) => srv.close(() => res()));
  }
});

test('usage errors: exit 2, nothing started', async () => {
  for (const args of [[], ['--logdir'], ['--logdir', '/tmp', '--port', '70000'], ['--logdir', '/tmp', '--bogus'], ['--logdir', '/tmp', '--sink', 'carrier-pigeon']]) {
    const child = spawn('bash', [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    assert.equal(code, 2, `${args.join(' ')}: ${err}`);
    assert.match(err, /tensorboard-launch\.sh: .+ \(see --help\)/);
  }
});

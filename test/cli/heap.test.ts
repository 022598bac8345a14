// bin/tbmon.js runs the CLI under a bounded V8 heap (bin/heap.cjs): started without a limit it runs itself again with
// one, passes the exit code and signals through, and leaves a limit the caller set alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../cli/args';
import { formatOf } from '../../cli/main';
import { TBMON_BIN } from '../support/bin';

const heap = require('../../bin/heap.cjs') as {
  HEAP_LIMIT_MB: number; HEAP_LIMIT_ARG: string;
  hasHeapLimit(execArgv: string[], nodeOptions: string): boolean;
  wantsHeapLimit(argv: string[], stdoutIsTty: boolean): boolean;
};

test('hasHeapLimit: the flag in any spelling, as an argument or in NODE_OPTIONS', () => {
  const cases: [string[], string, boolean][] = [
    [[], '', false],
    [['--max-old-space-size=512'], '', true],
    [['--max_old_space_size=512'], '', true],
    [[], '--require x.cjs --max-old-space-size=1024', true],
    [['--max-semi-space-size=16'], '--stack-size=900', false],
    [['--max-old-space-sizeable'], '', false],
  ];
  for (const [argv, opts, want] of cases) assert.equal(heap.hasHeapLimit(argv, opts), want, `${argv.join(' ')} | ${opts}`);
});

test('wantsHeapLimit: every command but a scan written as a table or HTML (which keep every host to sort them)', () => {
  const cases: [string[], boolean, boolean][] = [
    [['scan', '--format', 'json'], true, true],
    [['scan', '--format=ndjson'], true, true],
    [['scan'], false, true], // json when stdout is not a terminal
    [['scan', '--output', 'r.html', '--format', 'html'], false, false],
    [['scan'], true, false], // table on a terminal
    [['scan', '--output', 'r.json'], true, true],
    [['scan', '--format', 'table'], false, false],
    [['check', 'ci-ok'], true, true],
    [['hosts', '--format', 'table'], true, true],
    [['--version'], true, true],
  ];
  for (const [argv, tty, want] of cases) assert.equal(heap.wantsHeapLimit(argv, tty), want, `${argv.join(' ')} (tty ${tty})`);
});

test('wantsHeapLimit agrees with the CLI: the limit is off exactly for a scan whose format (cli/main.ts formatOf) is table or html', () => {
  const argvs = [
    ['scan'], ['scan', '--format', 'json'], ['scan', '--format=html'], ['scan', '--format', 'table', '--output', 'r.txt'],
    ['scan', '--output', 'r.json'], ['scan', '--output=r.json'], ['scan', '--format', 'ndjson', '--all'], ['scan', '--quiet', '--format', 'html', '--output', 'r.html'],
  ];
  for (const argv of argvs) {
    for (const tty of [true, false]) {
      const format = formatOf(parseArgs(argv), { stdoutIsTty: tty });
      assert.equal(heap.wantsHeapLimit(argv, tty), format !== 'table' && format !== 'html', `${argv.join(' ')} (tty ${tty}): the CLI writes ${format}`);
    }
  }
});

/** Runs the bin with a preload that records, per process, its heap limit and execArgv at exit. */
function runWithProbe(args: string[], env: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; processes: { limitMb: number; execArgv: string[] }[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-heap-'));
  const probe = path.join(dir, 'probe.cjs');
  const out = path.join(dir, 'out.ndjson');
  writeFileSync(probe, `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(out)}, JSON.stringify({ limitMb: Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 1048576), execArgv: process.execArgv }) + '\\n'));\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', probe, TBMON_BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('spawn', () => onSpawn?.(child.pid!));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      let lines: string[] = [];
      try { lines = readFileSync(out, 'utf8').trim().split('\n').filter(Boolean); } catch { /* none written */ }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, processes: lines.map((l) => JSON.parse(l) as { limitMb: number; execArgv: string[] }) });
    });
  });
}

test('started without a limit, the CLI runs in a second process under HEAP_LIMIT_ARG; its exit code is the command\'s', async () => {
  const r = await runWithProbe(['bogus-command']);
  assert.equal(r.code, 2, 'an unknown command is a usage error, passed through');
  assert.equal(r.processes.length, 2, JSON.stringify(r.processes));
  const [cli, parent] = r.processes; // the CLI exits first
  assert.ok(cli.execArgv.includes(heap.HEAP_LIMIT_ARG), JSON.stringify(cli.execArgv));
  assert.ok(cli.limitMb < parent.limitMb, `limit ${cli.limitMb} MB under the default ${parent.limitMb} MB`);
  assert.ok(cli.limitMb >= heap.HEAP_LIMIT_MB && cli.limitMb < heap.HEAP_LIMIT_MB + 128, `${cli.limitMb} MB`);
});

test('a scan written as HTML runs without the limit, in one process', async () => {
  const r = await runWithProbe(['scan', '--format', 'html', '--bogus-flag']);
  assert.equal(r.code, 2);
  assert.equal(r.processes.length, 1);
});

test('a limit set by the caller (NODE_OPTIONS) is kept: one process', async () => {
  const r = await runWithProbe(['--version'], { NODE_OPTIONS: '--max-old-space-size=700' });
  assert.equal(r.code, 0);
  assert.equal(r.processes.length, 1);
  assert.ok(r.processes[0].limitMb >= 700 && r.processes[0].limitMb < 900, `${r.processes[0].limitMb} MB`);
});

test('SIGTERM to the bin reaches the CLI: both end, the bin by that signal', async () => {
  // A "sandbox" that accepts connections and never answers: the CLI waits on it until the signal comes.
  const sockets = new Set<net.Socket>();
  let closed = 0;
  const server = net.createServer((s) => { sockets.add(s); s.resume(); s.on('close', () => { closed++; }); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  const ca = process.env.TBMON_SANDBOX_TLS_CERT;
  assert.ok(ca, 'the test runner provides the sandbox certificate (TBMON_SANDBOX_TLS_CERT)');
  try {
    let pid = 0;
    const run = runWithProbe(['hosts', '--sandbox-url', `https://127.0.0.1:${port}`, '--sandbox-ca', ca, '--quiet'], {}, (p) => { pid = p; });
    const until = Date.now() + 60_000;
    while (sockets.size === 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    assert.ok(sockets.size > 0, 'the CLI connected');
    process.kill(pid, 'SIGTERM');
    const r = await run;
    assert.equal(r.signal, 'SIGTERM', `the bin ended by the signal (code ${r.code})`);
    const gone = Date.now() + 10_000;
    while (closed < sockets.size && Date.now() < gone) await new Promise((res) => setTimeout(res, 50));
    assert.equal(closed, sockets.size, 'the CLI process is gone too (its connections closed)');
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

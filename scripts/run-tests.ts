// The body of `npm test` (scripts/bootstrap.js runs it under Node 22): lint, the layer rules, typecheck, shellcheck,
// then every test file under test/ with one shared Azurite and one TLS certificate for sandboxes, all behind the
// loopback guard.
//
//   npm test                         everything
//   npm test -- test/kql             lint + typecheck + only the tests under test/kql (files or folders)
//   npm test -- --quick test/kql     only those tests (no lint, typecheck or shellcheck)
//
// Exits non-zero when any step fails (or when no test ran); the last line is a one-line summary of every step.
//
// Time on a 2-core machine went mostly to starting processes — each test file was one, loading tsx, the SDKs and (for
// half of them) the sandbox's Kusto language service again — not to the tests. So the files run in a few long-lived
// processes (scripts/test-shard.ts), one more than the cores (a file often waits on a timer or a child process), each
// taking the next file from a queue, longest first; each file is still a suite of its own with its own hooks, and
// fails alone after 10 minutes. Lint, layers and typecheck run beside the tests, not before them. Modules compiled
// once are kept in a V8 compile cache (.cache/v8, NODE_COMPILE_CACHE) for the CLI processes tests start and the
// next run. TBMON_TEST_CONCURRENCY sets the number of test processes.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { startAzurite, type RunningAzurite } from '../devhost/azurite';

const root = path.resolve(__dirname, '..');
const TEST_STEP_LIMIT_MS = 20 * 60_000;
const started = Date.now();

type StepResult = { name: string; outcome: 'ok' | 'FAIL' | 'skipped'; detail?: string };
const results: StepResult[] = [];
const children = new Set<ChildProcess>();
let azurite: RunningAzurite | undefined;
let tmpDir: string | undefined;

function say(line: string): void {
  process.stdout.write(`[run-tests] ${line}\n`);
}

/** Every *.test.ts under dir (sorted), or dir itself when it is a file. */
function collectTests(target: string): string[] {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return target.endsWith('.test.ts') ? [target] : [];
  const out: string[] = [];
  for (const e of fs.readdirSync(target, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    out.push(...collectTests(path.join(target, e.name)));
  }
  return out.sort();
}

/** Runs a command to completion, output captured (printed afterwards so parallel steps don't interleave). */
function capture(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('error', (e) => { output += String(e); });
    child.once('close', (code) => { children.delete(child); resolve({ code: code ?? 1, output }); });
  });
}

async function checkStep(name: string, cmd: string, args: string[]): Promise<void> {
  const t0 = Date.now();
  const { code, output } = await capture(cmd, args);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  say(`${name}: ${code === 0 ? 'ok' : `FAIL (exit ${code})`} in ${secs}s`);
  if (output.trim()) process.stdout.write(`${output.trimEnd()}\n`);
  results.push({ name, outcome: code === 0 ? 'ok' : 'FAIL' });
}

async function shellcheckStep(): Promise<void> {
  const scriptsDir = path.join(root, 'scripts');
  const files = fs.readdirSync(scriptsDir).filter((f) => f.endsWith('.sh')).map((f) => path.join('scripts', f));
  if (files.length === 0) {
    say('shellcheck: skipped (no scripts/*.sh)');
    results.push({ name: 'shellcheck', outcome: 'skipped', detail: 'no scripts' });
    return;
  }
  if (spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status !== 0) {
    say(`shellcheck: SKIPPED — shellcheck is not installed (apt-get install shellcheck); ${files.length} script(s) unchecked`);
    results.push({ name: 'shellcheck', outcome: 'skipped', detail: 'not installed' });
    return;
  }
  await checkStep('shellcheck', 'shellcheck', files);
}

async function makeSandboxCert(dir: string): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const key = path.join(dir, 'sandbox-key.pem');
  const cert = path.join(dir, 'sandbox-cert.pem');
  fs.writeFileSync(key, pems.private, { mode: 0o600 });
  fs.writeFileSync(cert, pems.cert);
  return { key, cert };
}

/** The closing counters of the spec reporter (`ℹ tests 12`, `ℹ pass 11`, …). */
function parseCounts(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of output.matchAll(/^\u2139 (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)\s*$/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

/** Test processes run at once: one more than the cores (a file often waits on a timer or a child), or TBMON_TEST_CONCURRENCY. */
function testConcurrency(): number {
  const given = Number(process.env.TBMON_TEST_CONCURRENCY);
  return Number.isInteger(given) && given > 0 ? given : os.availableParallelism() + 1;
}

const TIMES_FILE = path.join(root, '.cache', 'test-times.json');

/** Each file's time (ms) in the runs before on this checkout (.cache/test-times.json), or none. */
function lastTimes(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(TIMES_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {}; // first run here
  }
}

/**
 * The order shards take files in: longest first, so no long file starts last. Files without a time of their own
 * (every file on a fresh clone) come first — the ones that generate a tenant, start processes or a browser (the slow
 * kind), then the larger — and the rest by their last time.
 */
function longestFirst(files: string[], times: Record<string, number>): string[] {
  const guess = new Map(files.filter((f) => !(f in times)).map((f) => {
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    return [f, (/generateTenant\(|spawn\(|chromium/i.test(text) ? 1e9 : 0) + text.length];
  }));
  const rank = (f: string): [number, number] => (guess.has(f) ? [0, guess.get(f)!] : [1, times[f]]);
  return [...files].sort((a, b) => {
    const [ga, wa] = rank(a);
    const [gb, wb] = rank(b);
    return ga - gb || wb - wa || a.localeCompare(b);
  });
}

async function testStep(files: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const args = [
    '--require', path.join(root, 'scripts', 'loopback-guard.cjs'), '--import', 'tsx',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    path.join(root, 'scripts', 'test-shard.ts'),
  ];
  const before = lastTimes();
  const queue = longestFirst(files.map((f) => path.relative(root, f)), before);
  const shards = Math.min(testConcurrency(), queue.length);
  say(`tests: ${files.length} file(s) in ${shards} processes`);
  const t0 = Date.now();
  const totals: Record<string, number> = {};
  const times: Record<string, number> = {};
  const lost: string[] = [];
  let failedExit = false;
  let started = 0;
  let peakRssMb = 0;
  // A file that never exits (an open handle after its tests) would hang CI: the whole step has a deadline.
  let timedOut = false;
  const running = new Set<ChildProcess>();
  const watchdog = setTimeout(() => {
    timedOut = true;
    say(`tests: still running after ${TEST_STEP_LIMIT_MS / 60_000} min — stopping them`);
    for (const c of running) c.kill('SIGTERM');
  }, TEST_STEP_LIMIT_MS);

  const shard = (): Promise<void> => new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    children.add(child);
    running.add(child);
    let current: string | null = null;
    let took = 0;
    let held = '';
    let tail = '';
    // A shard's output is passed on a file at a time, so two shards' reports do not interleave line by line.
    const flush = (): void => {
      if (held) process.stdout.write(held);
      held = '';
    };
    child.stdout?.on('data', (d: Buffer) => {
      held += d.toString();
      tail = (tail + d.toString()).slice(-20_000);
    });
    started++;
    child.on('message', (m: { type: string; file?: string; ms?: number; rssMb?: number }) => {
      if (m.type === 'done' && m.file) {
        times[m.file] = m.ms ?? 0;
        peakRssMb = Math.max(peakRssMb, m.rssMb ?? 0);
        current = null;
      } else if (m.type === 'next') {
        flush();
        current = timedOut ? null : queue.shift() ?? null;
        if (current) took++;
        child.send({ file: current });
      }
    });
    child.once('close', (code) => {
      children.delete(child);
      running.delete(child);
      flush();
      for (const [k, v] of Object.entries(parseCounts(tail))) totals[k] = (totals[k] ?? 0) + v;
      if (code !== 0) failedExit = true;
      if (current) {
        lost.push(current);
        say(`tests: the process running ${current} ended (exit ${code}) before the file finished`);
      }
      // A shard that retired (or died in a file) leaves the rest of the queue to a fresh one; one that ended before
      // taking a file would only end again (the files left are reported as never run).
      if (queue.length && took > 0 && !timedOut) void shard().then(resolve);
      else resolve();
    });
  });
  await Promise.all(Array.from({ length: shards }, () => shard()));
  clearTimeout(watchdog);

  const n = totals.tests ?? 0;
  const detail = `${n} tests, ${totals.pass ?? 0} pass, ${totals.fail ?? 0} fail`
    + `${totals.cancelled ? `, ${totals.cancelled} cancelled` : ''}${totals.skipped ? `, ${totals.skipped} skipped` : ''}${totals.todo ? `, ${totals.todo} todo` : ''}`
    + `${lost.length ? `; ${lost.length} file(s) did not finish: ${lost.join(', ')}` : ''}`
    + `${queue.length ? `; ${queue.length} file(s) never ran` : ''}`;
  // An empty run exits 0 with nothing tested: that is not a pass.
  const ok = !failedExit && !lost.length && !queue.length && n > 0 && !(totals.fail ?? 0);
  results.push({ name: 'tests', outcome: ok && !timedOut ? 'ok' : 'FAIL', detail: timedOut ? `timed out; ${detail}` : n === 0 && !failedExit ? 'no test ran' : detail });
  fs.mkdirSync(path.dirname(TIMES_FILE), { recursive: true });
  fs.writeFileSync(TIMES_FILE, JSON.stringify({ ...before, ...times }));
  say(`tests: ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)}s in ${started} processes, peak RSS ${peakRssMb} MB (slowest: ${Object.entries(times).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([f, ms]) => `${f} ${(ms / 1000).toFixed(1)}s`).join(', ')})`);
}

async function cleanup(): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await azurite?.stop().catch(() => undefined);
  azurite = undefined;
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

function summaryLine(): string {
  const order = ['usage', 'lint', 'layers', 'typecheck', 'shellcheck', 'tests', 'runner', 'interrupted'];
  const parts = [...results].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)).map((r) => `${r.name} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`);
  return `[run-tests] ${results.some((r) => r.outcome === 'FAIL') ? 'FAILED' : 'PASSED'}: ${parts.join(' · ')} · ${((Date.now() - started) / 1000).toFixed(1)}s`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const targets = argv.filter((a) => a !== '--quick');
  const unknownFlag = targets.find((a) => a.startsWith('-'));
  if (unknownFlag) {
    say(`unknown option ${unknownFlag} (usage: npm test -- [--quick] [test/<dir or file> …])`);
    results.push({ name: 'usage', outcome: 'FAIL', detail: `unknown option ${unknownFlag}` });
    return 2;
  }
  const files = targets.length
    ? [...new Set(targets.flatMap((t) => collectTests(path.resolve(root, t))))].sort()
    : collectTests(path.join(root, 'test'));
  const missing = targets.filter((t) => collectTests(path.resolve(root, t)).length === 0);
  if (missing.length) {
    say(`no *.test.ts file under: ${missing.join(', ')}`);
    results.push({ name: 'usage', outcome: 'FAIL', detail: `no test file under ${missing.join(', ')}` });
    return 2;
  }

  // Azurite and the certificate start while lint and typecheck run: the wall clock is the slowest of them.
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbmon-test-'));
  const fixtures = Promise.all([startAzurite(), makeSandboxCert(tmpDir)]);
  fixtures.catch(() => undefined); // awaited below; don't let an early rejection go unhandled meanwhile

  let checks: Promise<unknown> = Promise.resolve();
  if (quick) {
    say('lint, typecheck, shellcheck: skipped (--quick)');
  } else {
    const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
    // Caches live in .cache/ (git-ignored): a second run on the same checkout re-checks only what changed.
    const cache = path.join(root, '.cache');
    checks = Promise.all([
      checkStep('lint', process.execPath, [eslint, '--cache', '--cache-location', path.join(cache, 'eslint') + path.sep, '.']),
      // Imports run one way (DESIGN.md § Shape): the layer order in .dependency-cruiser.cjs, as `npm run lint` runs it.
      checkStep('layers', process.execPath, [depcruise, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'shared', 'functions', 'cli', 'devhost']),
      checkStep('typecheck', process.execPath, [tsc, '--noEmit', '--incremental', '--tsBuildInfoFile', path.join(cache, 'tsc', 'tsconfig.tsbuildinfo'), '-p', 'tsconfig.json']),
      shellcheckStep(),
    ]);
  }

  if (files.length === 0) {
    results.push({ name: 'tests', outcome: 'FAIL', detail: 'no test files under test/' });
  } else {
    let cert: { key: string; cert: string };
    try {
      [azurite, cert] = await fixtures;
    } catch (e) {
      say(`could not start the test fixtures (Azurite / TLS certificate): ${(e as Error).message}`);
      results.push({ name: 'tests', outcome: 'FAIL', detail: 'fixtures did not start' });
      await checks;
      return 1;
    }
    say(`Azurite pid ${azurite.pid} (queue ${azurite.queueUrl}, table ${azurite.tableUrl}); sandbox cert ${cert.cert}`);
    await testStep(files, {
      ...process.env,
      TBMON_TEST_STORAGE: azurite.connectionString,
      TBMON_SANDBOX_TLS_KEY: cert.key,
      TBMON_SANDBOX_TLS_CERT: cert.cert,
      NODE_EXTRA_CA_CERTS: cert.cert,
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(root, '.cache', 'v8'),
    });
  }
  await checks;
  return results.some((r) => r.outcome === 'FAIL') ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    say(`${sig}: stopping`);
    results.push({ name: 'interrupted', outcome: 'FAIL', detail: sig });
    void cleanup().finally(() => {
      process.stdout.write(`${summaryLine()}\n`);
      process.exit(130);
    });
  });
}

main()
  .catch((e: unknown) => {
    say(`runner error: ${e instanceof Error ? e.stack : String(e)}`);
    results.push({ name: 'runner', outcome: 'FAIL' });
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.stdout.write(`${summaryLine()}\n`);
    process.exit(code);
  });

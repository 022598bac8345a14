// `npm start` without Core Tools: devhost/main.ts validates settings first (exit 2 naming the bad one), loads the
// function modules of a folder, serves their HTTP routes with a printed host key, and stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testStorageConnectionString } from '../support/env';

const root = path.join(__dirname, '..', '..');

function startMain(env: Record<string, string>, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--require', path.join(root, 'scripts', 'loopback-guard.cjs'), '--import', 'tsx', path.join(root, 'devhost', 'main.ts'), ...args], {
    cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(read: () => string, re: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(read());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('bad settings: exit 2 before anything starts, each problem named', async () => {
  const run = startMain({ AzureWebJobsStorage: await testStorageConnectionString(), TBMON_MIN_VCPUS: 'zero', TBMON_SCOPE: 'tenant:x' }, ['--port', '0']);
  assert.equal(await run.exited, 2);
  assert.match(run.output(), /TBMON_MIN_VCPUS/);
  assert.match(run.output(), /TBMON_SCOPE/);
});

test('serves the functions of a folder with a generated host key; SIGTERM stops it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbmon-fns-'));
  try {
    fs.writeFileSync(path.join(dir, 'ping.js'), `exports.registration = {
      name: 'ping', trigger: { type: 'http', methods: ['GET'], authLevel: 'function' },
      handler: (req) => ({ jsonBody: { pong: req.query.get('n') } }),
    };\n`);
    const run = startMain({ AzureWebJobsStorage: await testStorageConnectionString() }, ['--port', '0', '--functions', dir]);
    const [, url] = await waitFor(run.output, /GET (http:\/\/127\.0\.0\.1:\d+\/api\/ping) \(function\)/, 15_000);
    const [, key] = await waitFor(run.output, /host key for authLevel function[^:]*: (\S+)/, 5_000);
    assert.equal((await fetch(url)).status, 401);
    const res = await fetch(`${url}?n=7`, { headers: { 'x-functions-key': key } });
    assert.deepEqual(await res.json(), { pong: '7' });
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.match(run.output(), /SIGTERM: stopping/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The launcher as owners get it: GET /api/launcher (anonymous, GET/HEAD, the exact script as text/x-shellscript,
// registered like every function) and `tbmon launcher` (stdout, or --output FILE, executable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { launcher, registration } from '../../functions/launcher';
import { main, type CliIo } from '../../cli/main';
import { loadRegistrations } from '../../devhost/load';

const SCRIPT = readFileSync(path.join(__dirname, '..', '..', 'scripts', 'tensorboard-launch.sh'));

test('GET /api/launcher: anonymous, read-only, the exact script, text/x-shellscript', async () => {
  assert.deepEqual(registration.trigger, { type: 'http', methods: ['GET', 'HEAD'], authLevel: 'anonymous', route: 'launcher' });
  assert.ok(loadRegistrations().some((r) => r.name === 'launcher'), 'found the way the host finds functions');
  const res = await launcher(new HttpRequest({ url: 'https://tbmon.example/api/launcher', method: 'GET' }), new InvocationContext());
  assert.equal(res.status, 200);
  assert.match(String((res.headers as Record<string, string>)['content-type']), /^text\/x-shellscript/);
  assert.ok(Buffer.isBuffer(res.body) && SCRIPT.equals(res.body), 'byte for byte');
});

test('tbmon launcher prints the script; --output writes it executable and says where', async () => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, stdoutIsTty: false, stderrIsTty: false, env: {} };
  assert.equal(await main(['launcher'], io), 0);
  assert.equal(stdout, SCRIPT.toString('utf8'));
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbmon-launcher-')), 'tensorboard-launch.sh');
  stdout = '';
  assert.equal(await main(['launcher', '--output', file], io), 0);
  assert.equal(stdout, '');
  assert.ok(SCRIPT.equals(readFileSync(file)));
  assert.ok((statSync(file).mode & 0o100) !== 0, 'executable');
  assert.match(stderr, /wrote .*tensorboard-launch\.sh: the launcher/);
  assert.equal(await main(['launcher', '--format', 'json'], io), 2);
  assert.match(stderr, /not --format/);
});

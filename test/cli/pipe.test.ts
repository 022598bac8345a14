// `tbmon scan | head`: when the reader of stdout goes away, tbmon stops at once — exit 3 (the report was not all
// delivered), no stack trace — as a Unix tool does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TBMON_BIN } from '../support/bin';

const CONTOSO = path.join(__dirname, '..', '..', 'sandbox', 'tenants', 'contoso.json');

test('stdout closed by its reader after the first chunk: exit 3, nothing on stderr', async () => {
  const child = spawn(process.execPath, [TBMON_BIN, 'scan', '--sandbox', CONTOSO, '--format', 'json', '--quiet'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let first = '';
  child.stdout.once('data', (d: Buffer) => {
    first = d.toString();
    child.stdout.destroy(); // as `head -c 100` does once it has its bytes
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.match(first, /^\{\n {2}"schemaVersion": 1/);
  assert.equal(code, 3, stderr);
  assert.equal(stderr, '', 'no stack trace, no message');
});

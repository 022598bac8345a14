// Finding functions as the host does: every module in the folder exporting `registration`; a malformed one is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRegistrations } from '../../devhost/load';
import { startDevHost } from '../../devhost/host';
import { isFunctionRegistration } from '../../functions/registration';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbmon-load-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('every module exporting a registration (one or an array) is loaded, in file order; helpers without one are not', () => {
  const dir = folder({
    'b.js': `exports.registration = [{ name: 'b1', trigger: { type: 'timer', schedule: '0 0 * * * *' }, handler() {} }, { name: 'b2', trigger: { type: 'http', methods: ['GET'], authLevel: 'anonymous' }, handler() {} }];`,
    'a.js': `exports.registration = { name: 'a', trigger: { type: 'queue', queueName: 'q', connection: 'AzureWebJobsStorage' }, handler() {} };`,
    'helper.js': 'exports.x = 1;',
    'registration.js': 'throw new Error("the convention module itself is not a function");',
    'notes.md': 'not code',
  });
  try {
    assert.deepEqual(loadRegistrations(dir).map((r) => r.name), ['a', 'b1', 'b2']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed registration is refused, naming its file', () => {
  const dir = folder({ 'broken.js': `exports.registration = { name: 'x', trigger: { type: 'blob' }, handler() {} };` });
  try {
    assert.throws(() => loadRegistrations(dir), /tbmon-load-\w+\/broken\.js exports a "registration" that is not one/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('isFunctionRegistration and duplicate names', async () => {
  assert.equal(isFunctionRegistration({ name: 'n', trigger: { type: 'http' }, handler: () => undefined }), true);
  for (const bad of [null, 'x', {}, { name: 'n', trigger: { type: 'http' } }, { name: 1, trigger: { type: 'timer' }, handler: () => undefined }]) {
    assert.equal(isFunctionRegistration(bad), false, JSON.stringify(bad));
  }
  const reg = { name: 'same', trigger: { type: 'timer' as const, schedule: '0 0 * * * *' }, handler: () => undefined };
  await assert.rejects(startDevHost({ registrations: [reg, reg], timers: 'manual', log: () => undefined }), /two functions are registered as "same"/);
});

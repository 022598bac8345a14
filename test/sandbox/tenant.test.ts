// Tenant parsing: lenient about what it doesn't know, precise about what is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseTenant, readTenantFile, TenantError } from '../../sandbox/tenant';

const ok = { now: '2026-11-26T06:00:00Z', subscriptions: [{ subscriptionId: 's' }], resources: [{ id: '/subscriptions/s/resourceGroups/r/providers/A.B/c/n', name: 'n', type: 'A.B/c' }] };

describe('parseTenant', () => {
  it('keeps unknown fields and defaults absent lists', () => {
    const t = parseTenant({ now: ok.now, futureField: { x: 1 } });
    assert.deepEqual(t.resources, []);
    assert.deepEqual(t.subscriptions, []);
    assert.deepEqual(t.futureField, { x: 1 });
  });

  const cases: [string, unknown, RegExp][] = [
    ['missing now', { subscriptions: [] }, /: now is missing/],
    ['bad now', { now: 'yesterday' }, /: now is not a date-time/],
    ['subscription without id', { ...ok, subscriptions: [{ subscriptionId: 's' }, { displayName: 'x' }] }, /subscriptions\[1\]\.subscriptionId is missing/],
    ['resource without type', { ...ok, resources: [...ok.resources, { id: '/x', name: 'x' }] }, /resources\[1\]\.type is missing/],
    ['resource without id', { ...ok, resources: [{ name: 'x', type: 't' }] }, /resources\[0\]\.id is missing/],
    ['duplicate id', { ...ok, resources: [...ok.resources, { ...ok.resources[0], id: ok.resources[0].id.toUpperCase() }] }, /resources\[1\]\.id repeats resources\[0\]\.id/],
    ['tables missing', { ...ok, logAnalytics: { ws1: {} } }, /logAnalytics\.ws1\.tables is missing/],
    ['table not an array', { ...ok, logAnalytics: { ws1: { tables: { Syslog: {} } } } }, /logAnalytics\.ws1\.tables\.Syslog must be an array/],
    ['row not an object', { ...ok, logAnalytics: { ws1: { tables: { Syslog: [{}, 'x'] } } } }, /logAnalytics\.ws1\.tables\.Syslog\[1\] must be an object/],
    ['not an object', [], /\$ must be a JSON object/],
  ];
  for (const [name, json, message] of cases) {
    it(`refuses ${name}, naming the JSON path`, () => {
      assert.throws(() => parseTenant(json, 'x.json'), (e: Error) => e instanceof TenantError && message.test(e.message) && e.message.startsWith('x.json: '));
    });
  }

  it('readTenantFile names the file when the JSON is broken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-test-'));
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"now": ');
    try {
      assert.throws(() => readTenantFile(file), (e: Error) => e.message.startsWith(`${file}: $ is not valid JSON`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

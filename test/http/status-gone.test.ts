// The status page leaves out hosts the inventory says are gone: their last stored report would show a host that no
// longer exists — and perhaps as passing. (In-memory stores behind the handler's own interfaces; the Azurite-backed
// page is covered in status.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { makeStatusHandler } from '../../functions/status';
import type { HostReport, Report } from '../../shared/model';
import type { InventoryHost } from '../../shared/state/inventory';
import type { LatestHostState } from '../../shared/state/reports';
import { testHost } from '../support/hosts';

const SUB = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
function report(name: string, status: HostReport['status']): HostReport {
  return {
    host: testHost({ name, subscriptionId: SUB, resourceGroup: 'rg', workspace: 'ws', logAnalyticsWorkspaceId: null }),
    evaluatedAt: '2026-11-26T06:00:00Z', status, checks: [],
  };
}

test('gone hosts are not on the status page; hosts missed once (not gone yet) still are', async () => {
  const stored = [report('ci-live', 'fail'), report('ci-gone', 'pass'), report('ci-missed-once', 'warn')];
  const inventory: InventoryHost[] = stored.map((r) => ({
    host: { ...r.host, id: r.host.id.toUpperCase() }, firstSeen: 'x', lastSeen: 'x', lastSeenSweepId: 's1',
    missedSweeps: r.host.name === 'ci-live' ? 0 : r.host.name === 'ci-gone' ? 2 : 1,
    goneAt: r.host.name === 'ci-gone' ? '2026-11-26T05:45:00Z' : null, goneSweepId: r.host.name === 'ci-gone' ? 's3' : null,
  }));
  const handler = makeStatusHandler(async () => ({
    reports: {
      async *listLatest() {
        for (const r of stored) yield { report: r, checkStates: {}, sweepId: 's3', etag: '*' } as LatestHostState;
      },
    },
    inventory: { list: async () => inventory },
    now: () => new Date('2026-11-26T06:00:00Z'),
  }));
  const res = await handler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status?format=json' }), new InvocationContext());
  assert.equal(res.status, 200);
  const body = res.jsonBody as Report;
  assert.deepEqual(body.hosts.map((h) => h.host.name).sort(), ['ci-live', 'ci-missed-once']);
  assert.deepEqual(body.summary, { hosts: 2, pass: 0, warn: 1, fail: 1, unknown: 0 });
});

// Nothing lost: a sweep that decides a host is gone but cannot write the `gone` notice to the outbox (storage
// unavailable) must not mark the host gone either — the next sweep decides again and the notice goes out. Marking it
// gone first would lose the notice for good: a gone host is never gone again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings, type Settings } from '../../shared/config';
import type { Notice } from '../../shared/notices';
import { Outbox, type WriteNoticesResult } from '../../shared/state/outbox';
import { runSweep } from '../../shared/sweep';
import { testStorageConnectionString } from '../support/env';
import { sweepStores } from '../support/stores';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const CI_OOM = '/subscriptions/1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod/computes/ci-oom';

/** An outbox whose writes fail while `failing` is set, as Table storage does when it is unavailable. */
class FlakyOutbox extends Outbox {
  failing = false;
  override async writeNotices(notices: readonly Notice[], recipients: (notice: Notice) => string[]): Promise<WriteNoticesResult> {
    if (this.failing) throw Object.assign(new Error('outbox unavailable (503)'), { statusCode: 503 });
    return super.writeNotices(notices, recipients);
  }
}

let sandbox: RunningSandbox;
let settings: Settings;
let stores: ReturnType<typeof sweepStores>;
let outbox: FlakyOutbox;
let clock = new Date('2026-11-26T06:00:00Z');

before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
  stores = sweepStores(await testStorageConnectionString(), () => clock);
  settings = loadSettings({ TBMON_ALERT_FALLBACK_TO: 'ml-ops@contoso.com' });
  outbox = new FlakyOutbox(stores.table('outbox'), { now: () => clock });
});

after(async () => {
  await sandbox?.close();
});

function sweep() {
  clock = new Date(clock.getTime() + 15 * 60_000);
  return runSweep({ azure: azureContextFor(sandbox), settings, ledger: stores.ledger, inventory: stores.inventory, outbox, evaluateQueue: stores.evaluateQueue, alertsQueue: stores.alertsQueue, now: () => clock });
}

test('a gone notice that could not be written is written by the next sweep (the host is not marked gone without it)', async () => {
  await sweep();
  const tenant = loadTenant('contoso');
  tenant.resources = tenant.resources.filter((r) => r.id !== CI_OOM);
  sandbox.setTenant(tenant);
  assert.equal((await sweep()).gone.length, 0, 'one sweep without it is not enough');

  outbox.failing = true;
  await assert.rejects(sweep(), /outbox unavailable/, 'the failed write fails the sweep');
  assert.equal((await stores.inventory.list()).filter((r) => r.goneAt).length, 0, 'not gone while its notice is not written');

  outbox.failing = false;
  const next = await sweep();
  assert.deepEqual(next.gone.map((h) => h.id), [CI_OOM.toLowerCase()]);
  const gone = (await outbox.listPending()).filter((r) => r.notice.kind === 'gone');
  assert.deepEqual(gone.map((r) => [r.recipient, r.notice.host.id]), [['ml-vision@contoso.com', CI_OOM.toLowerCase()]]);
});

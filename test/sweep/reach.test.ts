// A sweep says what limits its reach (TBMON_SCOPE=all that resolves to one subscription, listed subscriptions it
// cannot read) and which secret-backed setting is an unresolved Key Vault reference — in its errors, in the sweep
// ledger, on the status page (HTML and JSON) — and an unresolved Teams webhook does not stop the sweep.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { makeStatusHandler } from '../../functions/status';
import { loadSettings, type Scope, type StorageSettings } from '../../shared/config';
import type { Report } from '../../shared/model';
import { runSweep, scopeFindings } from '../../shared/sweep';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString } from '../support/env';
import { sweepStores } from '../support/stores';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const A = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
const B = '1b2c3d4e-0002-4a5b-8c9d-0e1f2a3b4c02';
const KV_REF = '@Microsoft.KeyVault(SecretUri=https://kv-tb-abc.vault.azure.net/secrets/teams-webhook-url/)';

test('scopeFindings: what each scope and reach says', () => {
  const all: Scope = { kind: 'all' };
  const listed: Scope = { kind: 'subscriptions', subscriptionIds: [A, B] };
  const cases: { name: string; scope: Scope; read: string[]; failed: string[]; codes: string[] }[] = [
    { name: 'all, one subscription read', scope: all, read: [A], failed: [], codes: ['ScopeIsOneSubscription'] },
    { name: 'all, two read', scope: all, read: [A, B], failed: [], codes: [] },
    { name: 'all, one read and one failed (a failure is its own error)', scope: all, read: [A], failed: [B], codes: [] },
    { name: 'all, none read (the sweep fails before this)', scope: all, read: [], failed: [], codes: [] },
    { name: 'listed, all read', scope: listed, read: [A, B], failed: [], codes: [] },
    { name: 'listed, one unreadable', scope: listed, read: [A], failed: [B], codes: ['ScopeNotReadable'] },
    { name: 'listed, one listed and read', scope: { kind: 'subscriptions', subscriptionIds: [A] }, read: [A], failed: [], codes: [] },
    { name: 'management group, one read', scope: { kind: 'managementGroup', managementGroupId: 'ml' }, read: [A], failed: [], codes: [] },
  ];
  for (const c of cases) {
    const found = scopeFindings(c.scope, c.read, c.failed);
    assert.deepEqual(found.map((f) => f.code), c.codes, c.name);
    for (const f of found) {
      assert.equal(f.scope, 'TBMON_SCOPE', c.name);
      assert.match(f.message, /node infra\/scripts\/grant\.mjs/, `${c.name}: the fix is in the message`);
    }
  }
  assert.match(scopeFindings({ kind: 'all' }, [A], [])[0].message, new RegExp(`TBMON_SCOPE=all resolved to one subscription \\(${A}\\)`));
  assert.match(scopeFindings(listed, [A], [B])[0].message, new RegExp(`1 of the 2 subscription\\(s\\) TBMON_SCOPE lists could not be read \\(${B}\\)`));
});

let sandbox: RunningSandbox;
let storage: StorageSettings;

before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
  storage = { kind: 'connectionString', connectionString: await testStorageConnectionString() };
});
after(async () => sandbox?.close());

/** contoso with only subscription A: what an identity granted on one subscription sees of `all`. */
function oneSubscriptionTenant(): Tenant {
  const t = loadTenant('contoso');
  t.subscriptions = t.subscriptions.filter((s) => s.subscriptionId === A);
  t.resources = t.resources.filter((r) => r.id.toLowerCase().startsWith(`/subscriptions/${A}/`));
  return t;
}

function stores(clock: () => Date) {
  const { table: _table, ...s } = sweepStores(storage.kind === 'connectionString' ? storage.connectionString : '', clock);
  return s;
}

test('a sweep of `all` that reaches one subscription, with the Teams webhook an unresolved Key Vault reference, runs and says both — in its errors, the ledger and on the status page', async () => {
  sandbox.setTenant(oneSubscriptionTenant());
  const clock = () => new Date('2026-11-26T06:00:00Z');
  const s = stores(clock);
  const settings = loadSettings({
    TBMON_SCOPE: 'all', TBMON_ALERT_FALLBACK_TO: 'ml-ops@contoso.com', TEAMS_WEBHOOK_URL: KV_REF,
    WEBSITE_SITE_NAME: 'func-tbmon-abc', WEBSITE_RESOURCE_GROUP: 'rg-tbmon-prod', WEBSITE_OWNER_NAME: `${A}+rg-tbmon-prod-EastUS2webspace-Linux`,
  });
  const outcome = await runSweep({ azure: azureContextFor(sandbox), settings, ...s, now: clock });

  assert.ok(outcome.hosts > 0, 'the sweep found the subscription\'s hosts');
  assert.ok(outcome.batches.length > 0, 'and queued them for evaluation');
  assert.deepEqual(outcome.subscriptionsRead, [A]);
  const codes = outcome.errors.map((e) => e.code).sort();
  assert.deepEqual(codes, ['KeyVaultReferenceUnresolved', 'ScopeIsOneSubscription']);
  const kv = outcome.errors.find((e) => e.code === 'KeyVaultReferenceUnresolved')!;
  assert.equal(kv.scope, 'TEAMS_WEBHOOK_URL');
  assert.ok(kv.message.includes(`az rest --method post --url "/subscriptions/${A}/resourceGroups/rg-tbmon-prod/providers/Microsoft.Web/sites/func-tbmon-abc/config/configreferences/appsettings/refresh?api-version=2022-03-01"`), kv.message);
  assert.ok(!kv.message.includes('kv-tb-abc.vault.azure.net'), 'the reference itself is not repeated');

  const [recorded] = await s.ledger.listSweeps(new Date('2026-11-26T05:00:00Z'));
  assert.deepEqual(recorded.errors.map((e) => e.code).sort(), codes, 'the ledger keeps them with the sweep');

  await Promise.all([s.reports.ensureTables(), s.inventory.ensureTable()]);
  const handler = makeStatusHandler(async () => ({ reports: s.reports, inventory: s.inventory, ledger: s.ledger, now: clock }));
  const html = await handler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status' }), new InvocationContext());
  assert.equal(html.status, 200);
  const body = String(html.body);
  assert.match(body, /class="scope-warning"><strong>Reach:<\/strong> TBMON_SCOPE=all resolved to one subscription/);
  assert.match(body, /Last sweep .*: \d+ host\(s\), 1 subscription\(s\) read\./);
  assert.match(body, /TEAMS_WEBHOOK_URL<\/code> KeyVaultReferenceUnresolved/);
  const json = await handler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status?format=json' }), new InvocationContext());
  assert.deepEqual((json.jsonBody as Report).errors.map((e) => e.code).sort(), codes);
});

test('a sweep of listed subscriptions, one unreadable, says which and how to grant; the status page leads with it', async () => {
  sandbox.setTenant(oneSubscriptionTenant());
  const clock = () => new Date('2026-11-26T07:00:00Z');
  const s = stores(clock);
  const settings = loadSettings({ TBMON_SCOPE: `subscriptions:${A},${B}` });
  const outcome = await runSweep({ azure: azureContextFor(sandbox), settings, ...s, now: clock });
  assert.deepEqual(outcome.subscriptionsFailed, [B]);
  const reach = outcome.errors.find((e) => e.code === 'ScopeNotReadable');
  assert.ok(reach, JSON.stringify(outcome.errors));
  assert.match(reach.message, new RegExp(B));
  await Promise.all([s.reports.ensureTables(), s.inventory.ensureTable()]);
  const handler = makeStatusHandler(async () => ({ reports: s.reports, inventory: s.inventory, ledger: s.ledger, now: clock }));
  const body = String((await handler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status' }), new InvocationContext())).body);
  assert.match(body, /Reach:<\/strong> 1 of the 2 subscription\(s\) TBMON_SCOPE lists could not be read/);
  assert.match(body, /1 subscription\(s\) read, 1 not readable/);
});

// Pure pieces of discovery and the sweep, as tables of cases: quota/Retry-After parsing, scope plans, management-group
// trees, diagnostic-setting choice, Graph completeness, batch planning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQuotaGate, parseQuotaResetsAfter } from '../../shared/discovery/graph';
import { chooseDiagnosticTarget } from '../../shared/discovery/log-analytics';
import { chunk, planScope, subscriptionsUnder, SUBSCRIPTIONS_PER_GRAPH_REQUEST } from '../../shared/discovery/scope';
import { ScopeInventory } from '../../shared/discovery/scope-inventory';
import { planBatches } from '../../shared/sweep';
import type { AzureContext } from '../../shared/azure';
import type { HostRecord } from '../../shared/model';
import { parseRetryAfter } from '../../shared/retry-after';

test('quota reset and Retry-After parsing', () => {
  const cases: [string | undefined, number | null][] = [['00:00:05', 5000], ['00:01:00', 60_000], ['01:00:00', 3_600_000], ['00:00:00.5', 500], ['5', null], [undefined, null], ['bad', null]];
  for (const [v, ms] of cases) assert.equal(parseQuotaResetsAfter(v), ms, String(v));
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter('0.5'), 500);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(parseRetryAfter('soon'), null);
  assert.equal(parseRetryAfter(undefined), null);
  assert.equal(parseRetryAfter(' 2 '), 2000);
  assert.equal(parseRetryAfter('   '), null);
  assert.equal(parseRetryAfter(null), null);
  assert.equal(parseRetryAfter(new Date(1_000).toUTCString(), 4_000), 0, 'a date in the past: no wait');
});

test('long subscription lists are split under the Graph guidance size (< 300)', async () => {
  const ids = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const plan = await planScope({} as AzureContext, { kind: 'subscriptions', subscriptionIds: ids });
  assert.equal(plan.batches.length, Math.ceil(1001 / SUBSCRIPTIONS_PER_GRAPH_REQUEST));
  assert.ok(plan.batches.every((b) => (b.subscriptions?.length ?? 0) < 300));
  assert.deepEqual(plan.batches.flatMap((b) => b.subscriptions), ids);
  assert.deepEqual(await planScope({} as AzureContext, { kind: 'all' }), { batches: [{}], subscriptions: null, description: 'all readable subscriptions' });
  assert.deepEqual(chunk([1, 2, 3], 2), [[1, 2], [3]]);
});

test('subscriptions under a management group tree, at any depth', () => {
  const tree = {
    properties: {
      children: [
        { type: '/subscriptions', id: '/subscriptions/AAAA', name: 'AAAA' },
        { type: 'Microsoft.Management/managementGroups', id: '/providers/Microsoft.Management/managementGroups/child', children: [
          { type: '/subscriptions', id: '/subscriptions/bbbb', name: 'bbbb' },
          { type: 'Microsoft.Management/managementGroups', id: '/providers/Microsoft.Management/managementGroups/empty', children: null },
        ] },
        { type: '/subscriptions', id: '/subscriptions/aaaa', name: 'aaaa' },
      ],
    },
  };
  assert.deepEqual(subscriptionsUnder(tree), ['aaaa', 'bbbb']);
  assert.deepEqual(subscriptionsUnder({ properties: { children: null } }), []);
});

test('the diagnostic setting that decides: first that sends logs to a workspace, else any with a workspace', () => {
  const la = (n: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/${n}`;
  assert.equal(chooseDiagnosticTarget([]), null);
  assert.equal(chooseDiagnosticTarget([{ properties: { workspaceId: null } }]), null);
  assert.equal(chooseDiagnosticTarget([{ properties: { workspaceId: la('metrics'), logs: [{ enabled: false }] } }, { properties: { workspaceId: la('logs'), logs: [{ enabled: true }] } }]), la('logs'));
  assert.equal(chooseDiagnosticTarget([{ name: 'to-storage', properties: {} }, { properties: { workspaceId: la('only'), logs: [] } }]), la('only'));
});

test('Graph completeness per ML workspace decides the ARM fallback', () => {
  const ws = (n: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/${n}`;
  const inv = new ScopeInventory();
  inv.add([
    { id: ws('full').toLowerCase(), rowKind: 'computeSummary', computes: 3, complete: 'yes' },
    { id: ws('partial').toLowerCase(), rowKind: 'computeSummary', computes: 2, complete: 'yes' },
    { id: ws('partial').toLowerCase(), rowKind: 'computeSummary', computes: 1, complete: 'no' },
    { id: '/subscriptions/S1', rowKind: 'subscription', subscriptionId: 'S1' },
    { id: ws('la'), rowKind: 'logAnalytics', customerId: 'NOT-A-GUID' },
  ]);
  assert.equal(inv.needsArmFallback(ws('FULL')), false);
  assert.equal(inv.needsArmFallback(ws('partial')), true, 'instances without runtime state');
  assert.equal(inv.needsArmFallback(ws('absent')), true, 'no computes in Graph');
  assert.deepEqual([...inv.subscriptions], ['s1']);
  assert.equal(inv.logAnalytics.size, 0, 'a customer id that is not a GUID is not trusted');
});

test('batches: one per Log Analytics workspace, split at the limit, stable keys', () => {
  const h = (i: number, la: string | null) => ({ id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${String(i).padStart(3, '0')}`, logAnalyticsWorkspaceId: la }) as HostRecord;
  const A = '11111111-1111-1111-1111-111111111111';
  const B = '22222222-2222-2222-2222-222222222222';
  const hosts = [...Array.from({ length: 5 }, (_, i) => h(i, B)), ...Array.from({ length: 3 }, (_, i) => h(10 + i, null)), h(20, A)];
  const batches = planBatches(hosts.reverse(), 2);
  assert.deepEqual(batches.map((b) => [b.batchKey, b.hosts.length]), [
    ['b00000-none', 2], ['b00001-none', 1], [`b00002-${A}`, 1], [`b00003-${B}`, 2], [`b00004-${B}`, 2], [`b00005-${B}`, 1],
  ]);
  assert.deepEqual(batches.flatMap((b) => b.hosts.map((x) => x.id)).sort(), hosts.map((x) => x.id).sort());
  assert.deepEqual(planBatches([]), []);
});

test('the quota gate: waits only once the quota is spent, notes the tenant subscription limit', async () => {
  const slept: number[] = [];
  const gate = new GraphQuotaGate(async (ms) => { slept.push(ms); });
  const headers = (h: Record<string, string>) => ({ get: (k: string) => h[k] });
  gate.observe(headers({ 'x-ms-user-quota-remaining': '3', 'x-ms-user-quota-resets-after': '00:00:04' }));
  await gate.beforeRequest();
  assert.deepEqual(slept, []);
  gate.observe(headers({ 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:00:04' }));
  await gate.beforeRequest();
  assert.equal(slept.length, 1);
  assert.ok(slept[0] > 3000 && slept[0] <= 4000, String(slept[0]));
  assert.equal(gate.subscriptionLimitHit, false);
  gate.observe(headers({ 'x-ms-tenant-subscription-limit-hit': 'True' }));
  assert.equal(gate.subscriptionLimitHit, true);
});

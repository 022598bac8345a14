// ARM behaviour of the sandbox: paging at scale through the SDK, Azure's error shapes, the provider endpoints the
// product reads, and the control routes tests use between sweeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RestError } from '@azure/core-rest-pipeline';
import { ArmError } from '../../shared/azure';
import type { ArmResource, Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, sandboxRequest, startTestSandbox, type RunningSandbox, networkClient } from '../support/sandbox';

const SUB = '11111111-1111-1111-1111-111111111111';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const nsg = (i: number): ArmResource => ({
  id: `${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-${i}`, name: `nsg-${i}`, type: 'Microsoft.Network/networkSecurityGroups',
  location: 'eastus2', properties: { securityRules: [], defaultSecurityRules: [] },
});
const VM_ID = `/subscriptions/${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-tb`;

function tenant(): Tenant {
  return {
    now: '2026-11-26T06:00:00Z',
    tenantId: '00000000-0000-0000-0000-000000000001',
    managementGroups: [
      { id: '/providers/Microsoft.Management/managementGroups/ml-platform', name: 'ml-platform', displayName: 'ML platform', subscriptions: [SUB], children: ['/providers/Microsoft.Management/managementGroups/ml-research'] },
      { id: '/providers/Microsoft.Management/managementGroups/ml-research', name: 'ml-research', subscriptions: [] },
    ],
    subscriptions: [{ subscriptionId: SUB, displayName: 'ml-prod', state: 'Enabled' }],
    resources: [
      ...Array.from({ length: 250 }, (_, i) => nsg(i)),
      {
        id: VM_ID, name: 'vm-tb', type: 'Microsoft.Compute/virtualMachines', location: 'eastus2', tags: { tensorboard: '6006' },
        properties: { provisioningState: 'Succeeded', hardwareProfile: { vmSize: 'Standard_D2_v2' }, extended: { instanceView: { powerState: { code: 'PowerState/deallocated', displayStatus: 'VM deallocated' } } } },
      },
    ],
    serviceTags: { eastus2: [{ name: 'AzureMachineLearning', id: 'AzureMachineLearning', properties: { addressPrefixes: ['20.36.106.80/28'] } }] },
    computeSkus: [
      { resourceType: 'virtualMachines', name: 'Standard_D2_v2', locations: ['eastus2'], capabilities: [{ name: 'vCPUs', value: '2' }, { name: 'MemoryGB', value: '7' }] },
      { resourceType: 'virtualMachines', name: 'Standard_E4s_v3', locations: ['westeurope'], capabilities: [{ name: 'vCPUs', value: '4' }] },
    ],
    diagnosticSettings: { [VM_ID]: [{ name: 'to-la', properties: { workspaceId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/la' } }] },
  };
}

describe('sandbox ARM', () => {
  let sandbox: RunningSandbox;
  before(async () => { sandbox = await startTestSandbox(tenant()); });
  after(() => sandbox.close());

  it('a list of 250 comes back whole through the SDK, in pages of 50 with absolute nextLinks', async () => {
    sandbox.clearRequests();
    const got: string[] = [];
    for await (const n of networkClient(azureContextFor(sandbox), SUB).networkSecurityGroups.list('rg-net')) got.push(n.name ?? '');
    assert.equal(got.length, 250);
    assert.equal(new Set(got).size, 250);
    const calls = sandbox.requests();
    assert.equal(calls.length, 5);
    assert.ok(calls.every((c) => c.api === 'arm' && c.status === 200 && c.apiVersion));
    const first = await sandboxRequest(sandbox, 'GET', `/subscriptions/${SUB}/providers/Microsoft.Network/networkSecurityGroups?api-version=2026-01-01`);
    const next = first.json<{ nextLink: string }>().nextLink;
    assert.ok(next.startsWith(`${sandbox.baseUrl}/subscriptions/${SUB}/providers/Microsoft.Network/networkSecurityGroups?`), next);
    assert.match(next, /api-version=2026-01-01/);
  });

  it('unknown resources answer 404 in ARM error shape; the SDK surfaces the code', async () => {
    await assert.rejects(networkClient(azureContextFor(sandbox), SUB).networkSecurityGroups.get('rg-net', 'nope'),
      (e: RestError) => e.statusCode === 404 && e.code === 'ResourceNotFound');
    const sub = await sandboxRequest(sandbox, 'GET', '/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/x/providers/Microsoft.Network/networkSecurityGroups/y?api-version=2026-01-01');
    assert.equal(sub.status, 404);
    assert.equal(sub.json<{ error: { code: string } }>().error.code, 'SubscriptionNotFound');
    const noVersion = await sandboxRequest(sandbox, 'GET', `/subscriptions/${SUB}`);
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.json<{ error: { code: string } }>().error.code, 'MissingApiVersionParameter');
  });

  it('ids match case-insensitively, as ARM does', async () => {
    const nsg0 = await azureContextFor(sandbox).armGet<{ name: string }>(`/SUBSCRIPTIONS/${SUB}/resourcegroups/RG-NET/providers/microsoft.network/NETWORKSECURITYGROUPS/NSG-0`, '2026-01-01');
    assert.equal(nsg0.name, 'nsg-0');
  });

  it('VMs: plain GET has no Resource Graph "extended"; $expand=instanceView answers statuses from the power state', async () => {
    const plain = await azureContextFor(sandbox).armGet<{ properties: Record<string, unknown> }>(VM_ID, '2024-07-01');
    assert.equal(plain.properties.extended, undefined);
    assert.equal(plain.properties.instanceView, undefined);
    const expanded = await sandboxRequest(sandbox, 'GET', `${VM_ID}?api-version=2024-07-01&$expand=instanceView`);
    const statuses = expanded.json<{ properties: { instanceView: { statuses: { code: string }[] } } }>().properties.instanceView.statuses;
    assert.deepEqual(statuses.map((s) => s.code), ['ProvisioningState/succeeded', 'PowerState/deallocated']);
  });

  it('diagnostic settings, service tags, compute SKUs (location filter) and subscriptions answer Azure shapes', async () => {
    const ctx = azureContextFor(sandbox);
    const diag = await ctx.armGet<{ value: { id: string; name: string; properties: { workspaceId: string } }[] }>(`${VM_ID}/providers/Microsoft.Insights/diagnosticSettings`, '2021-05-01-preview');
    assert.equal(diag.value[0].name, 'to-la');
    assert.match(diag.value[0].id, /\/providers\/microsoft\.insights\/diagnosticSettings\/to-la$/i);
    const tags = await networkClient(ctx, SUB).serviceTags.list('eastus2');
    assert.equal(tags.name, 'Public');
    assert.equal(tags.cloud, 'Public');
    assert.deepEqual(tags.values?.[0].properties?.addressPrefixes, ['20.36.106.80/28']);
    const skus = await ctx.armGet<{ value: { name: string }[] }>(`/subscriptions/${SUB}/providers/Microsoft.Compute/skus?$filter=location eq 'eastus2'`, '2021-07-01');
    assert.deepEqual(skus.value.map((s) => s.name), ['Standard_D2_v2']);
    const missing = ctx.armGet(`/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/none/providers/Microsoft.Insights/diagnosticSettings`, '2021-05-01-preview');
    await assert.rejects(missing, (e: ArmError) => e.statusCode === 404);
  });

  it('management groups: a group with its children, and its descendants', async () => {
    const res = await sandboxRequest(sandbox, 'GET', '/providers/Microsoft.Management/managementGroups/ml-platform?api-version=2023-04-01&$expand=children');
    const g = res.json<{ name: string; properties: { displayName: string; children: { type: string; name: string }[] } }>();
    assert.equal(g.properties.displayName, 'ML platform');
    assert.deepEqual(g.properties.children.map((c) => [c.type, c.name]), [['Microsoft.Management/managementGroups', 'ml-research'], ['/subscriptions', SUB]]);
    const desc = await sandboxRequest(sandbox, 'GET', '/providers/Microsoft.Management/managementGroups/ml-platform/descendants?api-version=2023-04-01');
    assert.equal(desc.json<{ value: unknown[] }>().value.length, 2);
  });

  it('control routes: request log, tenant replacement and clock', async () => {
    sandbox.clearRequests();
    await sandboxRequest(sandbox, 'GET', `/subscriptions/${SUB}?api-version=2022-12-01`);
    const log = (await sandboxRequest(sandbox, 'GET', '/_sandbox/requests')).json<{ api: string; path: string; apiVersion: string; status: number; ms: number }[]>();
    assert.deepEqual(log.map((r) => [r.api, r.path, r.apiVersion, r.status]), [['arm', `/subscriptions/${SUB}`, '2022-12-01', 200]]);
    assert.equal(typeof log[0].ms, 'number');
    assert.equal((await sandboxRequest(sandbox, 'DELETE', '/_sandbox/requests')).status, 204);
    assert.equal(sandbox.requests().length, 0);

    const smaller = { ...tenant(), resources: [nsg(7)] };
    assert.equal((await sandboxRequest(sandbox, 'PUT', '/_sandbox/tenant', { body: JSON.stringify(smaller) })).status, 204);
    const list = await sandboxRequest(sandbox, 'GET', `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups?api-version=2026-01-01`);
    assert.deepEqual(list.json<{ value: { name: string }[] }>().value.map((n) => n.name), ['nsg-7']);
    const bad = await sandboxRequest(sandbox, 'PUT', '/_sandbox/tenant', { body: JSON.stringify({ subscriptions: [] }) });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /now is missing/);
    assert.equal((await sandboxRequest(sandbox, 'POST', '/_sandbox/clock', { body: JSON.stringify({ now: '2026-11-26T07:00:00Z' }) })).status, 200);
    assert.equal(sandbox.tenant().now, '2026-11-26T07:00:00Z');
    sandbox.setTenant(tenant());
  });
});

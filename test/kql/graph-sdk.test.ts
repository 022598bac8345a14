// What @azure/arm-resourcegraph makes of the engine's Resource Graph answers over real HTTPS: paging with the
// skip token until the last page, both result formats, and a 400 naming an unsupported operator.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ArmResource, Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const SUB = '11111111-1111-1111-1111-111111111111';

function tenant(): Tenant {
  const resources: ArmResource[] = [];
  for (let i = 0; i < 23; i++) {
    resources.push({ id: `/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.Network/networkSecurityGroups/nsg-${String(i).padStart(2, '0')}`, name: `nsg-${String(i).padStart(2, '0')}`, type: 'Microsoft.Network/networkSecurityGroups', location: 'eastus2' });
  }
  return { now: '2026-11-26T06:00:00Z', subscriptions: [{ subscriptionId: SUB }], resources, resourceGraph: { quota: { limit: 1000, windowMs: 5000 } } };
}

describe('Resource Graph through @azure/arm-resourcegraph', () => {
  let sandbox: RunningSandbox;
  before(async () => { sandbox = await startTestSandbox(tenant()); });
  after(() => sandbox.close());

  it('pages with top and skipToken until the last page', async () => {
    const client = azureContextFor(sandbox).resourceGraph();
    const query = "resources | where type =~ 'microsoft.network/networksecuritygroups' | project id, name, resourceGroup | order by name asc";
    const names: string[] = [];
    let skipToken: string | undefined;
    let pages = 0;
    do {
      const res = await client.resources({ query, subscriptions: [SUB], options: { top: 10, resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) } });
      assert.equal(res.totalRecords, 23);
      assert.equal(res.resultTruncated, 'false');
      for (const row of res.data as { name: string; resourceGroup: string }[]) {
        names.push(row.name);
        assert.equal(row.resourceGroup, 'rg');
      }
      skipToken = res.skipToken ?? undefined;
      pages++;
    } while (skipToken);
    assert.equal(pages, 3);
    assert.deepEqual(names, Array.from({ length: 23 }, (_, i) => `nsg-${String(i).padStart(2, '0')}`));
  });

  it('resultFormat table', async () => {
    const res = await azureContextFor(sandbox).resourceGraph().resources({ query: 'resources | summarize n = count() by type', options: { resultFormat: 'table' } });
    assert.deepEqual(res.data, { columns: [{ name: 'type', type: 'string' }, { name: 'n', type: 'integer' }], rows: [['microsoft.network/networksecuritygroups', 23]] });
  });

  it('an unsupported operator is a 400 naming it', async () => {
    await assert.rejects(azureContextFor(sandbox).resourceGraph().resources({ query: 'resources | evaluate bag_unpack(tags)' }),
      (e: { statusCode?: number; message: string }) => e.statusCode === 400 && /evaluate/.test(e.message));
  });
});

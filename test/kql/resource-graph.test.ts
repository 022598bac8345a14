// Resource Graph on the engine: the tables as Graph builds them, scope, paging and result formats.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KqlError, runResourceGraphQuery } from '../../sandbox/kql';
import type { ArmResource, Tenant } from '../../sandbox/tenant-types';

const S1 = '11111111-1111-1111-1111-111111111111';
const S2 = '22222222-2222-2222-2222-222222222222';
const S3 = '33333333-3333-3333-3333-333333333333';
const MG = '/providers/Microsoft.Management/managementGroups';

function workspace(sub: string, rg: string, name: string): ArmResource {
  return { id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${name}`, name, type: 'Microsoft.MachineLearningServices/workspaces', location: 'eastus2', tags: { team: 'ml' }, properties: { hbiWorkspace: false } };
}

function tenant(): Tenant {
  const resources: ArmResource[] = [
    workspace(S1, 'RG-One', 'ws1'),
    { ...workspace(S1, 'RG-One', 'ws1'), id: `/subscriptions/${S1}/resourceGroups/RG-One/providers/Microsoft.MachineLearningServices/workspaces/ws1/computes/ci1`, name: 'ci1', type: 'Microsoft.MachineLearningServices/workspaces/computes', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'STANDARD_DS3_V2', state: 'Running' } } },
    workspace(S2, 'rg2', 'ws2'),
    workspace(S3, 'rg3', 'ws3'),
  ];
  for (let i = 0; i < 25; i++) resources.push({ id: `/subscriptions/${S2}/resourceGroups/rg2/providers/Microsoft.Network/networkSecurityGroups/nsg${i}`, name: `nsg${i}`, type: 'Microsoft.Network/networkSecurityGroups', location: 'eastus2' });
  return {
    now: '2026-11-26T06:00:00Z',
    tenantId: 'tttttttt-0000-0000-0000-000000000001',
    managementGroups: [
      { id: `${MG}/root`, name: 'root', displayName: 'Tenant Root', subscriptions: [S3], children: [`${MG}/ml-platform`] },
      { id: `${MG}/ml-platform`, name: 'ml-platform', subscriptions: [S1], children: [`${MG}/ml-research`] },
      { id: `${MG}/ml-research`, name: 'ml-research', subscriptions: [S2], children: [] },
    ],
    subscriptions: [
      { subscriptionId: S1, displayName: 'ml-prod', state: 'Enabled' },
      { subscriptionId: S2, displayName: 'ml-research', state: 'Enabled' },
      { subscriptionId: S3, displayName: 'shared', state: 'Enabled' },
    ],
    resources,
    resourceGraph: { excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] },
  };
}

type Row = Record<string, unknown>;

describe('Resource Graph: tables', () => {
  it('resources: type lower-cased, subscriptionId and lower-cased resourceGroup added, tenantId, excludeTypes left out', () => {
    const res = runResourceGraphQuery(tenant(), { query: "resources | where name == 'ws1' | project id, type, subscriptionId, resourceGroup, tenantId, tags, location", subscriptions: [S1] });
    assert.deepEqual(res.data, [{
      id: `/subscriptions/${S1}/resourceGroups/RG-One/providers/Microsoft.MachineLearningServices/workspaces/ws1`,
      type: 'microsoft.machinelearningservices/workspaces', subscriptionId: S1, resourceGroup: 'rg-one', tenantId: 'tttttttt-0000-0000-0000-000000000001',
      tags: { team: 'ml' }, location: 'eastus2',
    }]);
    const computes = runResourceGraphQuery(tenant(), { query: "resources | where type =~ 'microsoft.machinelearningservices/workspaces/computes' | count" });
    assert.deepEqual(computes.data, [{ Count: 0 }]);
  });

  it('a type Graph indexes is there, with dynamic properties', () => {
    const t = tenant();
    t.resourceGraph = {};
    const res = runResourceGraphQuery(t, { query: "resources | where type =~ 'Microsoft.MachineLearningServices/workspaces/computes' | project vmSize = tostring(properties.properties.vmSize), state = properties.properties.state" });
    assert.deepEqual(res.data, [{ vmSize: 'STANDARD_DS3_V2', state: 'Running' }]);
  });

  it('table names are case-insensitive, as in Graph', () => {
    const res = runResourceGraphQuery(tenant(), { query: 'Resources | count' });
    assert.deepEqual(res.data, [{ Count: 28 }]);
  });

  it('resourcecontainers: subscriptions with their management group chain, resource groups, management groups', () => {
    const res = runResourceGraphQuery(tenant(), { query: "resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, name, chain = properties.managementGroupAncestorsChain | order by name asc" });
    assert.deepEqual(res.data, [
      { subscriptionId: S1, name: 'ml-prod', chain: [{ name: 'ml-platform', displayName: 'ml-platform' }, { name: 'root', displayName: 'Tenant Root' }] },
      { subscriptionId: S2, name: 'ml-research', chain: [{ name: 'ml-research', displayName: 'ml-research' }, { name: 'ml-platform', displayName: 'ml-platform' }, { name: 'root', displayName: 'Tenant Root' }] },
      { subscriptionId: S3, name: 'shared', chain: [{ name: 'root', displayName: 'Tenant Root' }] },
    ]);
    const kinds = runResourceGraphQuery(tenant(), { query: 'resourcecontainers | summarize n = count() by type | order by type asc' });
    assert.deepEqual(kinds.data, [
      { type: 'microsoft.management/managementgroups', n: 3 },
      { type: 'microsoft.resources/subscriptions', n: 3 },
      { type: 'microsoft.resources/subscriptions/resourcegroups', n: 3 },
    ]);
  });

  it('a join of resources to resourcecontainers', () => {
    const res = runResourceGraphQuery(tenant(), {
      query: "resources | where type =~ 'microsoft.machinelearningservices/workspaces' | join kind=leftouter (resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, subName = name) on subscriptionId | project name, subName | order by name asc",
    });
    assert.deepEqual(res.data, [{ name: 'ws1', subName: 'ml-prod' }, { name: 'ws2', subName: 'ml-research' }, { name: 'ws3', subName: 'shared' }]);
  });
});

describe('Resource Graph: scope', () => {
  const names = (body: Parameters<typeof runResourceGraphQuery>[1]) =>
    (runResourceGraphQuery(tenant(), body).data as Row[]).map((r) => r.name);
  const q = "resources | where type =~ 'microsoft.machinelearningservices/workspaces' | project id, name | order by name asc";

  it('no scope covers the tenant', () => assert.deepEqual(names({ query: q }), ['ws1', 'ws2', 'ws3']));
  it('subscriptions (any case)', () => assert.deepEqual(names({ query: q, subscriptions: [S2.toUpperCase(), S3] }), ['ws2', 'ws3']));
  it('a management group covers its descendants', () => assert.deepEqual(names({ query: q, managementGroups: ['ml-platform'] }), ['ws1', 'ws2']));
  it('a management group by id', () => assert.deepEqual(names({ query: q, managementGroups: [`${MG}/ml-research`] }), ['ws2']));
  it('the root group covers everything under it', () => assert.deepEqual(names({ query: q, managementGroups: ['root'] }), ['ws1', 'ws2', 'ws3']));
  it('resourcecontainers follow the scope', () => {
    const res = runResourceGraphQuery(tenant(), { query: "resourcecontainers | where type == 'microsoft.resources/subscriptions' | project name", subscriptions: [S1] });
    assert.deepEqual(res.data, [{ name: 'ml-prod' }]);
  });
  it('an unknown management group is a 400 naming it', () => {
    assert.throws(() => runResourceGraphQuery(tenant(), { query: q, managementGroups: ['nope'] }),
      (e: unknown) => e instanceof KqlError && e.status === 400 && /'nope'/.test(e.message));
  });
});

describe('Resource Graph: paging and formats', () => {
  const q = "resources | where type =~ 'microsoft.network/networksecuritygroups' | project id, name";

  it('pages with $top and $skipToken until the last page, totalRecords on each', () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = runResourceGraphQuery(tenant(), { query: q, options: { $top: 10, ...(token ? { $skipToken: token } : {}) } });
      assert.equal(res.totalRecords, 25);
      assert.equal(res.resultTruncated, 'false');
      assert.equal(res.count, (res.data as Row[]).length);
      seen.push(...(res.data as Row[]).map((r) => r.name as string));
      token = res.$skipToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
  });

  it('default page is 100 rows; $top above 1000 is refused', () => {
    const res = runResourceGraphQuery(tenant(), { query: 'resources | project id' });
    assert.equal(res.count, 28);
    assert.equal(res.$skipToken, undefined);
    assert.throws(() => runResourceGraphQuery(tenant(), { query: 'resources | project id', options: { $top: 1001 } }), /\$top/);
  });

  it('no skip token without an id column: the result is marked truncated instead', () => {
    const res = runResourceGraphQuery(tenant(), { query: "resources | where type =~ 'microsoft.network/networksecuritygroups' | project name", options: { $top: 10 } });
    assert.equal(res.$skipToken, undefined);
    assert.equal(res.resultTruncated, 'true');
    assert.equal(res.count, 10);
    assert.equal(res.totalRecords, 25);
  });

  it('$skip', () => {
    const res = runResourceGraphQuery(tenant(), { query: q, options: { $top: 5, $skip: 20 } });
    assert.deepEqual((res.data as Row[]).map((r) => r.name), ['nsg20', 'nsg21', 'nsg22', 'nsg23', 'nsg24']);
    assert.equal(res.$skipToken, undefined);
  });

  it('a skip token from another query is refused', () => {
    const first = runResourceGraphQuery(tenant(), { query: q, options: { $top: 10 } });
    assert.throws(() => runResourceGraphQuery(tenant(), { query: 'resources | project id, type', options: { $skipToken: first.$skipToken } }),
      (e: unknown) => e instanceof KqlError && e.status === 400);
    assert.throws(() => runResourceGraphQuery(tenant(), { query: q, options: { $skipToken: 'garbage!' } }), (e: unknown) => e instanceof KqlError && e.status === 400);
  });

  it('resultFormat table: columns with Graph types, rows as arrays', () => {
    const res = runResourceGraphQuery(tenant(), { query: "resources | where name == 'ws1' | project id, name, tags, n = 1, r = 1.5, b = true", options: { resultFormat: 'table' } });
    const data = res.data as { columns: { name: string; type: string }[]; rows: unknown[][] };
    assert.deepEqual(data.columns, [
      { name: 'id', type: 'string' }, { name: 'name', type: 'string' }, { name: 'tags', type: 'object' },
      { name: 'n', type: 'integer' }, { name: 'r', type: 'number' }, { name: 'b', type: 'boolean' },
    ]);
    assert.deepEqual(data.rows[0].slice(1), ['ws1', { team: 'ml' }, 1, 1.5, true]);
  });

  it('objectArray is the default; facets is empty', () => {
    const res = runResourceGraphQuery(tenant(), { query: "resources | where name == 'ws2' | project name" });
    assert.deepEqual(res.data, [{ name: 'ws2' }]);
    assert.deepEqual(res.facets, []);
  });

  it('an unknown Graph table and an unsupported operator are 400s naming them', () => {
    assert.throws(() => runResourceGraphQuery(tenant(), { query: 'advisorresources | take 1' }), (e: unknown) => e instanceof KqlError && e.status === 400 && /advisorresources/.test(e.message));
    assert.throws(() => runResourceGraphQuery(tenant(), { query: 'resources | evaluate bag_unpack(tags)' }), (e: unknown) => e instanceof KqlError && e.status === 400 && /evaluate/.test(e.message));
  });
});

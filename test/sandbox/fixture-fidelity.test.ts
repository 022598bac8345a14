// Fixture fidelity: Azure's own REST examples (azure-rest-api-specs, MIT; see fixtures/azure-rest-examples/MANIFEST.md),
// loaded into a tenant and read back through the REAL SDK calls the product makes. If the sandbox bent a shape, the
// SDK models would drop or mangle the fields asserted here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmailClient } from '@azure/communication-email';
import { API_VERSIONS } from '../../shared/azure';
import type { ArmResource, Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, startTestSandbox, TEST_RETRY, type RunningSandbox, networkClient, subscriptionClient } from '../support/sandbox';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- example JSON is untyped

const FIXTURES = path.join(__dirname, 'fixtures', 'azure-rest-examples');
const example = (file: string): Json => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as Json;
const body200 = (file: string): Json => example(file).responses['200'].body as Json;
/** Examples carry placeholder nextLinks ("nextLink", "..."); the sandbox makes its own. */
const withoutNextLink = (items: Json[]): ArmResource[] => items.map((i) => i as ArmResource);

const ml = {
  workspace: body200('machinelearningservices/Workspace_get.json'),
  workspaces: body200('machinelearningservices/Workspace_listBySubscription.json').value as Json[],
  computeInstance: body200('machinelearningservices/Compute_get_ComputeInstance.json'),
  // Compute_list's first AKS compute shares its id (compute123) with the ComputeInstance example: the instance is kept.
  computes: (body200('machinelearningservices/Compute_list.json').value as Json[])
    .filter((c) => c.id !== body200('machinelearningservices/Compute_get_ComputeInstance.json').id),
  vmSizes: example('machinelearningservices/VirtualMachineSize_list.json'),
};
const net = {
  nsg: body200('network/NetworkSecurityGroupGet.json'),
  nsgs: body200('network/NetworkSecurityGroupListAll.json').value as Json[],
  subnet: example('network/SubnetGet.json'),
  nic: body200('network/NetworkInterfaceGet.json'),
  lb: body200('network/LoadBalancerGet.json'),
};
const subscriptions = body200('resources/GetSubscriptions.json').value as Json[];
const graph = {
  basic: example('resourcegraph/ResourcesBasicQuery.json'),
  first: example('resourcegraph/ResourcesFirstPageQuery.json'),
  next: example('resourcegraph/ResourcesNextPageQuery.json'),
};
const oms = example('loganalytics/oms-post-example.json');
const sendEmail = example('communication-email/SendEmail.json');

// The subnet example is a child of a VNet: it lives inside the VNet's properties.subnets, as ARM stores it.
const subnetParams = net.subnet.parameters as Json;
const vnet: ArmResource = {
  id: `/subscriptions/${subnetParams.subscriptionId}/resourceGroups/${subnetParams.resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${subnetParams.virtualNetworkName}`,
  name: subnetParams.virtualNetworkName, type: 'Microsoft.Network/virtualNetworks', location: 'eastus',
  properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [net.subnet.responses['200'].body] },
};

/** Log Analytics rows as objects, typed as the example's columns say (the wire carries long/real/bool as strings). */
function omsRows(): Json[] {
  const table = oms.responses['200'].body.tables[0] as { columns: { name: string; type: string }[]; rows: unknown[][] };
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => {
    const v = row[i];
    if (v === null) return [c.name, null];
    if (c.type === 'long' || c.type === 'real') return [c.name, Number(v)];
    if (c.type === 'bool') return [c.name, v === 'true'];
    return [c.name, v];
  })));
}

const graphRows = (...examples: Json[]) =>
  [...new Map(examples.flatMap((e) => e.responses['200'].body.data as Json[]).map((r) => [r.id, r])).values()] as ArmResource[];

function fidelityTenant(): Tenant {
  const subIds = new Set<string>([
    ml.workspace.id.split('/')[2], ml.workspaces[0].id.split('/')[2], ml.computes[0].id.split('/')[2],
    ml.computeInstance.id.split('/')[2], 'subid', (graph.basic.parameters.query.subscriptions as string[])[0],
  ]);
  return {
    now: '2026-11-26T06:00:00Z',
    tenantId: subscriptions[0].tenantId,
    subscriptions: [
      ...subscriptions.map((s) => s as Tenant['subscriptions'][number]),
      ...[...subIds].map((subscriptionId) => ({ subscriptionId, displayName: `fixture-${subscriptionId.slice(0, 8)}`, state: 'Enabled' })),
    ],
    resources: [
      // Workspace_get's workspace is also the first of Workspace_listBySubscription: the richer one is kept.
      ...withoutNextLink([ml.workspace, ...ml.workspaces.filter((w) => w.id !== ml.workspace.id), ...ml.computes, ml.computeInstance, net.nsg, ...net.nsgs, net.nic, net.lb]),
      vnet,
      ...graphRows(graph.basic, graph.first, graph.next),
    ],
    vmSizes: { [ml.vmSizes.parameters.location]: ml.vmSizes.responses['200'].body.value },
    logAnalytics: { [oms.parameters.workspaceId]: { tables: { Usage: omsRows() } } },
    resourceGraph: { quota: { limit: 1000, windowMs: 5000 } },
  } as Tenant;
}

describe('sandbox answers Azure REST examples through the real SDKs', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    // A page size of 1 makes every list below cross pages.
    sandbox = await startTestSandbox(fidelityTenant(), { armPageSize: 1 });
  });
  after(() => sandbox.close());

  it('ML Workspaces_Get: workspace networking fields arrive through @azure/arm-machinelearning', async () => {
    const [, , sub, , rg] = (ml.workspace.id as string).split('/');
    const ws = await azureContextFor(sandbox).ml(sub).workspaces.get(rg, ml.workspace.name);
    assert.equal(ws.id, ml.workspace.id);
    assert.equal(ws.location, ml.workspace.location);
    assert.equal(ws.publicNetworkAccess, ml.workspace.properties.publicNetworkAccess);
    assert.equal(ws.privateEndpointConnections?.length, ml.workspace.properties.privateEndpointConnections.length);
    assert.equal(ws.storageAccount, ml.workspace.properties.storageAccount);
  });

  it('ML Workspaces_ListBySubscription: both same-named workspaces come back across pages', async () => {
    const sub = (ml.workspaces[0].id as string).split('/')[2];
    const got = [];
    for await (const w of azureContextFor(sandbox).ml(sub).workspaces.listBySubscription()) got.push(w);
    assert.deepEqual(got.map((w) => w.id).sort(), [...new Set(ml.workspaces.map((w) => w.id as string))].sort());
    assert.equal(got.length, 2);
    assert.ok(sandbox.requests().filter((r) => r.path.endsWith('/workspaces')).length >= 2, 'paged');
  });

  it('ML Compute_List: computes of a workspace with computeType and resourceId', async () => {
    const [, , sub, , rg, , , , ws] = (ml.computes[0].id as string).split('/');
    const got = [];
    for await (const c of azureContextFor(sandbox).ml(sub).computeOperations.list(rg, ws)) got.push(c);
    // The ComputeInstance example sits in the same workspace as the list example's AKS computes.
    assert.deepEqual(got.map((c) => c.id).sort(), [...ml.computes, ml.computeInstance].map((c) => c.id as string).sort());
    assert.ok(ml.computes.length >= 1);
    const aks = got.filter((c) => c.properties?.computeType === 'AKS');
    assert.deepEqual(aks.map((c) => (c.properties as Json).resourceId), ml.computes.map((c) => c.properties.resourceId));
  });

  it('ML Compute_Get ComputeInstance: state, size, endpoints via the SDK; customServices via raw armGet', async () => {
    const [, , sub, , rg, , , , ws, , name] = (ml.computeInstance.id as string).split('/');
    const ctx = azureContextFor(sandbox);
    const ci = await ctx.ml(sub).computeOperations.get(rg, ws, name);
    const p = (ci.properties as Json).properties as Json;
    const want = ml.computeInstance.properties.properties;
    assert.equal(ci.properties?.computeType, 'ComputeInstance');
    assert.equal(p.state, want.state);
    assert.equal(p.vmSize, want.vmSize);
    assert.deepEqual(p.connectivityEndpoints, want.connectivityEndpoints);
    assert.equal(p.createdBy.userName, want.createdBy.userName);
    // The 2022-10-01 SDK has no model for customServices; the product reads them raw, at a current api-version.
    const raw = await ctx.armGet<Json>(ml.computeInstance.id, API_VERSIONS.machineLearning);
    assert.deepEqual(raw.properties.properties.customServices, want.customServices);
    assert.equal(raw.properties.properties.customServices[0].endpoints[0].published, 8787);
  });

  it('ML VirtualMachineSizes_List: vCPUs and memoryGB per size, unpaged like Azure', async () => {
    const sub = (ml.computeInstance.id as string).split('/')[2];
    const sizes = await azureContextFor(sandbox).ml(sub).virtualMachineSizes.list(ml.vmSizes.parameters.location);
    const want = ml.vmSizes.responses['200'].body.value as Json[];
    assert.equal(sizes.value?.length, want.length);
    assert.deepEqual(sizes.value?.map((s) => [s.name, s.vCPUs, s.memoryGB]), want.map((s) => [s.name, s.vCPUs, s.memoryGB]));
  });

  it('Network NetworkSecurityGroups_Get: custom and the 6 default rules, flattened by @azure/arm-network', async () => {
    const nsg = await networkClient(azureContextFor(sandbox), 'subid').networkSecurityGroups.get('rg1', net.nsg.name);
    const rule = nsg.securityRules?.[0];
    const want = net.nsg.properties.securityRules[0].properties;
    assert.equal(rule?.access, want.access);
    assert.equal(rule?.priority, want.priority);
    assert.equal(rule?.destinationPortRange, want.destinationPortRange);
    assert.equal(rule?.direction, want.direction);
    assert.deepEqual(nsg.defaultSecurityRules?.map((r) => [r.name, r.priority]), net.nsg.properties.defaultSecurityRules.map((r: Json) => [r.name, r.properties.priority]));
  });

  it('Network NetworkSecurityGroups_ListAll: every NSG of the subscription across pages', async () => {
    const got = [];
    for await (const n of networkClient(azureContextFor(sandbox), 'subid').networkSecurityGroups.listAll()) got.push(n.id);
    assert.deepEqual(got.sort(), [net.nsg.id, ...net.nsgs.map((n) => n.id)].sort());
  });

  it('Network Subnets_Get: a subnet read from inside its VNet', async () => {
    const p = net.subnet.parameters as Json;
    const subnet = await networkClient(azureContextFor(sandbox), p.subscriptionId).subnets.get(p.resourceGroupName, p.virtualNetworkName, p.subnetName);
    assert.equal(subnet.id, net.subnet.responses['200'].body.id);
    assert.equal(subnet.addressPrefix, net.subnet.responses['200'].body.properties.addressPrefix);
    const listed = [];
    for await (const s of networkClient(azureContextFor(sandbox), p.subscriptionId).subnets.list(p.resourceGroupName, p.virtualNetworkName)) listed.push(s.name);
    assert.deepEqual(listed, [p.subnetName]);
  });

  it('Network NetworkInterfaces_Get: ipConfigurations, subnet, NSG and VM references', async () => {
    const nic = await networkClient(azureContextFor(sandbox), 'subid').networkInterfaces.get('rg1', net.nic.name);
    const want = net.nic.properties;
    assert.equal(nic.networkSecurityGroup?.id, want.networkSecurityGroup.id);
    assert.equal(nic.virtualMachine?.id, want.virtualMachine.id);
    assert.deepEqual(nic.ipConfigurations?.map((c) => [c.privateIPAddress, c.subnet?.id, c.primary]),
      want.ipConfigurations.map((c: Json) => [c.properties.privateIPAddress, c.properties.subnet?.id, c.properties.primary]));
  });

  it('Network LoadBalancers_Get: rules, probes and backend pools', async () => {
    const lb = await networkClient(azureContextFor(sandbox), 'subid').loadBalancers.get('rg1', net.lb.name);
    const want = net.lb.properties;
    assert.deepEqual(lb.loadBalancingRules?.map((r) => [r.protocol, r.frontendPort, r.backendPort, r.probe?.id]),
      want.loadBalancingRules.map((r: Json) => [r.properties.protocol, r.properties.frontendPort, r.properties.backendPort, r.properties.probe?.id]));
    assert.deepEqual(lb.probes?.map((p) => [p.protocol, p.port, p.requestPath]), want.probes.map((p: Json) => [p.properties.protocol, p.properties.port, p.properties.requestPath]));
    assert.equal(lb.backendAddressPools?.length, want.backendAddressPools.length);
  });

  it('Subscriptions_List: every subscription, with state and tenant, through @azure/arm-resources-subscriptions paging', async () => {
    const got = [];
    for await (const s of subscriptionClient(azureContextFor(sandbox)).subscriptions.list()) got.push(s);
    const example0 = got.find((s) => s.subscriptionId === subscriptions[0].subscriptionId);
    assert.equal(got.length, fidelityTenant().subscriptions.length);
    assert.equal(example0?.displayName, subscriptions[0].displayName);
    assert.equal(example0?.state, subscriptions[0].state);
    assert.equal(example0?.tenantId, subscriptions[0].tenantId);
    assert.equal(example0?.subscriptionPolicies?.quotaId, subscriptions[0].subscriptionPolicies.quotaId);
  });

  it('Resource Graph basic query: rows with lower-cased types through @azure/arm-resourcegraph', async () => {
    const rows = graph.basic.responses['200'].body.data as Json[];
    const q = graph.basic.parameters.query;
    const res = await azureContextFor(sandbox).resourceGraph().resources({ query: q.query, subscriptions: q.subscriptions });
    assert.equal(res.resultTruncated, 'false');
    const got = new Map((res.data as Json[]).map((r) => [r.id, r]));
    for (const want of rows) {
      const row = got.get(want.id);
      assert.ok(row, `row ${want.id}`);
      for (const key of ['name', 'type', 'location']) assert.equal(row[key], want[key], `${want.id} ${key}`);
    }
    const recorded = sandbox.requests().filter((r) => r.api === 'resourceGraph').pop();
    assert.equal(recorded?.query, q.query);
    assert.equal(recorded?.apiVersion, '2024-04-01');
  });

  it('Resource Graph paging: $top then $skipToken walks the matching rows once each', async () => {
    const q = graph.first.parameters.query;
    const client = azureContextFor(sandbox).resourceGraph();
    const first = await client.resources({ query: q.query, subscriptions: q.subscriptions, options: { top: 3 } });
    assert.equal(first.count, 3);
    assert.ok(first.skipToken, 'first page carries a $skipToken');
    const ids = (first.data as Json[]).map((r) => r.id as string);
    let token: string | undefined = first.skipToken;
    for (let pages = 1; token; pages++) {
      assert.ok(pages < 10, 'paging ends');
      const page = await client.resources({ query: q.query, subscriptions: q.subscriptions, options: { top: 3, skipToken: token } });
      ids.push(...(page.data as Json[]).map((r) => r.id as string));
      token = page.skipToken;
    }
    assert.equal(new Set(ids).size, ids.length, 'no row twice');
    // The query keeps names containing 'test' (case-insensitive, as KQL's contains is).
    const want = graphRows(graph.basic, graph.first, graph.next).filter((r) => /test/i.test(r.name)).map((r) => r.id);
    for (const id of want) assert.ok(ids.includes(id), id);
  });

  it('Log Analytics Query_Execute: columns and typed rows through @azure/monitor-query-logs', async () => {
    // The example's rows are from 2017-08-24; its "PT12H" would end at the tenant clock, so ask for that day instead.
    const timespan = { startTime: new Date('2017-08-24T00:00:00Z'), endTime: new Date('2017-08-25T00:00:00Z') };
    const res = await azureContextFor(sandbox).logs().queryWorkspace(oms.parameters.workspaceId, oms.parameters.body.query, timespan);
    assert.equal(res.status, 'Success');
    if (res.status !== 'Success') return;
    const table = res.tables[0];
    const wantColumns = oms.responses['200'].body.tables[0].columns as { name: string; type: string }[];
    const names = table.columnDescriptors.map((c) => c.name);
    for (const c of wantColumns.filter((w) => ['string', 'datetime', 'bool'].includes(w.type))) {
      const at = names.indexOf(c.name);
      if (at < 0) continue; // an all-null column has no value to show
      assert.equal(table.columnDescriptors[at].type, c.type, c.name);
    }
    assert.equal(table.rows.length, 2);
    const computer = table.rows.map((r) => r[names.indexOf('Computer')]);
    assert.deepEqual(computer, ['ContosoSQLSrv1', 'Store010Web3']);
    assert.ok(table.rows[0][names.indexOf('TimeGenerated')] instanceof Date, 'datetime cells become Date');
    assert.equal(table.rows[1][names.indexOf('Quantity')], 0.106767);
    const recorded = sandbox.requests().filter((r) => r.api === 'logAnalytics').pop();
    assert.equal(recorded?.workspace, oms.parameters.workspaceId);
  });

  it('ACS Email_Send + GetSendResult: the example message is accepted, polled to Succeeded, and lands in the outbox', async () => {
    const p = sendEmail.parameters as Json;
    const client = new EmailClient(sandbox.acsConnectionString, { tlsOptions: { ca: sandbox.caCert }, retryOptions: TEST_RETRY });
    const poller = await client.beginSend(p.emailMessage, { operationId: p['operation-id'], updateIntervalInMs: 10 });
    const result = await poller.pollUntilDone();
    const success = example('communication-email/GetOperationStatusReturnsSuccessTerminalStatus.json').responses['200'].body as Json;
    assert.equal(result.status, success.status);
    assert.equal(result.id, p['operation-id']);
    const sent = sandbox.outbox().emails.find((e) => e.operationId === p['operation-id']);
    assert.ok(sent);
    assert.deepEqual(sent.to, p.emailMessage.recipients.to.map((r: Json) => r.address));
    assert.deepEqual(sent.cc, p.emailMessage.recipients.cc.map((r: Json) => r.address));
    assert.equal(sent.subject, p.emailMessage.content.subject);
    assert.equal(sent.html, p.emailMessage.content.html);
    assert.equal(sent.senderAddress, p.emailMessage.senderAddress);
  });
});

// VM sizes from the catalogues: AzureML vmSizes per location for computes, Compute SKUs for VMs; one call per
// location and catalogue per sweep (a host's own subscription only when that one lacks its size or is unreadable);
// sizes compared case-insensitively.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogueFromComputeSkus, catalogueFromMlSizes, gatherVmSizes } from '../../shared/evidence/vm-size';
import type { HostRecord } from '../../shared/model';
import { azureContextFor, loadTenant, type RunningSandbox } from '../support/sandbox';
import { evidenceContext, startContoso } from './logs-support';

let sandbox: RunningSandbox;
let hosts: HostRecord[];

before(async () => {
  ({ sandbox, hosts } = await startContoso());
});
after(() => sandbox.close());

const catalogueCalls = () => sandbox.requests().filter((r) => /\/vmSizes$|\/Microsoft\.Compute\/skus$/i.test(r.path));

test('contoso: sizes found for every host, one catalogue call per location and catalogue, cached for the sweep', async () => {
  sandbox.clearRequests();
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox));
  const sizes = await gatherVmSizes(hosts, ctx);
  // A job service has no size of its own (its compute's is not read): only computes and VMs.
  for (const h of hosts.filter((x) => x.kind !== 'job-service')) assert.equal(sizes.get(h.id)?.ok, true, `${h.name}: ${JSON.stringify(sizes.get(h.id))}`);
  const small = sizes.get(hosts.find((h) => h.name === 'ci-small')?.id as string);
  assert.deepEqual(small, { ok: true, value: { name: 'Standard_D2_v2', vCPUs: 2, memoryGB: 7 } });
  const vm = sizes.get(hosts.find((h) => h.name === 'vm-tb')?.id as string);
  assert.equal(vm?.ok && vm.value.memoryGB, 16);

  const calls = catalogueCalls();
  const keys = new Set(hosts.filter((h) => h.kind !== 'job-service').map((h) => `${h.kind === 'vm' ? 'skus' : 'ml'}|${h.location}`));
  assert.ok(new Set(hosts.map((h) => h.subscriptionId)).size > 1, 'the fleet spans subscriptions');
  assert.equal(calls.length, keys.size, calls.map((c) => c.path).join('\n'));

  sandbox.clearRequests();
  await gatherVmSizes(hosts, ctx);
  assert.equal(catalogueCalls().length, 0, 'the second batch of the sweep reads no catalogue');
});

test('sizes compare case-insensitively; an unknown size or an unreadable catalogue is unknown with the reason', async () => {
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox));
  const ci = hosts.find((h) => h.name === 'ci-small') as HostRecord;
  const upper = { ...ci, id: `${ci.id}-upper`, facts: { ...ci.facts, vmSize: 'STANDARD_D2_V2' } };
  const bogus = { ...ci, id: `${ci.id}-bogus`, facts: { ...ci.facts, vmSize: 'Standard_Imaginary_v9' } };
  const none = { ...ci, id: `${ci.id}-none`, facts: { ...ci.facts, vmSize: null } };
  const sizes = await gatherVmSizes([upper, bogus, none], ctx);
  assert.equal(sizes.get(upper.id)?.ok && sizes.get(upper.id)?.ok && (sizes.get(upper.id) as { value: { vCPUs: number } }).value.vCPUs, 2);
  assert.match(JSON.stringify(sizes.get(bogus.id)), /Standard_Imaginary_v9 is not in the AzureML VM size catalogue of eastus2/);
  assert.match(JSON.stringify(sizes.get(none.id)), /size is not known/);

  const t = loadTenant('contoso');
  t.faults = [{ path: '/subscriptions/*/providers/Microsoft.MachineLearningServices/locations/*/vmSizes', status: 403, error: { code: 'AuthorizationFailed', message: 'no access' } }];
  sandbox.setTenant(t);
  const denied = evidenceContext(sandbox, azureContextFor(sandbox));
  const res = await gatherVmSizes(hosts, denied);
  const failedCi = res.get(ci.id);
  assert.equal(failedCi?.ok, false);
  assert.match(failedCi?.ok === false ? failedCi.reason : '', /AzureML VM sizes .* failed/);
  assert.equal(res.get(hosts.find((h) => h.name === 'vm-tb')?.id as string)?.ok, true, 'the Compute SKU catalogue is unaffected');
  const keys = new Set(hosts.filter((h) => h.kind !== 'vm').map((h) => `${h.subscriptionId}|${h.location}`));
  assert.equal(denied.errors.length, keys.size, 'one run error per unreadable catalogue');
  sandbox.setTenant(loadTenant('contoso'));
});

test('catalogue parsing: ML sizes and Compute SKU capabilities (string values)', () => {
  const ml = catalogueFromMlSizes([{ name: 'Standard_DS3_v2', vCPUs: 4, memoryGB: 14.0 }, { name: 'broken' }]);
  assert.deepEqual(ml.get('standard_ds3_v2'), { name: 'Standard_DS3_v2', vCPUs: 4, memoryGB: 14 });
  assert.equal(ml.has('broken'), false);
  const skus = catalogueFromComputeSkus([
    { resourceType: 'virtualMachines', name: 'Standard_D2s_v3', capabilities: [{ name: 'vCPUs', value: '2' }, { name: 'MemoryGB', value: '8' }] },
    { resourceType: 'disks', name: 'Premium_LRS', capabilities: [{ name: 'vCPUs', value: '2' }, { name: 'MemoryGB', value: '8' }] },
    { resourceType: 'virtualMachines', name: 'Standard_NoCaps', capabilities: [] },
  ]);
  assert.deepEqual([...skus.keys()], ['standard_d2s_v3']);
  assert.deepEqual(skus.get('standard_d2s_v3'), { name: 'Standard_D2s_v3', vCPUs: 2, memoryGB: 8 });
});

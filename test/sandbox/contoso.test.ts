// The demo tenant is built for its findings (its `_expect`): these tests check that the evidence each designed
// finding needs is really in it, and that it reads back through the sandbox as the product will read it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ArmResource, Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox, subscriptionClient } from '../support/sandbox';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tenant JSON is untyped

const tenant = loadTenant('contoso');
const expect = tenant._expect as Record<string, Record<string, string>>;
const byName = (name: string) => tenant.resources.filter((r) => r.name === name);
const host = (name: string): ArmResource => {
  const found = byName(name);
  assert.equal(found.length, 1, `one resource named ${name}`);
  return found[0];
};
const inner = (r: ArmResource) => (r.properties as Json).properties as Json;
const rows = (table: string) => Object.values(tenant.logAnalytics ?? {}).flatMap((w) => w.tables[table] ?? []);
const nsgOfSubnet = (subnetId: string): Json => {
  const vnet = tenant.resources.find((r) => subnetId.toLowerCase().startsWith(`${r.id.toLowerCase()}/subnets/`)) as ArmResource;
  const subnet = (vnet.properties as Json).subnets.find((s: Json) => s.id.toLowerCase() === subnetId.toLowerCase());
  return tenant.resources.find((r) => r.id === subnet.properties.networkSecurityGroup.id) as Json;
};

describe('contoso demo tenant', () => {
  it('has 2 subscriptions, 2 workspaces (one with an approved private endpoint) and ≥ 8 TensorBoard hosts in _expect', () => {
    assert.equal(tenant.subscriptions.length, 2);
    const ws = tenant.resources.filter((r) => r.type === 'Microsoft.MachineLearningServices/workspaces');
    assert.equal(ws.length, 2);
    assert.equal(ws.filter((w) => ((w.properties as Json).privateEndpointConnections as Json[]).some((c) => c.properties.privateLinkServiceConnectionState.status === 'Approved')).length, 1);
    assert.ok(Object.keys(expect).length >= 8);
    for (const name of Object.keys(expect)) host(name);
    const kinds = new Set(Object.keys(expect).map((n) => host(n).type === 'Microsoft.Compute/virtualMachines' ? 'vm'
      : host(n).type === 'Microsoft.MachineLearningServices/workspaces/jobs' ? 'job' : (host(n).properties as Json).computeType));
    assert.deepEqual([...kinds].sort(), ['AmlCompute', 'ComputeInstance', 'job', 'vm']);
  });

  it('every designed cause has its evidence', () => {
    const sizes = tenant.vmSizes?.eastus2 ?? [];
    const small = sizes.find((s) => s.name.toLowerCase() === String(inner(host('ci-small')).vmSize).toLowerCase());
    assert.ok(small && ((small.vCPUs ?? 0) < 2 || (small.memoryGB ?? 0) < 8), 'ci-small is below 2 vCPU / 8 GB');

    assert.ok(rows('Syslog').some((r) => r.Computer === 'ci-oom' && r.Facility === 'kern' && /Out of memory: Killed process \d+ \(tensorboard\)/.test(String(r.SyslogMessage))));

    const deny = (nsgOfSubnet(inner(host('ci-nsg-deny')).subnet.id).properties.securityRules as Json[]).find((r) => r.properties.access === 'Deny');
    assert.equal(deny?.properties.destinationPortRange, '6006');
    assert.equal(deny?.properties.direction, 'Inbound');

    const publicCi = inner(host('ci-public-blocked'));
    assert.equal(publicCi.enableNodePublicIp, true);
    const rules = nsgOfSubnet(publicCi.subnet.id).properties.securityRules as Json[];
    assert.ok(!rules.some((r) => r.properties.access === 'Allow' && r.properties.destinationPortRange === '44224'), 'nothing allows 44224');

    const message = (computer: string) => rows('Syslog').filter((r) => r.Computer === computer).map((r) => String(r.SyslogMessage));
    assert.ok(message('ci-port-in-use').includes('TensorBoard could not bind to port 6006, it was already in use'));
    assert.ok(message('ci-localhost').includes('Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all'));
    assert.ok(message('ci-ok').includes('TensorBoard 2.16.2 at http://ci-ok:6006/ (Press CTRL+C to quit)'));
    assert.ok(message('ci-ok').some((m) => /^tbmon-launcher: event=heartbeat pid=\d+ port=6006$/.test(m)));
  });

  it('the VM is tagged and sits in a load balancer backend pool whose rule and probe target 6006', () => {
    const vm = host('vm-tb');
    assert.equal(vm.tags?.tensorboard, '6006');
    const lb = tenant.resources.find((r) => r.type === 'Microsoft.Network/loadBalancers') as Json;
    const nicId = (vm.properties as Json).networkProfile.networkInterfaces[0].id;
    assert.ok(lb.properties.backendAddressPools[0].properties.backendIPConfigurations.some((c: Json) => c.id.startsWith(nicId)));
    assert.equal(lb.properties.loadBalancingRules[0].properties.backendPort, 6006);
    assert.equal(lb.properties.probes[0].properties.port, 6006);
  });

  it('owners: tags, createdBy emails, and one host with none', () => {
    assert.equal(host('vm-tb').tags?.['tensorboard-owner'], 'dana@contoso.com');
    assert.match(String(inner(host('ci-ok')).createdBy.userName), /@contoso\.com$/);
    const none = host('ci-no-owner');
    assert.ok(!none.tags?.['tensorboard-owner'] && !none.tags?.owner && !String(inner(none).createdBy.userName).includes('@'));
  });

  it('log rows lie within the hour before now; kern rows (a boot message proving kern is collected) within 7 days; ci-restarted\'s within its read-back', () => {
    const now = Date.parse(tenant.now);
    for (const r of [...rows('Syslog'), ...rows('InsightsMetrics'), ...rows('AmlComputeClusterEvent')]) {
      const t = Date.parse(String(r.TimeGenerated));
      // ci-restarted started at 05:20: script.not-relaunched reads back 7 days before that for yesterday's TensorBoard.
      const span = r.Computer === 'ci-restarted' ? 8 * 86_400_000 : r.Facility === 'kern' ? 7 * 86_400_000 : 3_600_000;
      assert.ok(t <= now && t > now - span, String(r.TimeGenerated));
    }
  });

  describe('through the sandbox', () => {
    let sandbox: RunningSandbox;
    before(async () => { sandbox = await startTestSandbox(tenant as Tenant); });
    after(() => sandbox.close());

    it('workspaces, computes, diagnostic settings and the LA workspace mapping read back through the SDKs', async () => {
      const ctx = azureContextFor(sandbox);
      const subs = [];
      for await (const s of subscriptionClient(ctx).subscriptions.list()) subs.push(s.displayName);
      assert.deepEqual(subs, ['ml-prod', 'ml-research']);
      const ws = host('ci-ok').id.split('/computes/')[0];
      const [, , sub, , rg, , , , wsName] = ws.split('/');
      const computes = [];
      for await (const c of ctx.ml(sub).computeOperations.list(rg, wsName)) computes.push(c.name);
      assert.ok(computes.includes('ci-ok') && computes.includes('ci-jupyter'));
      const diag = await ctx.armGet<{ value: Json[] }>(`${ws}/providers/Microsoft.Insights/diagnosticSettings`, '2021-05-01-preview');
      const la = await ctx.armGet<Json>(diag.value[0].properties.workspaceId, '2023-09-01');
      assert.ok(tenant.logAnalytics?.[la.properties.customerId], 'diagnostic setting → LA resource → customer id with data');
    });
  });
});

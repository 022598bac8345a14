// The contoso demo tenant through the real pipeline (discovery → network evidence over HTTPS → network checks):
// every host's network checks give the statuses `_expect` names, and every remediation names resources that exist
// and a priority that is free and lower than the blocking rule's (or edits that rule). Variants of the tenant (in
// this test's copy only) add the situations the demo does not hold: an LB probe on the wrong port, a no-public-IP
// compute without a private endpoint, a blocker at priority 100, a malformed NSG.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTenant, azureContextFor, startTestSandbox, type RunningSandbox } from '../../support/sandbox';
import { discoverHosts } from '../../../shared/discovery/discover';
import { loadSettings } from '../../../shared/config';
import { gatherNetworkEvidence } from '../../../shared/evidence/network';
import { networkChecks } from '../../../shared/checks/network';
import type { HostRecord, CheckOutcome } from '../../../shared/model';
import type { Tenant, ArmResource } from '../../../sandbox/tenant-types';
import { parseNsg } from '../../../shared/nsg';

type Json = Record<string, unknown>;
const settings = loadSettings({});
const OWN = networkChecks.filter((c) => c.id !== 'network.flow-denied');

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
});
after(async () => sandbox?.close());

async function evaluate(tenant: Tenant, mode: 'batch' | 'on-demand' = 'batch') {
  sandbox.setTenant(tenant);
  const azure = azureContextFor(sandbox);
  const errors: unknown[] = [];
  const found = await discoverHosts({ azure, settings, errors: [], now: new Date(tenant.now) }, { skipLogAnalytics: true });
  const ctx = { azure, settings, mode, errors: [] as { scope: string; code: string; message: string }[], cache: new Map(), now: new Date(tenant.now) };
  const evidence = await gatherNetworkEvidence(found.hosts, ctx);
  const results = new Map<string, Map<string, CheckOutcome>>();
  for (const host of found.hosts) {
    const network = evidence.get(host.id);
    assert.ok(network, `evidence for ${host.name}`);
    const byCheck = new Map<string, CheckOutcome>();
    for (const c of OWN) {
      if (!c.appliesTo.includes(host.kind)) continue;
      byCheck.set(c.id, c.run({ host, network, vmSize: { ok: false, reason: 'not read here' }, logs: {} as never }, settings));
    }
    results.set(host.name, byCheck);
  }
  return { hosts: found.hosts, results, errors: [...errors, ...ctx.errors], tenant };
}

const byId = (t: Tenant, id: string): ArmResource | undefined => t.resources.find((r) => r.id.toLowerCase() === id.toLowerCase());
const resource = (t: Tenant, name: string): ArmResource => {
  const r = t.resources.find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};

/** Every `az network nsg rule …` names an NSG that exists in that resource group, and a free, lower priority. */
function assertRemediationSound(t: Tenant, outcome: CheckOutcome, where: string): void {
  for (const line of (outcome.remediation ?? '').split('\n').filter(Boolean)) {
    const m = /az network nsg rule (create|update|delete) --subscription (\S+) --resource-group (\S+) --nsg-name (\S+) --name (\S+)(.*)/.exec(line);
    if (!m) continue;
    const [, verb, sub, rg, nsgName, ruleName, rest] = m;
    const nsgRes = byId(t, `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${nsgName}`);
    assert.ok(nsgRes, `${where}: NSG ${rg}/${nsgName} exists`);
    const nsg = parseNsg(nsgRes);
    const denied = ((outcome.evidence?.denied ?? []) as { decidedBy: { nsgName: string; priority: number; ruleName: string } }[]).filter((d) => d.decidedBy?.nsgName === nsgName);
    assert.ok(denied.length, `${where}: the command targets the NSG that blocked`);
    if (verb === 'create') {
      const priority = Number(/--priority (\d+)/.exec(rest)?.[1]);
      const direction = /--direction (\w+)/.exec(rest)?.[1];
      assert.ok(!nsg.rules.some((r) => r.direction === direction && r.priority === priority), `${where}: priority ${priority} is free`);
      for (const d of denied) assert.ok(priority < d.decidedBy.priority, `${where}: ${priority} is above blocking rule ${d.decidedBy.ruleName} (${d.decidedBy.priority})`);
      assert.ok(priority >= 100 && priority <= 4096);
      assert.ok(!nsg.rules.some((r) => r.name === ruleName), `${where}: new rule name ${ruleName} is unused`);
    } else {
      assert.ok(nsg.rules.some((r) => r.name === ruleName && !r.isDefault), `${where}: edits existing rule ${ruleName}`);
      assert.ok(denied.some((d) => d.decidedBy.ruleName === ruleName), `${where}: edits the blocking rule`);
    }
  }
}

test('contoso: each host’s network checks give the statuses _expect names, and nothing else fails', async () => {
  const tenant = loadTenant('contoso');
  const { results, errors } = await evaluate(tenant);
  assert.deepEqual(errors, []);
  const expect = (tenant as unknown as { _expect: Record<string, Record<string, string>> })._expect;
  let checked = 0;
  for (const [host, checks] of results) {
    for (const [id, outcome] of checks) {
      const want = expect[host]?.[id];
      if (want) {
        checked++;
        assert.equal(outcome.status, want, `${host} ${id}: ${outcome.summary}`);
      } else assert.ok(['pass', 'skipped'].includes(outcome.status), `${host} ${id} undesigned but ${outcome.status}: ${outcome.summary}`);
      if (outcome.status === 'fail') {
        assert.ok(outcome.remediation, `${host} ${id} fail carries a remediation`);
        assertRemediationSound(tenant, outcome, `${host} ${id}`);
      }
    }
  }
  assert.ok(checked >= 9, `designed network expectations checked: ${checked}`);
});

test('contoso: the deny of 6006 names its rule and the fix sits just above it', async () => {
  const { results } = await evaluate(loadTenant('contoso'));
  const o = results.get('ci-nsg-deny')?.get('network.tensorboard-port');
  assert.equal(o?.status, 'fail');
  assert.match(o?.summary ?? '', /denied by nsg-locked\/deny-tensorboard-6006 \(priority 200\)/);
  assert.match(o?.remediation ?? '', /^az network nsg rule create --subscription 1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01 --resource-group rg-ml-prod --nsg-name nsg-locked --name tbmon-allow-tensorboard-6006-in --priority 190 --direction Inbound --access Allow --protocol Tcp --source-address-prefixes VirtualNetwork /);
  const route = results.get('ci-nsg-deny')?.get('network.route-table');
  assert.equal(route?.status, 'fail');
  assert.match(route?.remediation ?? '', /az network route-table route create --subscription 1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01 --resource-group rg-ml-prod --route-table-name rt-locked-firewall --name AzureMachineLearning --address-prefix AzureMachineLearning --next-hop-type Internet/);
  const inbound = results.get('ci-public-blocked')?.get('network.aml-inbound');
  assert.match(inbound?.summary ?? '', /denied by nsg-public\/DenyAllInBound \(priority 65500, default rule\)/);
  assert.match(inbound?.remediation ?? '', /--nsg-name nsg-public --name tbmon-allow-azureml-44224-in --priority 310 .*--source-address-prefixes AzureMachineLearning/);
});

test('contoso on demand (ARM only) decides the same', async () => {
  const tenant = loadTenant('contoso');
  const batch = await evaluate(tenant, 'batch');
  sandbox.clearRequests();
  const onDemand = await evaluate(tenant, 'on-demand');
  assert.equal(sandbox.requests().filter((r) => r.api === 'resourceGraph' && !/machinelearningservices|compute\/virtualmachines/i.test(r.query ?? '')).length, 0, 'no network Graph query on demand');
  for (const [host, checks] of batch.results) for (const [id, o] of checks) assert.equal(onDemand.results.get(host)?.get(id)?.status, o.status, `${host} ${id}`);
});

test('variant: a load balancer probe on the wrong port fails network.load-balancer with the probe fix', async () => {
  const tenant = loadTenant('contoso');
  const lb = resource(tenant, 'lb-tensorboard');
  for (const p of (lb.properties as { probes: { properties: Json }[] }).probes) p.properties.port = 80;
  const { results } = await evaluate(tenant);
  const o = results.get('vm-tb')?.get('network.load-balancer');
  assert.equal(o?.status, 'fail', o?.summary);
  assert.match(o?.summary ?? '', /probes port 80, not 6006/);
  assert.match(o?.remediation ?? '', /az network lb probe update --subscription 1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01 --resource-group rg-ml-prod --lb-name lb-tensorboard --name \S+ --protocol Tcp --port 6006/);
});

test('variant: an HTTP probe on a path TensorBoard does not answer fails', async () => {
  const tenant = loadTenant('contoso');
  for (const p of (resource(tenant, 'lb-tensorboard').properties as { probes: { properties: Json }[] }).probes) Object.assign(p.properties, { protocol: 'Http', port: 6006, requestPath: '/healthz' });
  const o = (await evaluate(tenant)).results.get('vm-tb')?.get('network.load-balancer');
  assert.equal(o?.status, 'fail');
  assert.match(o?.summary ?? '', /requests \/healthz, which TensorBoard answers with 404/);
});

test('variant: a no-public-IP compute in a workspace without a private endpoint fails network.private-endpoint', async () => {
  const tenant = loadTenant('contoso');
  const ci = resource(tenant, 'ci-ok');
  ((ci.properties as Json).properties as Json).enableNodePublicIp = false;
  const { results } = await evaluate(tenant);
  const o = results.get('ci-ok')?.get('network.private-endpoint');
  assert.equal(o?.status, 'fail', o?.summary);
  assert.match(o?.remediation ?? '', /az network private-endpoint create --subscription 1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01 --resource-group rg-ml-prod --name mlw-prod-pe --vnet-name vnet-ml --subnet snet-ci --private-connection-resource-id \/subscriptions\/.*\/workspaces\/mlw-prod --group-id amlworkspace/);
  assert.equal(results.get('ci-ok')?.get('network.aml-inbound')?.status, 'skipped');
});

test('variant: a blocker at priority 100 is edited, not jumped', async () => {
  const tenant = loadTenant('contoso');
  const nsg = resource(tenant, 'nsg-locked');
  const rules = (nsg.properties as { securityRules: { name: string; properties: Json }[] }).securityRules;
  for (const r of rules) {
    if (r.name === 'AllowAzureMLInbound') r.properties.priority = 101;
    if (r.name === 'deny-tensorboard-6006') Object.assign(r.properties, { priority: 100, destinationPortRange: '*' });
  }
  const { results } = await evaluate(tenant);
  const o = results.get('ci-nsg-deny')?.get('network.tensorboard-port');
  assert.equal(o?.status, 'fail');
  assert.equal(o?.remediation, 'az network nsg rule update --subscription 1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01 --resource-group rg-ml-prod --nsg-name nsg-locked --name deny-tensorboard-6006 --destination-port-ranges 0-6005 6007-65535');
  assertRemediationSound(tenant, o as CheckOutcome, 'priority-100 blocker');
  // The same deny now also takes 44224 before the AzureML rule at 101.
  assert.equal(results.get('ci-nsg-deny')?.get('network.aml-inbound')?.status, 'fail');
});

test('variant: malformed NSG data gives unknown with the reason, never pass', async () => {
  const tenant = loadTenant('contoso');
  const rules = (resource(tenant, 'nsg-ci').properties as { securityRules: { properties: Json }[] }).securityRules;
  delete rules[0].properties.priority;
  const { results } = await evaluate(tenant);
  for (const host of ['ci-ok', 'ci-small']) {
    const o = results.get(host)?.get('network.tensorboard-port');
    assert.equal(o?.status, 'unknown', `${host}: ${o?.summary}`);
    assert.match(o?.summary ?? '', /AllowAzureMLInbound has no valid priority/);
  }
  const bad = loadTenant('contoso');
  const r2 = (resource(bad, 'nsg-public').properties as { securityRules: { properties: Json }[] }).securityRules;
  Object.assign(r2[0].properties, { sourceAddressPrefix: '203.0.113.0/33', protocol: 'Gre' });
  const o2 = (await evaluate(bad)).results.get('ci-public-blocked')?.get('network.aml-inbound');
  assert.equal(o2?.status, 'unknown');
  assert.match(o2?.summary ?? '', /protocol "Gre"|203\.0\.113\.0\/33/);
});

test('variant: an NSG that cannot be read makes the checks that need it unknown', async () => {
  const tenant = loadTenant('contoso');
  tenant.resources = tenant.resources.filter((r) => r.name !== 'nsg-train');
  const { results } = await evaluate(tenant);
  const o = results.get('cluster-tb')?.get('network.tensorboard-port');
  assert.equal(o?.status, 'unknown');
  assert.match(o?.summary ?? '', /nsg-train .*could not be read/);
});

test('variant: a 0.0.0.0/0 UDR widens VirtualNetwork, and the explanation shows AllowVnetInBound deciding', async () => {
  const tenant = loadTenant('contoso');
  // Route snet-public (ci-public-blocked) through a firewall: AzureMachineLearning becomes "VirtualNetwork".
  const vnet = resource(tenant, 'vnet-ml');
  const rt = structuredClone(resource(tenant, 'rt-locked-firewall'));
  rt.id = rt.id.replace('rt-locked-firewall', 'rt-public');
  rt.name = 'rt-public';
  tenant.resources.push(rt);
  for (const s of (vnet.properties as { subnets: { name: string; properties: Json }[] }).subnets) if (s.name === 'snet-public') s.properties.routeTable = { id: rt.id };
  const { results, hosts } = await evaluate(tenant);
  const o = results.get('ci-public-blocked')?.get('network.aml-inbound');
  assert.equal(o?.status, 'pass', o?.summary);
  assert.match(o?.summary ?? '', /allowed by nsg-public\/AllowVnetInBound \(priority 65000, default rule\)/);
  assert.ok(o?.notes?.some((n) => /AllowVnetInBound matched through VirtualNetwork, which here includes the subnet's user-defined route prefixes \(0\.0\.0\.0\/0\)/.test(n)), JSON.stringify(o?.notes));
  assert.equal(results.get('ci-public-blocked')?.get('network.route-table')?.status, 'fail');
  assert.ok(hosts.some((h: HostRecord) => h.name === 'ci-public-blocked'));
});

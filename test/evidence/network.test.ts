// Network evidence against the sandbox: the request budget on the generated 10,000-host tenant (at most two
// Resource Graph requests for a tb-evaluate batch of any size, no per-host ARM call), the ARM fallback when Graph
// fails (each resource read once), on-demand reads from ARM only, and service tags read once per sweep.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTenant } from '../../sandbox/generate';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';
import { identifyHost, type RawResource } from '../../shared/discovery/identify';
import { gatherNetworkEvidence, networkGraphQuery } from '../../shared/evidence/network';
import { loadSettings } from '../../shared/config';
import type { EvidenceContext } from '../../shared/evidence/context';
import type { HostRecord } from '../../shared/model';
import type { Tenant } from '../../sandbox/tenant-types';
import type { NetworkEvidence, Ref } from '../../shared/evidence/network-types';
import { networkChecks } from '../../shared/checks/network';

const refText = (r: Ref<{ id: string }>) => (r.state === 'found' ? `found:${r.value.id.toLowerCase()}` : r.state);
/** Which resources were found for a host (ids), independent of the source's row shape. */
function summary(v: NetworkEvidence): string {
  const subnet = (r: NetworkEvidence['subnet']) => (r.state === 'found' ? [r.value.id.toLowerCase(), refText(r.value.nsg), refText(r.value.routeTable)].join(' ') : r.state);
  const nics = v.nics.map((n) => (n.state === 'found' ? `${n.value.nic.id.toLowerCase()} ${refText(n.value.nsg)} ${subnet(n.value.subnet)}` : n.state));
  return JSON.stringify({ subnet: subnet(v.subnet), nics, lbs: v.loadBalancers.map((l) => l.id.toLowerCase()), ws: refText(v.workspace), tags: v.serviceTags.ok });
}

const settings = loadSettings({});
const tenant = generateTenant({ subscriptions: 20, mlWorkspaces: 100, hosts: 10_000, logAnalyticsWorkspaces: 10, seed: 42 });
const hosts: HostRecord[] = tenant.resources
  .map((r) => identifyHost(r as RawResource, { hostTag: settings.hostTag, ownerTags: settings.ownerTags })?.record)
  .filter((h): h is HostRecord => !!h);

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startTestSandbox(tenant);
});
after(async () => sandbox?.close());

function context(mode: EvidenceContext['mode'], cache = new Map<string, Promise<unknown>>()): EvidenceContext {
  return { azure: azureContextFor(sandbox), settings, mode, errors: [], cache, now: new Date(tenant.now) };
}

/** ARM paths that read one host's own resources (a per-host call): NICs, VMs, computes by name. */
const PER_HOST = /\/networkInterfaces\/|\/virtualMachines\/|\/computes\/[^/]+$/i;

async function gatherBatch(batch: HostRecord[], ctx: EvidenceContext) {
  sandbox.clearRequests();
  const evidence = await gatherNetworkEvidence(batch, ctx);
  const requests = sandbox.requests();
  return { evidence, graph: requests.filter((r) => r.api === 'resourceGraph'), arm: requests.filter((r) => r.api === 'arm') };
}

test(`generated tenant: ${hosts.length} hosts identified`, () => {
  assert.equal(hosts.length, 10_000);
  assert.ok(hosts.some((h) => h.kind === 'vm') && hosts.some((h) => h.kind === 'compute-instance') && hosts.some((h) => h.kind === 'compute-cluster'));
});

for (const size of [1, 37, 1000]) {
  test(`budget: a batch of ${size} hosts costs at most 2 Resource Graph requests and no per-host ARM call`, async () => {
    // A tb-evaluate batch holds the hosts of one Log Analytics workspace: take them across subscriptions and kinds.
    const batch = hosts.filter((_, i) => i % 10 === 3).slice(0, size);
    const ctx = context('batch');
    const { evidence, graph, arm } = await gatherBatch(batch, ctx);
    assert.ok(graph.length <= 2, `Resource Graph requests: ${graph.length}`);
    assert.deepEqual(arm.filter((r) => PER_HOST.test(r.path)).map((r) => r.path), []);
    const locations = new Set(batch.map((h) => h.location.toLowerCase()));
    assert.ok(arm.length <= locations.size, `ARM requests (service tags per region): ${arm.length}`);
    assert.ok(arm.every((r) => /\/serviceTags$/.test(r.path)), arm.map((r) => r.path).join(', '));
    assert.deepEqual(ctx.errors, []);
    // Everything each host's path references was read.
    for (const h of batch) {
      const g = evidence.get(h.id);
      assert.ok(g?.ok, h.name);
      const ev = g.value;
      if (h.kind === 'vm') {
        for (const n of ev.nics) {
          assert.equal(n.state, 'found', `${h.name} NIC`);
          if (n.state === 'found') {
            assert.equal(n.value.subnet.state, 'found', `${h.name} NIC subnet`);
            if (n.value.subnet.state === 'found') assert.equal(n.value.subnet.value.nsg.state, 'found', `${h.name} subnet NSG`);
          }
        }
      } else if (h.facts.subnetId) {
        assert.equal(ev.subnet.state, 'found', `${h.name} subnet`);
        if (ev.subnet.state === 'found') assert.equal(ev.subnet.value.nsg.state, 'found', `${h.name} subnet NSG`);
        assert.equal(ev.workspace.state, 'found', `${h.name} workspace`);
      }
      if (h.kind === 'compute-instance') assert.ok(Array.isArray(ev.customServices), `${h.name} customServices`);
      assert.ok(ev.serviceTags.ok, `${h.name} service tags`);
      assert.equal(ev.source, 'resourceGraph');
    }
  });
}

test('service tags are read once per region per sweep (the context cache)', async () => {
  const cache = new Map<string, Promise<unknown>>();
  const batch = hosts.slice(0, 50);
  await gatherBatch(batch, context('batch', cache));
  const second = await gatherBatch(hosts.slice(50, 100), context('batch', cache));
  const newRegions = new Set(hosts.slice(50, 100).map((h) => h.location.toLowerCase()));
  for (const r of batch) newRegions.delete(r.location.toLowerCase());
  assert.equal(second.arm.filter((r) => /\/serviceTags$/.test(r.path)).length, newRegions.size);
});

test('when Resource Graph fails, ARM reads each referenced resource once and the evidence is the same', async () => {
  const batch = hosts.slice(0, 60);
  const viaGraph = (await gatherBatch(batch, context('batch'))).evidence;
  const faulty: Tenant = { ...tenant, faults: [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 500 }] };
  sandbox.setTenant(faulty);
  try {
    const ctx = context('batch');
    const { evidence, arm } = await gatherBatch(batch, ctx);
    assert.ok(ctx.errors.some((e) => e.code === 'NetworkQueryFailed'), 'the Graph failure is recorded');
    // Resource GETs (not the pages of a workspace's compute list, which share one path).
    const paths = arm.filter((r) => r.status === 200 && !/\/computes$/i.test(r.path)).map((r) => r.path.toLowerCase());
    const twice = paths.filter((p, i) => paths.indexOf(p) !== i);
    assert.deepEqual(twice, [], 'no resource read twice');
    assert.deepEqual(arm.filter((r) => PER_HOST.test(r.path) && !/networkInterfaces/i.test(r.path)).map((r) => r.path), [], 'computes come from one list per workspace');
    for (const h of batch) {
      const a = evidence.get(h.id);
      const b = viaGraph.get(h.id);
      assert.ok(a?.ok && b?.ok);
      // Graph returns projected, lower-cased-type rows and ARM full objects: compare what was found, and the verdicts.
      assert.equal(summary(a.value), summary(b.value), h.name);
      for (const c of networkChecks.filter((x) => x.id !== 'network.flow-denied' && x.appliesTo.includes(h.kind) && x.id !== 'network.published-port-range')) {
        const run = (network: typeof a) => c.run({ host: h, network, vmSize: { ok: false, reason: '-' }, logs: {} as never }, settings).status;
        assert.equal(run(a), run(b), `${h.name} ${c.id}`);
      }
      assert.equal(a.value.source, 'arm');
    }
  } finally {
    sandbox.setTenant(tenant);
  }
});

test('on demand: ARM only, no Resource Graph', async () => {
  const one = hosts.find((h) => h.kind === 'vm') as HostRecord;
  const { evidence, graph, arm } = await gatherBatch([one], context('on-demand'));
  assert.equal(graph.length, 0);
  assert.ok(arm.some((r) => /networkInterfaces/i.test(r.path)));
  const g = evidence.get(one.id);
  assert.ok(g?.ok && g.value.nics[0].state === 'found');
});

test('the Graph query carries ids only as escaped string literals', () => {
  const q = networkGraphQuery(["/subscriptions/x/resourceGroups/r'g\"/providers/Microsoft.Network/virtualNetworks/v\\n"], ['/subscriptions/x/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/s']);
  assert.match(q, /"\/subscriptions\/x\/resourcegroups\/r\\'g\\"\/providers\/microsoft\.network\/virtualnetworks\/v\\\\n"/);
  assert.match(q, /contains "\/subscriptions\/x\/resourcegroups\/rg\/providers\/microsoft\.network\/virtualnetworks\/v\/subnets\/s\\""/);
});

test('contoso: a VM’s NIC, its subnet’s NSG and its load balancer all come from the two queries', async () => {
  const contoso = loadTenant('contoso');
  sandbox.setTenant(contoso);
  try {
    const vm = contoso.resources.find((r) => r.name === 'vm-tb') as RawResource;
    const host = identifyHost(vm, { hostTag: settings.hostTag, ownerTags: settings.ownerTags })?.record as HostRecord;
    const { evidence, graph, arm } = await gatherBatch([host], { ...context('batch'), now: new Date(contoso.now) });
    assert.equal(graph.length, 2);
    assert.deepEqual(arm.filter((r) => !/\/serviceTags$/.test(r.path)).map((r) => r.path), []);
    const g = evidence.get(host.id);
    assert.ok(g?.ok);
    assert.deepEqual(g.value.loadBalancers.map((l) => l.name), ['lb-tensorboard']);
    const nic = g.value.nics[0];
    assert.ok(nic.state === 'found' && nic.value.subnet.state === 'found' && nic.value.subnet.value.nsg.state === 'found');
  } finally {
    sandbox.setTenant(tenant);
  }
});

test('service tags that cannot be read are a run error (and unknown evidence), not only a per-host reason', async () => {
  const contoso = loadTenant('contoso');
  sandbox.setTenant({ ...contoso, faults: [{ path: '/subscriptions/*/providers/Microsoft.Network/locations/*/serviceTags', status: 403, error: { code: 'AuthorizationFailed', message: 'no access' } }] });
  try {
    const vm = contoso.resources.find((r) => r.name === 'vm-tb') as RawResource;
    const host = identifyHost(vm, { hostTag: settings.hostTag, ownerTags: settings.ownerTags })?.record as HostRecord;
    const ctx = { ...context('batch'), now: new Date(contoso.now) };
    const { evidence } = await gatherBatch([host], ctx);
    const g = evidence.get(host.id);
    assert.ok(g?.ok && !g.value.serviceTags.ok, 'the evidence says the tags are missing');
    assert.deepEqual(ctx.errors.map((e) => [e.code, /serviceTags/.test(e.message)]), [['AuthorizationFailed', true]], 'and the run says why, once per region');
  } finally {
    sandbox.setTenant(tenant);
  }
});

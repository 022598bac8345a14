// The tenant generator: deterministic per seed, valid, realistic in mix, and served by the sandbox as generated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateTenant } from '../../sandbox/generate';
import { parseTenant } from '../../sandbox/tenant';
import { azureContextFor, withSandbox, networkClient } from '../support/sandbox';

const small = { subscriptions: 6, mlWorkspaces: 4, hosts: 120, logAnalyticsWorkspaces: 2, seed: 7 };

describe('generateTenant', () => {
  it('is deterministic per seed and differs across seeds', () => {
    assert.equal(JSON.stringify(generateTenant(small)), JSON.stringify(generateTenant(small)));
    assert.notEqual(JSON.stringify(generateTenant(small)), JSON.stringify(generateTenant({ ...small, seed: 8 })));
  });

  it('makes a valid tenant with the requested counts and every designed cause', () => {
    const t = parseTenant(generateTenant(small));
    const of = (type: string) => t.resources.filter((r) => r.type === type);
    assert.equal(t.subscriptions.length, 6);
    assert.equal(of('Microsoft.MachineLearningServices/workspaces').length, 4);
    assert.equal(of('Microsoft.OperationalInsights/workspaces').length, 2);
    const hosts = t.resources.filter((r) => /^(ci|cluster|vm)-tb-\d+$/.test(r.name));
    assert.equal(hosts.length, 120);
    assert.ok(of('Microsoft.MachineLearningServices/workspaces/computes').some((c) => c.name.startsWith('ci-notebook-')), 'non-TensorBoard computes too');
    const findings = new Set(Object.values(t._expect as Record<string, Record<string, string>>).flatMap((e) => Object.keys(e)));
    for (const id of ['resource.vm-size', 'resource.memory-pressure', 'network.tensorboard-port', 'network.aml-inbound', 'script.port-in-use', 'script.localhost-only']) {
      assert.ok(findings.has(id), id);
    }
    for (const nsg of of('Microsoft.Network/networkSecurityGroups')) assert.equal((nsg.properties?.defaultSecurityRules as unknown[]).length, 6);
    const la = Object.values(t.logAnalytics ?? {});
    assert.ok(la.every((w) => w.tables.Syslog.length > 0 && w.tables.InsightsMetrics.length > 0));
  });

  it('refuses nonsense sizes', () => {
    assert.throws(() => generateTenant({ ...small, mlWorkspaces: 0 }), /mlWorkspaces must be a positive integer/);
  });

  it('is served by the sandbox: Resource Graph sees every tagged host, ARM lists every NSG of a subscription', async () => {
    const t = generateTenant(small);
    t.resourceGraph = { quota: { limit: 1000, windowMs: 5000 } };
    await withSandbox(t, async (sandbox) => {
      const ctx = azureContextFor(sandbox);
      const res = await ctx.resourceGraph().resources({ query: "resources | where tags['tensorboard'] == '6006' | project id", options: { top: 1000 } });
      const tagged = t.resources.filter((r) => r.tags?.tensorboard === '6006').map((r) => r.id);
      const got = new Set((res.data as { id: string }[]).map((r) => r.id));
      for (const id of tagged) assert.ok(got.has(id), id);
      const sub = t.subscriptions[0].subscriptionId;
      const nsgs = [];
      for await (const n of networkClient(ctx, sub).networkSecurityGroups.listAll()) nsgs.push(n.name);
      assert.deepEqual(nsgs.sort(), ['nsg-ci', 'nsg-locked', 'nsg-public', 'nsg-vm']);
    });
  });
});

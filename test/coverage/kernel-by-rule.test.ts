// Kernel collection proven by configuration: a VM whose associated data collection rule collects kern at Info or above
// into the workspace tbmon queries, and which sends Syslog, passes the kernel checks with no kern row; a VM whose
// rule lacks kern is unknown with the rule named in the hint. Both through Resource Graph (a sweep batch: one query)
// and through the per-rule ARM lists (on demand: one list of rules per subscription, one associations list per rule).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateTenant } from '../../sandbox/generate';
import { loadSettings } from '../../shared/config';
import { discoverHosts } from '../../shared/discovery/discover';
import { evaluateHosts } from '../../shared/evaluate';
import type { HostRecord, HostReport } from '../../shared/model';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const tenant = generateTenant({ subscriptions: 3, mlWorkspaces: 3, hosts: 90, logAnalyticsWorkspaces: 2, seed: 8, gaps: true });
tenant.resourceGraph = { quota: { limit: 10_000, windowMs: 5000 } };
const settings = loadSettings({});
const rules = tenant.resources.filter((r) => r.type === 'Microsoft.Insights/dataCollectionRules');
const associations = tenant.resources.filter((r) => r.type === 'Microsoft.Insights/dataCollectionRuleAssociations');
const kernRows = new Set(Object.values(tenant.logAnalytics ?? {}).flatMap((w) => w.tables.Syslog.filter((r) => r.Facility === 'kern').map((r) => String(r._ResourceId || r.Computer).toLowerCase())));
const syslogFrom = new Set(Object.values(tenant.logAnalytics ?? {}).flatMap((w) => w.tables.Syslog.map((r) => String(r._ResourceId ?? '').toLowerCase())));
const ruleOf = (vmId: string) => associations.find((a) => a.id.toLowerCase().startsWith(`${vmId.toLowerCase()}/providers/`))?.properties?.dataCollectionRuleId as string | undefined;

let sandbox: RunningSandbox;
let vms: HostRecord[];
before(async () => {
  sandbox = await startTestSandbox(tenant);
  const hosts = (await discoverHosts({ azure: azureContextFor(sandbox), settings, errors: [], now: new Date(tenant.now) })).hosts;
  vms = hosts.filter((h) => h.kind === 'vm');
});
after(() => sandbox.close());

function pick(kind: 'kern' | 'userlog'): HostRecord {
  const vm = vms.find((h) => (ruleOf(h.id) ?? '').includes(`dcr-tb-${kind === 'kern' ? 'syslog' : 'userlog'}-`) && !kernRows.has(h.id.toLowerCase()) && syslogFrom.has(h.id.toLowerCase()));
  assert.ok(vm, `a VM with the ${kind} rule, Syslog rows and no kern row`);
  return vm;
}

const check = (r: HostReport, id: string) => r.checks.find((c) => c.id === id) ?? assert.fail(`${id} missing`);

for (const mode of ['batch', 'on-demand'] as const) {
  describe(`${mode === 'batch' ? 'Resource Graph (batch)' : 'ARM per rule (on demand)'}`, () => {
    it('a VM whose rule collects kern and which sends Syslog passes the kernel checks with no kern row; one whose rule lacks kern is unknown naming the rule', async () => {
      const proven = pick('kern');
      const lacking = pick('userlog');
      const azure = azureContextFor(sandbox);
      sandbox.clearRequests();
      const { reports, errors } = await evaluateHosts([proven, lacking], { azure, settings, mode, now: new Date(tenant.now) });
      assert.deepEqual(errors, []);
      const [a, b] = [proven, lacking].map((h) => reports.find((r) => r.host.id === h.id) as HostReport);
      assert.equal(check(a, 'resource.kernel-network').status, 'pass', check(a, 'resource.kernel-network').summary);
      assert.notEqual(check(a, 'resource.memory-pressure').status, 'unknown', check(a, 'resource.memory-pressure').summary);
      assert.equal(a.coverage?.families.find((f) => f.family === 'kernel')?.state, 'seen');
      assert.match(a.coverage?.families.find((f) => f.family === 'kernel')?.proof ?? '', /dcr-tb-syslog-/);

      const unknown = check(b, 'resource.kernel-network');
      assert.equal(unknown.status, 'unknown');
      const ruleName = (ruleOf(lacking.id) as string).split('/').pop() as string;
      assert.ok(unknown.hint?.includes(ruleName), `hint names ${ruleName}: ${unknown.hint}`);
      assert.match(unknown.hint ?? '', /az monitor data-collection rule syslog update --subscription \S+ --resource-group rg-monitor --rule-name dcr-tb-userlog-\d+ .*--facility-names .*kern/);
      assert.equal(check(b, 'resource.memory-pressure').status, 'unknown');
      const gap = b.coverage?.families.find((f) => f.family === 'kernel')?.gap;
      assert.equal(gap?.kind, 'rule-update');
      assert.equal(gap?.target.toLowerCase(), (ruleOf(lacking.id) as string).toLowerCase());

      // Cost: never per host.
      const reqs = sandbox.requests();
      const ruleReads = reqs.filter((r) => /datacollectionrules/i.test(r.path));
      if (mode === 'batch') {
        const graph = reqs.filter((r) => r.api === 'resourceGraph');
        assert.ok(graph.length <= 3, `${graph.length} Resource Graph requests (network ≤ 2, rules 1)`);
        // Rules outside the batch's subscriptions: at most one ARM GET per rule in scope.
        assert.ok(ruleReads.length <= rules.length, `${ruleReads.length} rule reads for ${rules.length} rules`);
        assert.equal(reqs.filter((r) => /datacollectionruleassociations/i.test(r.path)).length, 0, 'no per-host association list');
      } else {
        const subs = new Set([proven, lacking].flatMap((h) => [h.subscriptionId, h.facts.logAnalyticsResourceId?.split('/')[2] ?? ''].filter(Boolean).map((s) => s.toLowerCase())));
        const lists = ruleReads.filter((r) => /\/providers\/microsoft\.insights\/datacollectionrules$/i.test(r.path));
        const perRule = ruleReads.filter((r) => /\/associations$/i.test(r.path));
        assert.equal(lists.length, subs.size, 'one rule list per subscription of the VMs and their workspaces');
        const rulesInSubs = rules.filter((r) => subs.has(r.id.split('/')[2].toLowerCase()));
        assert.equal(perRule.length, rulesInSubs.length, 'one associations list per rule in scope');
        assert.equal(reqs.filter((r) => /datacollectionruleassociations/i.test(r.path)).length, 0, 'no per-host association list');
      }
    });
  });
}

describe('without a visible rule', () => {
  it('a compute instance keeps the row heuristic: a boot kern row proves collection, no row does not', async () => {
    const cis = (await discoverHosts({ azure: azureContextFor(sandbox), settings, errors: [], now: new Date(tenant.now) })).hosts.filter((h) => h.kind === 'compute-instance' && h.logAnalyticsWorkspaceId);
    const withRow = cis.find((h) => kernRows.has(h.name.toLowerCase()));
    const without = cis.find((h) => !kernRows.has(h.name.toLowerCase()));
    assert.ok(withRow && without);
    const { reports } = await evaluateHosts([withRow, without], { azure: azureContextFor(sandbox), settings, mode: 'batch', now: new Date(tenant.now) });
    const state = (h: HostRecord) => reports.find((r) => r.host.id === h.id)?.coverage?.families.find((f) => f.family === 'kernel');
    assert.equal(state(withRow)?.state, 'seen');
    assert.equal(state(withRow)?.proof, 'a kern row in the coverage period');
    assert.equal(state(without)?.state, 'missing');
  });
});

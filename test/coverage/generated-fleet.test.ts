// The fleet coverage on a generated 10,000-host tenant with evidence gaps equals what the generator records each host
// sending (sandbox/generate.ts `_sends`) — not just the sum of the host reports' own coverage — and every gap's fix
// names real resources of the tenant. The evaluation runs as a sweep batches it, through the real clients.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateTenant, type SentFamily } from '../../sandbox/generate';
import { loadSettings } from '../../shared/config';
import { CoverageAccumulator } from '../../shared/coverage/fleet';
import { COVERAGE_FAMILIES } from '../../shared/coverage/host';
import { discoverHosts } from '../../shared/discovery/discover';
import { evaluateHosts } from '../../shared/evaluate';
import { gatherCollectionRules } from '../../shared/evidence/collection';
import type { FleetCoverage, HostRecord } from '../../shared/model';
import { planBatches } from '../../shared/sweep';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const HOSTS = Number(process.env.TBMON_COVERAGE_HOSTS ?? 10_000);
const tenant = generateTenant({ subscriptions: 20, mlWorkspaces: 100, hosts: HOSTS, logAnalyticsWorkspaces: 20, seed: 11, gaps: true });
tenant.resourceGraph = { quota: { limit: 100_000, windowMs: 5000 } };
const settings = loadSettings({});
let sandbox: RunningSandbox;
let coverage: FleetCoverage;
let hosts: HostRecord[];
const rulesPerBatch: { graph: number; arm: number }[] = [];

before(async () => {
  sandbox = await startTestSandbox(tenant);
  const azure = azureContextFor(sandbox);
  const now = new Date(tenant.now);
  hosts = (await discoverHosts({ azure, settings, errors: [], now })).hosts;
  const acc = new CoverageAccumulator({ hostTag: settings.hostTag });
  const cache = new Map<string, Promise<unknown>>();
  for (const batch of planBatches(hosts)) {
    const { reports } = await evaluateHosts(batch.hosts, { azure, settings, mode: 'batch', now, cache });
    for (const r of reports) acc.add(r);
    // What the rules alone cost in this batch, measured apart from the other evidence.
    const before = azure.counter.snapshot();
    await gatherCollectionRules(batch.hosts, { azure, settings, mode: 'batch', errors: [], cache: new Map(), now });
    const after = azure.counter.snapshot();
    rulesPerBatch.push({ graph: after.resourceGraph - before.resourceGraph, arm: after.arm - before.arm });
  }
  coverage = acc.result();
});
after(() => sandbox.close());

test(`fleet coverage of ${HOSTS} generated hosts equals what the generator says each host sends`, () => {
  assert.equal(hosts.length, HOSTS);
  assert.equal(coverage.hosts, HOSTS);
  const sends = tenant._sends as Record<string, SentFamily[]>;
  for (const family of COVERAGE_FAMILIES) {
    const expected = Object.values(sends).filter((s) => s.includes(family)).length;
    const got = coverage.families.find((f) => f.family === family);
    assert.equal(got?.seen, expected, `${family}: tbmon sees it on ${got?.seen}, the generator sends it from ${expected}`);
    assert.equal((got?.seen ?? 0) + (got?.missing ?? 0) + (got?.notApplicable ?? 0), HOSTS, family);
  }
  // The mix is a real one: every family has hosts on both sides except the ones the generator never sends.
  const kernel = coverage.families.find((f) => f.family === 'kernel');
  assert.ok(kernel && kernel.seen > 0 && kernel.missing > 0, 'kernel proven on some hosts, not on others');
  console.log(`# ${coverage.gaps.length} gaps; ${coverage.families.map((f) => `${f.family} ${f.seen}/${f.seen + f.missing}`).join(', ')}`);
});

test('kernel proven by configuration: VMs with the kern rule and Syslog in the window, without any kern row', () => {
  const vmNames = new Set(hosts.filter((h) => h.kind === 'vm').map((h) => h.name));
  const kernRowHosts = new Set(Object.values(tenant.logAnalytics ?? {}).flatMap((w) => w.tables.Syslog.filter((r) => r.Facility === 'kern').map((r) => String(r.Computer))));
  const byRule = Object.entries(tenant._sends as Record<string, SentFamily[]>).filter(([name, s]) => vmNames.has(name) && s.includes('kernel') && !kernRowHosts.has(name));
  assert.ok(byRule.length > HOSTS / 100, `${byRule.length} VMs proven by their rule alone`);
});

test('one fix per gap, at its level, naming real resources of the tenant; none per host', () => {
  const ids = new Set(tenant.resources.map((r) => r.id.toLowerCase()));
  const customerIds = new Set(Object.keys(tenant.logAnalytics ?? {}).map((c) => c.toLowerCase()));
  const keys = coverage.gaps.map((g) => `${g.kind}|${g.target.toLowerCase()}`);
  assert.equal(new Set(keys).size, keys.length, 'one gap per target');
  assert.ok(coverage.gaps.length < 300, `${coverage.gaps.length} gaps for ${HOSTS} hosts: grouped, not per host`);
  const kinds = new Set(coverage.gaps.map((g) => g.kind));
  for (const k of ['diagnostic-setting', 'data-collection-rule', 'rule-update', 'flow-logs', 'launcher'] as const) assert.ok(kinds.has(k), `a ${k} gap`);
  for (const g of coverage.gaps) {
    assert.ok(g.fix.command.length > 0 && g.fix.summary.length > 0, g.kind);
    switch (g.kind) {
      case 'diagnostic-setting':
      case 'flow-logs':
      case 'rule-update':
        assert.ok(ids.has(g.target.toLowerCase()), `${g.kind} target ${g.target} is a resource of the tenant`);
        assert.ok(g.fix.command.includes(g.kind === 'rule-update' ? `--rule-name ${g.target.split('/').pop()}` : g.target), `${g.kind} fix names ${g.target}`);
        assert.ok(g.fix.bicep?.includes(g.target.split('/').pop() as string), `${g.kind} Bicep names ${g.target}`);
        break;
      case 'data-collection-rule': {
        assert.ok(customerIds.has(g.target), `a Log Analytics workspace of the tenant: ${g.target}`);
        const la = tenant.resources.find((r) => String(r.properties?.customerId ?? '').toLowerCase() === g.target);
        assert.ok(la && g.fix.bicep?.toLowerCase().includes(la.id.toLowerCase()), `the rule's Bicep sends to ${la?.id}`);
        assert.ok(g.fix.command.includes(la.id.split('/')[4]), 'deployed into the workspace\'s resource group');
        break;
      }
      case 'launcher':
        assert.ok(['compute-instance', 'compute-cluster', 'vm'].includes(g.target), g.target);
        break;
      default:
        break;
    }
    if (g.kind === 'diagnostic-setting') assert.match(g.fix.command, /^az monitor diagnostic-settings create /);
  }
});

test('data collection rules cost at most one Resource Graph query per batch, and an ARM read only per rule Graph could not join', () => {
  const rules = tenant.resources.filter((r) => r.type === 'Microsoft.Insights/dataCollectionRules').length;
  assert.ok(rulesPerBatch.length >= 10, `${rulesPerBatch.length} batches`);
  for (const b of rulesPerBatch) {
    assert.ok(b.graph <= 1, `${b.graph} Resource Graph requests for the rules of a batch`);
    assert.ok(b.arm <= rules, `${b.arm} ARM reads for ${rules} rules`);
  }
});

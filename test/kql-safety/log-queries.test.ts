// Every Log Analytics query the log evidence can send, built for hosts with ordinary and hostile names, passes the
// schema validator (real table schemas), and each hostile name stays exactly one string literal: the query's token
// structure is the same as with an ordinary name, and the literal decodes to the name itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../shared/config';
import { plannedQueries } from '../../shared/evidence/logs';
import { canonicalId, type HostRecord } from '../../shared/model';
import { validateKql } from '../../sandbox/kql/validate';
import { HOSTILE_NAMES } from './hostile-names';
import { parseLiterals, tokenShape } from './kusto-tree';

const SUB = '11111111-1111-1111-1111-111111111111';
const LA = '22222222-2222-2222-2222-222222222222';

/** Hosts as discovery builds them: their ids canonical (lower case, model.ts canonicalId). */
function hostsNamed(name: string): HostRecord[] {
  const rg = `rg-${name}`;
  const ws = canonicalId(`/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/ws-${name}`);
  const subnet = canonicalId(`/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/vnet-${name}/subnets/sn-${name}`);
  const base = {
    subscriptionId: SUB, resourceGroup: rg, location: 'eastus2', port: 6006, publishedPort: 6006, owners: [], logAnalyticsWorkspaceId: LA, tags: {},
  };
  const facts = {
    vmSize: 'Standard_D4s_v3', state: 'Running', provisioningState: 'Succeeded', errors: null, lastOperation: null,
    enableNodePublicIp: true, subnetId: subnet, nicIds: [] as string[], computerName: null as string | null, workspaceId: ws,
  };
  return [
    { ...base, id: `${ws}/computes/ci-${name}`, name: `ci-${name}`, kind: 'compute-instance', workspace: `ws-${name}`, facts: { ...facts, privateIp: '10.0.0.4' } },
    { ...base, id: `${ws}/computes/cl-${name}`, name: `cl-${name}`, kind: 'compute-cluster', workspace: `ws-${name}`, facts },
    {
      ...base, id: canonicalId(`/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/vm-${name}`), name: `vm-${name}`, kind: 'vm', workspace: null, publishedPort: 8443,
      facts: { ...facts, workspaceId: null, computerName: `host-${name}`, nicIds: [canonicalId(`/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/nic-${name}`)] },
    },
  ];
}

const CUSTOM_TABLE = { TensorBoardLog_CL: '(TimeGenerated: datetime, RawData: string, Computer: string, _ResourceId: string, Type: string)' };
const SETTINGS = [loadSettings({}), loadSettings({ TBMON_LAUNCH_LOG_TABLE: 'TensorBoardLog_CL' })];

test('every planned query validates against the real schemas: ordinary names, and one batch of every hostile name', () => {
  const batches = [hostsNamed('ordinary'), HOSTILE_NAMES.flatMap(hostsNamed)];
  for (const settings of SETTINGS) {
    for (const hosts of batches) {
      const queries = plannedQueries(hosts, settings);
      assert.deepEqual(queries.map((q) => q.family).sort(), ['cluster', 'flows', 'kernel', 'launch', 'metrics']);
      for (const q of queries) {
        const diags = validateKql(q.query, 'logAnalytics', { extraTables: CUSTOM_TABLE });
        assert.deepEqual(diags, [], `${q.family} query (${settings.launchLogTable}, ${hosts.length} hosts):\n${q.query.slice(0, 2000)}`);
      }
    }
  }
});

test('a hostile name stays exactly one string literal: same token structure, literal decodes to the name', () => {
  const settings = SETTINGS[0];
  const ordinary = new Map(plannedQueries(hostsNamed('ordinary'), settings).map((q) => [q.family, tokenShape(q.query)]));
  for (const name of HOSTILE_NAMES) {
    for (const q of plannedQueries(hostsNamed(name), settings)) {
      const parsed = parseLiterals(q.query);
      assert.deepEqual(parsed.syntaxErrors, [], `${q.family} for ${JSON.stringify(name)}`);
      assert.deepEqual(tokenShape(q.query), ordinary.get(q.family), `${q.family} structure changed for ${JSON.stringify(name)}`);
      const expected = q.family === 'cluster' ? `cl-${name}` : q.family === 'flows' ? `nic-${name}` : `ci-${name}`;
      assert.ok(parsed.strings.some((s) => s === expected.toLowerCase() || s.endsWith(`/${expected.toLowerCase()}`)), `${q.family}: no literal equal to ${JSON.stringify(expected)}`);
    }
  }
});

test('the launch log of a custom table reads RawData without a tag filter', () => {
  const q = plannedQueries(hostsNamed('x'), SETTINGS[1]).find((p) => p.family === 'launch');
  assert.match(q?.query ?? '', /TensorBoardLog_CL/);
  assert.match(q?.query ?? '', /tostring\(RawData\)/);
  assert.doesNotMatch(q?.query ?? '', /ProcessName/);
});

test('the launch query that reads back restarted compute instances validates (Syslog and a custom table), hostile names stay literals', () => {
  const now = new Date('2026-11-26T06:00:00Z');
  const restarted = (name: string): HostRecord[] => hostsNamed(name).map((h) => h.kind === 'compute-instance'
    ? { ...h, facts: { ...h.facts, lastOperation: { operationName: 'Start', operationStatus: 'Succeeded', operationTrigger: 'Schedule', operationTime: '2026-11-26T05:20:00Z' } } }
    : h);
  for (const settings of SETTINGS) {
    const ordinary = plannedQueries(restarted('ordinary'), settings, now).find((q) => q.family === 'launch');
    assert.ok(ordinary?.restart, 'the launch query reads back');
    assert.match(ordinary?.query ?? '', /tbRestartHosts/);
    // 7 days before the start to now: one query, a longer span.
    assert.equal(ordinary?.timespan, `PT${(7 * 86_400 + 40 * 60)}S`);
    assert.deepEqual(validateKql(ordinary?.query ?? '', 'logAnalytics', { extraTables: CUSTOM_TABLE }), [], ordinary?.query);
    // Every hostile name validates (one batch of them all, as the first test does), and each alone keeps the
    // ordinary query's structure.
    const hostile = plannedQueries(HOSTILE_NAMES.flatMap(restarted), settings, now).find((p) => p.family === 'launch');
    assert.ok(hostile?.restart, 'the hostile batch reads back too');
    assert.deepEqual(validateKql(hostile?.query ?? '', 'logAnalytics', { extraTables: CUSTOM_TABLE }), [], hostile?.query.slice(0, 2000));
    const shape = tokenShape(ordinary?.query ?? '');
    for (const name of HOSTILE_NAMES) {
      const q = plannedQueries(restarted(name), settings, now).find((p) => p.family === 'launch');
      assert.deepEqual(tokenShape(q?.query ?? ''), shape, `structure changed for ${JSON.stringify(name)}`);
    }
  }
  // No restart inside the horizon: the launch query is the plain one, over the lookback.
  const plain = plannedQueries(hostsNamed('ordinary'), SETTINGS[0], now).find((q) => q.family === 'launch');
  assert.equal(plain?.timespan, 'PT1H');
  assert.doesNotMatch(plain?.query ?? '', /tbRestartHosts/);
});

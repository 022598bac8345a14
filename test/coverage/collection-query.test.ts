// The data collection rule query is valid against Resource Graph's real tables (insightresources joined with
// resources), keeps hostile VM ids as single literals, and the sandbox evaluates it; rule reading is a table of cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateKql } from '../../sandbox/kql/validate';
import { unsupportedBySandbox } from '../../sandbox/kql/coverage';
import { associationTarget, collectionGraphQuery, readRule } from '../../shared/evidence/collection';
import { collectsKern, sendsSyslogTo } from '../../shared/checks/resource/kern-proof';
import { HOSTILE_NAMES } from '../kql-safety/hostile-names';

const VM = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';

describe('collectionGraphQuery', () => {
  it('validates against the Resource Graph schemas and is inside what the sandbox evaluates', () => {
    const q = collectionGraphQuery([VM, ...HOSTILE_NAMES.map((n) => `${VM}${n}`)]);
    assert.deepEqual(validateKql(q, 'resourceGraph'), [], q);
    assert.deepEqual(unsupportedBySandbox(q), []);
    assert.ok(validateKql('InsightResources | where type == "microsoft.insights/datacollectionruleassociations" | project id', 'resourceGraph').length === 0);
  });
});

describe('reading a rule', () => {
  const rule = (syslog: { facilityNames: string[]; logLevels: string[] }[], flows = [{ streams: ['Microsoft-Syslog'], destinations: ['la'] }]) => readRule('/r/dcr', 'dcr', 'a', {
    dataSources: { syslog: syslog.map((s, i) => ({ name: `s${i}`, streams: ['Microsoft-Syslog'], ...s })) },
    destinations: { logAnalytics: [{ name: 'la', workspaceResourceId: '/LA/Id', workspaceId: 'ABC' }] },
    dataFlows: flows,
  });
  const INFO_UP = ['Info', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency'];
  const cases: [string, Parameters<typeof rule>[0], boolean][] = [
    ['kern at Info and above', [{ facilityNames: ['user', 'kern'], logLevels: INFO_UP }], true],
    ['kern at Debug and above', [{ facilityNames: ['kern'], logLevels: ['Debug', ...INFO_UP] }], true],
    ['every facility, every level', [{ facilityNames: ['*'], logLevels: ['*'] }], true],
    ['case as users write it', [{ facilityNames: ['KERN'], logLevels: INFO_UP.map((l) => l.toUpperCase()) }], true],
    ['kern at Warning and above only', [{ facilityNames: ['kern'], logLevels: INFO_UP.slice(2) }], false],
    ['no kern', [{ facilityNames: ['user', 'daemon'], logLevels: INFO_UP }], false],
    ['no Syslog source', [], false],
  ];
  for (const [name, syslog, kern] of cases) it(`${name}: ${kern ? 'collects' : 'does not collect'} kern`, () => assert.equal(collectsKern(rule(syslog)), kern));

  it('follows the Syslog data flow to its destination (customer id or ARM id, case-insensitive)', () => {
    const r = rule([{ facilityNames: ['kern'], logLevels: ['*'] }]);
    assert.ok(sendsSyslogTo(r, 'abc', null));
    assert.ok(sendsSyslogTo(r, null, '/la/id'));
    assert.ok(!sendsSyslogTo(r, 'other', '/other'));
    assert.ok(!sendsSyslogTo(rule([{ facilityNames: ['kern'], logLevels: ['*'] }], [{ streams: ['Microsoft-Perf'], destinations: ['la'] }]), 'abc', null), 'only Perf flows there');
  });

  it('an association id names its target', () => {
    assert.equal(associationTarget(`${VM}/providers/Microsoft.Insights/dataCollectionRuleAssociations/x`), VM.toLowerCase());
    assert.equal(associationTarget('/subscriptions/s/providers/Microsoft.Insights/dataCollectionRules/x'), null);
  });
});

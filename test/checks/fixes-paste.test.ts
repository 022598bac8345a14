// Fixes an owner can paste: every `az` command in every fix the check registry can produce (each check's example
// outcomes on each host kind it applies to, the kernel-collection hints, and every coverage gap's fix) names the
// subscription and the resource group — in a tenant of many subscriptions a command without them acts on az's
// default subscription — and no fix prints a <workspace> placeholder or points at a file of this repository.
// A command whose target is a full ARM id (`--resource`, `--resource-id`, `--scope`, or "$vm" read from a list of ids)
// acts where the id says — az builds the request from it, and refuses --resource-group beside some (az tag update,
// rule associations) — and `az graph query` reads every subscription you can read, not az's default one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS } from '../../shared/checks/registry';
import { kernProof } from '../../shared/checks/resource/kern-proof';
import { fixFor } from '../../shared/coverage/fixes';
import type { CollectionRule } from '../../shared/evidence/collection';
import type { CoverageGapRef } from '../../shared/model';
import { host, settings } from '../support/evidence';

const SUB = '11111111-1111-1111-1111-111111111111';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-ml`;
const LA = `/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/la-ml`;
const WS = `${RG}/providers/Microsoft.MachineLearningServices/workspaces/ws1`;
const DCR = `/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-logs/providers/Microsoft.Insights/dataCollectionRules/dcr-syslog`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-ml`;
const CUSTOMER = '33333333-3333-3333-3333-333333333333';

/** Every coverage gap kind, with and without the names a fix may lack (the Log Analytics ARM id). */
const GAPS: CoverageGapRef[] = [
  { kind: 'diagnostic-setting', target: WS, with: { location: 'eastus2' } },
  { kind: 'diagnostic-setting', target: WS, with: { location: 'eastus2', logAnalyticsResourceId: LA, sendsTo: CUSTOMER } },
  { kind: 'data-collection-rule', target: CUSTOMER, with: { location: 'eastus2' } },
  { kind: 'data-collection-rule', target: CUSTOMER, with: { location: 'eastus2', logAnalyticsResourceId: LA } },
  { kind: 'rule-update', target: DCR, with: { source: 'sysLogsDataSource', facilities: 'user daemon' } },
  { kind: 'flow-logs', target: VNET, with: { location: 'eastus2', logAnalyticsResourceId: LA, logAnalyticsWorkspaceId: CUSTOMER } },
  { kind: 'flow-logs', target: VNET, with: { location: 'eastus2', logAnalyticsWorkspaceId: CUSTOMER } },
  ...(['vm', 'compute-instance', 'compute-cluster'] as const).map((k): CoverageGapRef => ({ kind: 'launcher', target: k, with: { resourceGroup: 'rg-ml', subscriptionId: SUB } })),
  { kind: 'log-analytics-route', target: RG },
  { kind: 'reader-access', target: `/subscriptions/${SUB}` },
];

const rule = (over: Partial<CollectionRule>): CollectionRule => ({
  id: DCR, name: 'dcr-syslog', association: 'assoc', readable: true, syslog: [{ name: 'sysLogsDataSource', streams: ['Microsoft-Syslog'], facilityNames: ['user'], logLevels: ['Info'] }],
  counters: [], syslogTo: [{ customerId: CUSTOMER, resourceId: LA.toLowerCase() }], perfTo: [], ...over,
});

function fixes(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const def of ALL_CHECKS) {
    for (const kind of def.appliesTo) {
      for (const [status, outcomes] of Object.entries(def.examples(host({ kind }), settings))) {
        for (const o of outcomes ?? []) {
          for (const [field, text] of [['fix', o.remediation], ['hint', o.hint]] as const) if (text) out.push({ where: `${def.id} ${status} on ${kind} (${field})`, text });
        }
      }
    }
  }
  // The kernel-collection hints the resource checks pass on (a VM with no rule, a rule without kern, an agent silent).
  const vm = host({ kind: 'vm', logAnalyticsWorkspaceId: CUSTOMER, facts: { logAnalyticsResourceId: LA } });
  const kernel = (syslogRows: number) => ({ syslogRows, kernRows: 0, kernCoverage: 'P7D', events: [] }) as unknown as Parameters<typeof kernProof>[1];
  const cases: [string, CollectionRule[], number][] = [
    ['no rule', [], 5],
    ['rule without kern', [rule({})], 5],
    ['agent silent', [rule({ syslog: [{ name: 's', streams: ['Microsoft-Syslog'], facilityNames: ['kern'], logLevels: ['*'] }] })], 0],
  ];
  for (const [name, rules, rows] of cases) {
    const p = kernProof({ host: vm, collection: { ok: true, value: { source: 'arm', rules } } } as Parameters<typeof kernProof>[0], kernel(rows));
    if (!p.proven) out.push({ where: `kernel proof: ${name} (hint)`, text: p.hint });
  }
  for (const gap of GAPS) {
    const fix = fixFor(gap, { hostTag: 'tensorboard', example: 'vm-tb' });
    out.push({ where: `coverage ${gap.kind} ${gap.target.split('/').pop()} (summary)`, text: fix.summary });
    out.push({ where: `coverage ${gap.kind} ${gap.target.split('/').pop()} (command)`, text: fix.command });
  }
  return out;
}

/** The az commands in a text: from `az <group>` to the next `&&`, `;`, `|`, shell comment, closing parenthesis or line end. */
function azCommands(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s:(])(az [a-z][a-z-]* .*?)(?=\s&&|;|\s\||\s#|\)|$)/gm)].map((m) => m[1]);
}

/** The command's target is a full ARM id (or a shell variable the same fix filled with one). */
const ID_TARGET = / --(?:resource|resource-id|scope) (?:'?\/subscriptions\/[^/\s]+(?:\/resourceGroups\/[^/\s]+|'?(?:\s|$))|"\$vm")/i;
const EVERY_SUBSCRIPTION = /^az graph query /;

test('every az command in every fix and hint carries --subscription and the resource group', () => {
  const all = fixes();
  let commands = 0;
  const missing: string[] = [];
  for (const { where, text } of all) {
    for (const cmd of azCommands(text)) {
      commands++;
      const placed = (/ --subscription \S/.test(cmd) && / --resource-group \S/.test(cmd)) || ID_TARGET.test(cmd) || EVERY_SUBSCRIPTION.test(cmd);
      if (!placed) missing.push(`${where}: ${cmd}`);
    }
  }
  assert.ok(commands >= 40, `only ${commands} az commands found`);
  assert.deepEqual(missing, []);
});

test('no fix prints a <workspace> or <subscription> placeholder or refers to a file of this repository', () => {
  for (const { where, text } of fixes()) {
    assert.doesNotMatch(text, /<workspace>|<subscription>|<resource group>/, where);
    assert.doesNotMatch(text, /scripts\/tensorboard-launch\.sh/, `${where}: owners do not have this repository`);
  }
});

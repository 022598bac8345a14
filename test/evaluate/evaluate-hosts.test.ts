// evaluateHosts and the registry's runner, with check definitions and gatherers written for the case: kinds a check
// does not apply to are skipped, a throwing check is unknown with the reason, a throwing gatherer fails its family
// for every host (never pass) and is recorded, suppressions are applied, and the host status ignores both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AzureContext, StaticTokenCredential } from '../../shared/azure';
import { loadSettings } from '../../shared/config';
import { evaluateHosts } from '../../shared/evaluate';
import { ALL_CHECKS } from '../../shared/checks/registry';
import type { CheckDefinition } from '../../shared/checks/types';
import type { Gatherers } from '../../shared/evidence/index';
import { LOG_FAMILIES, type LogEvidence } from '../../shared/evidence/log-types';
import type { HostRecord } from '../../shared/model';
import type { NetworkEvidence } from '../../shared/evidence/types';
import { host } from '../support/hosts';

const settings = loadSettings({});
const azure = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: 'https://127.0.0.1:9', logAnalyticsEndpoint: 'https://127.0.0.1:9/v1' });

function record(name: string, kind: HostRecord['kind'], tags: Record<string, string> = {}): HostRecord {
  return host({
    id: `/subscriptions/s1/resourceGroups/rg/providers/x/${name}`, name, kind, subscriptionId: 's1', resourceGroup: 'rg', workspace: null, logAnalyticsWorkspaceId: null, tags,
    facts: { vmSize: 'STANDARD_DS3_V2', state: 'Running', enableNodePublicIp: null },
  });
}

const okLogs = (): LogEvidence => Object.fromEntries(LOG_FAMILIES.map((f) => [f, { ok: true, value: {} }])) as unknown as LogEvidence;

const gatherers: Gatherers = {
  network: async (hosts) => new Map(hosts.map((h) => [h.id, { ok: true, value: { path: h.name } as unknown as NetworkEvidence }])),
  logs: async () => {
    throw new Error('Log Analytics answered 500 after retries');
  },
  vmSizes: async (hosts) => new Map(hosts.map((h) => [h.id, { ok: true, value: { name: 'STANDARD_DS3_V2', vCPUs: 4, memoryGB: 14 } }])),
};

/** Words and examples do not matter to evaluation. */
const words = { sentence: (o: { summary: string }) => o.summary, examples: () => ({}) };

const checks: CheckDefinition[] = [
  { ...words, id: 'network.port', class: 'network', severity: 'high', title: 'Port', appliesTo: ['vm', 'compute-instance'], run: (ev) => (ev.network.ok ? { status: 'fail', summary: `denied on ${String((ev.network.value as unknown as { path: string }).path)}` } : { status: 'unknown', summary: ev.network.reason }) },
  { ...words, id: 'script.launch', class: 'script', severity: 'high', title: 'Launch', appliesTo: ['vm', 'compute-instance', 'compute-cluster'], run: (ev) => (ev.logs.launch.ok ? { status: 'pass', summary: 'ok' } : { status: 'unknown', summary: ev.logs.launch.reason, hint: 'enable Syslog' }) },
  { ...words, id: 'resource.size', class: 'resource', severity: 'medium', title: 'Size', appliesTo: ['compute-instance'], run: (ev) => (ev.vmSize.ok ? { status: 'warn', summary: 'small', severity: 'low' } : { status: 'unknown', summary: ev.vmSize.reason }) },
  { ...words, id: 'resource.buggy', class: 'resource', severity: 'low', title: 'Buggy', appliesTo: ['vm', 'compute-instance'], run: () => { throw new TypeError('cannot read x of undefined'); } },
];

test('runs every applicable check, skips the rest, turns a throw into unknown, and fails a family whose gatherer threw', async () => {
  const hosts = [record('vm-1', 'vm'), record('ci-1', 'compute-instance', { 'tbmon-suppress': 'network.port, resource.bogus-id:notadate' })];
  const now = new Date('2026-11-26T06:00:00Z');
  const { reports, errors, stats } = await evaluateHosts(hosts, { azure, settings, mode: 'batch', now, checks, gatherers });
  assert.equal(reports.length, 2);
  const [vm, ci] = reports;
  assert.equal(vm.evaluatedAt, '2026-11-26T06:00:00.000Z');
  assert.deepEqual(vm.checks.map((c) => [c.id, c.status]), [['network.port', 'fail'], ['script.launch', 'unknown'], ['resource.size', 'skipped'], ['resource.buggy', 'unknown']]);
  assert.equal(vm.status, 'fail');
  assert.match(vm.checks[1].summary, /gathering logs evidence failed: Log Analytics answered 500/);
  assert.match(vm.checks[3].summary, /cannot read x of undefined/);
  assert.deepEqual([vm.checks[3].class, vm.checks[3].severity], ['resource', 'low']);
  assert.equal(ci.checks[2].severity, 'low', 'an outcome may lower its severity');
  assert.deepEqual([ci.checks[0].status, ci.checks[0].suppressed], ['fail', true]);
  assert.equal(ci.status, 'warn', 'the suppressed fail does not count; the warn does');
  assert.deepEqual(Object.keys(vm.host).sort(), ['id', 'kind', 'location', 'logAnalyticsWorkspaceId', 'name', 'owners', 'port', 'publishedPort', 'resourceGroup', 'subscriptionId', 'workspace'].sort(), 'tags and facts stay out of the report');
  assert.deepEqual(errors.map((e) => [e.scope, e.code]), [['evidence:logs', 'GatherFailed'], [hosts[1].id, 'InvalidSuppression']]);
  assert.deepEqual(stats.requests, { resourceGraph: 0, arm: 0, logAnalytics: 0, email: 0, teams: 0 });
});

test('a host a gatherer left out is unknown for that family, not pass', async () => {
  const partial: Gatherers = { ...gatherers, logs: async (hosts) => new Map([[hosts[0].id, okLogs()]]) };
  const hosts = [record('vm-1', 'vm'), record('vm-2', 'vm')];
  const { reports } = await evaluateHosts(hosts, { azure, settings, mode: 'on-demand', checks, gatherers: partial });
  assert.deepEqual(reports.map((r) => r.checks.find((c) => c.id === 'script.launch')?.status), ['pass', 'unknown']);
});

test('the registry holds every catalogue check once, each with metadata', () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const c of ALL_CHECKS) {
    assert.match(c.id, /^(resource|network|script|job)\.[a-z0-9-]+$/);
    assert.equal(c.id.split('.')[0], c.class);
    assert.ok(c.title && c.appliesTo.length > 0, c.id);
  }
});

test('on a stopped host, a check left unknown is skipped (no data gap overnight); real verdicts stay', async () => {
  const stopped = record('ci-stopped', 'compute-instance');
  stopped.facts = { ...stopped.facts, state: 'Stopped', lastOperation: { operationName: 'Stop', operationTrigger: 'IdleShutdown' } };
  const { reports } = await evaluateHosts([stopped, record('ci-running', 'compute-instance')], { azure, settings, mode: 'batch', checks, gatherers });
  const launch = (i: number) => reports[i].checks.find((c) => c.id === 'script.launch');
  assert.equal(launch(0)?.status, 'skipped');
  assert.match(launch(0)?.summary ?? '', /the host is stopped.*gathering logs evidence failed/);
  assert.equal(launch(0)?.hint, undefined);
  assert.equal(launch(1)?.status, 'unknown', 'a running host with no logs is a real gap');
  assert.equal(reports[0].checks.find((c) => c.id === 'network.port')?.status, 'fail');
});

test('onReport takes each report as it is made, in the hosts\' order, and none is kept', async () => {
  const hosts = [record('vm-1', 'vm'), record('ci-1', 'compute-instance'), record('vm-2', 'vm')];
  const now = new Date('2026-11-26T06:00:00Z');
  const kept = await evaluateHosts(hosts, { azure, settings, mode: 'batch', now, checks, gatherers });
  const seen: unknown[] = [];
  const streamed = await evaluateHosts(hosts, { azure, settings, mode: 'batch', now, checks, gatherers, onReport: (r) => seen.push(r) });
  assert.deepEqual(seen, kept.reports);
  assert.deepEqual(streamed.reports, []);
  assert.deepEqual(streamed.errors, kept.errors);
});

test('a host id given twice is reported once', async () => {
  const { reports } = await evaluateHosts([record('vm-1', 'vm'), record('vm-1', 'vm'), record('vm-2', 'vm')], { azure, settings, mode: 'batch', now: new Date('2026-11-26T06:00:00Z'), checks, gatherers });
  assert.deepEqual(reports.map((r) => r.host.name), ['vm-1', 'vm-2']);
});

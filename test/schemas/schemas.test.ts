// schemas/*.json through shared/schemas.ts: valid samples pass; each kind of drift is refused with a path a person
// can act on, and never with the offending value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Report } from '../../shared/model';
import { validateAlertsMessage, validateEvaluateMessage, validateHostsOutput, validateReport } from '../../shared/schemas';
import { testHost } from '../support/hosts';

const SUB = '34adfa4f-cedf-4dc0-ba29-b6d1a69ab345';
const LAW = 'faa080af-c1d8-40ad-9cce-e1a450ca5b57';

function host(name = 'ci-1') {
  return testHost({ name, subscriptionId: SUB, workspace: 'ws-1', owners: ['owner@contoso.com'], logAnalyticsWorkspaceId: LAW });
}

function sampleReport(): Report {
  return {
    schemaVersion: 1,
    generatedAt: '2026-11-26T06:00:00Z',
    hosts: [
      {
        host: host(),
        evaluatedAt: '2026-11-26T06:00:00.123Z',
        status: 'fail',
        checks: [
          { id: 'network.tensorboard-port', class: 'network', status: 'fail', severity: 'high',
            summary: 'Inbound TCP 6006 from VirtualNetwork is denied by nsg-ml/deny-all-in (priority 200)',
            evidence: { rule: 'deny-all-in' }, remediation: 'az network nsg rule create …' },
          { id: 'resource.vm-size', class: 'resource', status: 'warn', severity: 'medium', summary: 'small', suppressed: true, suppressReason: 'known, until 2026-12-01' },
          { id: 'script.not-installed', class: 'script', status: 'unknown', severity: 'high', summary: 'no launch log', hint: 'send Syslog to the workspace', notes: ['n'] },
          { id: 'resource.cluster-nodes', class: 'resource', status: 'skipped', severity: 'low', summary: 'not a cluster' },
        ],
      },
      {
        host: { ...host('vm-1'), kind: 'vm', workspace: null, logAnalyticsWorkspaceId: null, owners: [],
          id: `/subscriptions/${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-1` },
        evaluatedAt: '2026-11-26T06:00:01Z',
        status: 'pass',
        checks: [{ id: 'resource.vm-size', class: 'resource', status: 'pass', severity: 'medium', summary: 'Standard_D4s_v5: 4 vCPU, 16 GB' }],
      },
    ],
    summary: { hosts: 2, pass: 1, warn: 0, fail: 1, unknown: 0 },
    stats: { durationMs: 812, requests: { resourceGraph: 2, arm: 3, logAnalytics: 4, email: 0, teams: 0 } },
    errors: [{ scope: SUB, code: 'AuthorizationFailed', message: 'cannot read' }],
  };
}

test('a full report with every optional field validates', () => {
  const r = validateReport(sampleReport());
  assert.deepEqual(r, { ok: true, value: sampleReport() });
});

type Mutation = { what: string; change: (r: Report & Record<string, unknown>) => void; error: RegExp };
const broken: Mutation[] = [
  { what: 'missing errors[]', change: (r) => { delete (r as Partial<Report>).errors; }, error: /^\(root\) is missing "errors"$/ },
  { what: 'schemaVersion 2', change: (r) => { (r as { schemaVersion: number }).schemaVersion = 2; }, error: /^schemaVersion must be 1$/ },
  { what: 'unexpected top-level field', change: (r) => { r.extra = 1; }, error: /unexpected property "extra"/ },
  { what: 'bad check status', change: (r) => { (r.hosts[0].checks[0] as { status: string }).status = 'ok'; }, error: /^hosts\[0\]\.checks\[0\]\.status must be one of "pass", "warn", "fail", "unknown", "skipped"$/ },
  { what: 'host status skipped', change: (r) => { (r.hosts[1] as { status: string }).status = 'skipped'; }, error: /^hosts\[1\]\.status must be one of/ },
  { what: 'unknown check field', change: (r) => { (r.hosts[0].checks[0] as unknown as Record<string, unknown>).detail = 'x'; }, error: /hosts\[0\]\.checks\[0\] has an unexpected property "detail"/ },
  { what: 'suppressReason without suppressed', change: (r) => { delete r.hosts[0].checks[1].suppressed; }, error: /hosts\[0\]\.checks\[1\] has "suppressReason" without "suppressed"/ },
  { what: 'port out of range', change: (r) => { r.hosts[0].host.port = 70000; }, error: /hosts\[0\]\.host\.port must be <= 65535/ },
  { what: 'workspace id not a GUID', change: (r) => { r.hosts[0].host.logAnalyticsWorkspaceId = 'law-1'; }, error: /hosts\[0\]\.host\.logAnalyticsWorkspaceId has a form/ },
  { what: 'subscription not a GUID', change: (r) => { r.hosts[0].host.subscriptionId = 'sub'; }, error: /hosts\[0\]\.host\.subscriptionId has a form/ },
  { what: 'host kind', change: (r) => { (r.hosts[0].host as { kind: string }).kind = 'aks'; }, error: /hosts\[0\]\.host\.kind must be one of/ },
  { what: 'timestamp without zone', change: (r) => { r.generatedAt = '2026-11-26 06:00'; }, error: /^generatedAt has a form/ },
  { what: 'stats without teams', change: (r) => { delete (r.stats.requests as Partial<Report['stats']['requests']>).teams; }, error: /^stats\.requests is missing "teams"$/ },
  { what: 'error without code', change: (r) => { delete (r.errors[0] as Partial<Report['errors'][0]>).code; }, error: /^errors\[0\] is missing "code"$/ },
  { what: 'check id of another class', change: (r) => { r.hosts[0].checks[0].id = 'script.tensorboard-port'; }, error: /checks\[0\]\.id "script\.tensorboard-port" does not start with its class "network\."/ },
  { what: 'host status better than its checks', change: (r) => { r.hosts[0].status = 'warn'; r.summary.fail = 0; r.summary.warn = 1; }, error: /hosts\[0\]\.status is "warn" but the worst of its checks is "fail"/ },
  { what: 'summary that does not add up', change: (r) => { r.summary.pass = 2; }, error: /summary\.pass is 2 but 1 host\(s\) have status "pass"/ },
  { what: 'summary host count', change: (r) => { r.summary.hosts = 3; }, error: /summary\.hosts is 3 but the report has 2 host/ },
];
for (const m of broken) {
  test(`report refused: ${m.what}`, () => {
    const r = sampleReport() as Report & Record<string, unknown>;
    m.change(r);
    const v = validateReport(r);
    assert.equal(v.ok, false);
    if (!v.ok) assert.ok(v.errors.some((e) => m.error.test(e)), v.errors.join('\n'));
  });
}

test('errors name paths, not values (a secret in a bad field is not echoed)', () => {
  const r = sampleReport();
  r.hosts[0].host.subscriptionId = 'accesskey=SuperSecretValue';
  const v = validateReport(r);
  assert.equal(v.ok, false);
  if (!v.ok) assert.ok(!v.errors.join(' ').includes('SuperSecret'));
});

test('hosts --format json output', () => {
  const good = { schemaVersion: 1, hosts: [host(), host('ci-2')], errors: [], stats: { durationMs: 5, requests: { resourceGraph: 1, arm: 0, logAnalytics: 0, email: 0, teams: 0 } } };
  assert.equal(validateHostsOutput(good).ok, true);
  assert.equal(validateHostsOutput({ ...good, hosts: [] }).ok, true);
  const withRecord = { ...good, hosts: [{ ...host(), tags: {} }] };
  const v = validateHostsOutput(withRecord);
  assert.ok(!v.ok && v.errors.includes('hosts[0] has an unexpected property "tags"'));
  const noStats = validateHostsOutput({ schemaVersion: 1, hosts: [], errors: [] });
  assert.ok(!noStats.ok && noStats.errors.includes('(root) is missing "stats"'));
});

test('tb-evaluate: exactly {sweepId, batchKey}, bounded, table-key safe', () => {
  assert.deepEqual(validateEvaluateMessage({ sweepId: '20261126T060000Z-3f2a', batchKey: 'law-faa080af-0001' }), { ok: true, value: { sweepId: '20261126T060000Z-3f2a', batchKey: 'law-faa080af-0001' } });
  assert.equal(validateEvaluateMessage({ sweepId: '2026-11-26T06:00:00Z', batchKey: 'none.0' }).ok, true);
  const bad: [unknown, RegExp][] = [
    [{ sweepId: 's' }, /is missing "batchKey"/],
    [{ sweepId: 's', batchKey: 'b', hosts: [] }, /unexpected property "hosts"/],
    [{ sweepId: 's/1', batchKey: 'b' }, /^sweepId has a form/],
    [{ sweepId: 's', batchKey: 'b#1' }, /^batchKey has a form/],
    [{ sweepId: 's', batchKey: '' }, /^batchKey must NOT have fewer than 1 characters/],
    [{ sweepId: 'x'.repeat(129), batchKey: 'b' }, /^sweepId must NOT have more than 128 characters/],
    [{ sweepId: 1, batchKey: 'b' }, /^sweepId must be string/],
    ['{"sweepId":"s","batchKey":"b"}', /^\(root\) must be object/],
    [null, /^\(root\) must be object/],
  ];
  for (const [value, error] of bad) {
    const v = validateEvaluateMessage(value);
    assert.ok(!v.ok && v.errors.some((e) => error.test(e)), `${JSON.stringify(value)}: ${v.ok ? 'ok' : v.errors.join('; ')}`);
  }
});

test('tb-alerts: exactly {sweepId}', () => {
  assert.deepEqual(validateAlertsMessage({ sweepId: 'sw-1' }), { ok: true, value: { sweepId: 'sw-1' } });
  for (const value of [{}, { sweepId: '' }, { sweepId: 'sw', batchKey: 'b' }, { sweepId: 'a b' }, []]) {
    assert.equal(validateAlertsMessage(value).ok, false, JSON.stringify(value));
  }
});

test('partial: true only on warn or fail, and with a hint naming the missing source (additive within schemaVersion 1)', () => {
  const withCheck = (extra: Record<string, unknown>) => {
    const r = sampleReport() as unknown as { hosts: { checks: Record<string, unknown>[] }[] };
    r.hosts[0].checks[2] = { ...r.hosts[0].checks[2], ...extra };
    for (const [k, v] of Object.entries(extra)) if (v === undefined) delete r.hosts[0].checks[2][k];
    return validateReport(r).ok;
  };
  assert.equal(withCheck({ status: 'warn', partial: true, hint: 'kernel messages could not be read' }), true);
  assert.equal(withCheck({ status: 'fail', partial: true, hint: 'kernel messages could not be read' }), true);
  assert.equal(withCheck({ status: 'pass', partial: true, hint: 'x' }), false, 'a partial pass is unknown');
  assert.equal(withCheck({ status: 'unknown', partial: true, hint: 'x' }), false);
  assert.equal(withCheck({ status: 'warn', partial: true, hint: undefined }), false, 'partial names the missing source in hint');
  assert.equal(withCheck({ status: 'warn', partial: false, hint: 'x' }), false, 'partial is true or absent');
});

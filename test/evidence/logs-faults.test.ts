// Log evidence when Log Analytics cannot answer in full: a workspace with no data (204), a host with no workspace,
// a partial error, a failed query, and a 429 storm. Only the affected families become unknown, with the reason;
// nothing is reported as pass that was not seen; throttling makes the sweep finish later, not greener.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceChecks } from '../../shared/checks/resource';
import { scriptChecks } from '../../shared/checks/script';
import { flowDeniedCheck } from '../../shared/checks/network/flow-denied';
import { gatherLogEvidence, NO_WORKSPACE_HINT } from '../../shared/evidence/logs';
import { LOG_FAMILIES, type LogEvidence, type LogFamily } from '../../shared/evidence/log-types';
import type { HostEvidence } from '../../shared/evidence/types';
import type { CheckStatus, HostRecord } from '../../shared/model';
import { loadSettings } from '../../shared/config';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, type RunningSandbox } from '../support/sandbox';
import { evidenceContext, logQueries, startContoso } from './logs-support';

const settings = loadSettings({});
const LOG_CHECKS = [...resourceChecks.filter((c) => c.id !== 'resource.compute-state' && c.id !== 'resource.vm-size'), ...scriptChecks, flowDeniedCheck];
const FAST_RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 };

let sandbox: RunningSandbox;
let hosts: HostRecord[];
let research: string;

before(async () => {
  ({ sandbox, hosts } = await startContoso());
  research = hosts.find((h) => h.name === 'ci-private')?.logAnalyticsWorkspaceId ?? '';
  assert.ok(research);
});
after(() => sandbox.close());

function withTenant(change: (t: Tenant) => void): void {
  const t = loadTenant('contoso');
  change(t);
  sandbox.setTenant(t);
  sandbox.clearRequests();
}

function statuses(h: HostRecord, logs: LogEvidence): Record<string, CheckStatus> {
  const ev: HostEvidence = { host: h, vmSize: { ok: false, reason: 'not read here' }, network: { ok: false, reason: 'not read here' }, logs };
  return Object.fromEntries(LOG_CHECKS.filter((c) => c.appliesTo.includes(h.kind)).map((c) => [c.id, c.run(ev, settings).status]));
}

function unreadable(logs: LogEvidence): LogFamily[] {
  return LOG_FAMILIES.filter((f) => !logs[f].ok);
}

test('a workspace with no data (204): its hosts\' log families are unknown with the reason; other workspaces unaffected', async () => {
  withTenant((t) => {
    const ws = Object.keys(t.logAnalytics ?? {}).find((k) => k.toLowerCase() === research.toLowerCase()) as string;
    (t.logAnalytics as NonNullable<Tenant['logAnalytics']>)[ws].tables = {};
  });
  const azure = azureContextFor(sandbox);
  const ctx = evidenceContext(sandbox, azure);
  const logs = await gatherLogEvidence(hosts, ctx);
  assert.ok(logQueries(sandbox).some((q) => q.status === 204));
  const ciPrivate = hosts.find((h) => h.name === 'ci-private') as HostRecord;
  for (const f of ['launch', 'kernel', 'metrics', 'flows'] as const) {
    const g = logs.get(ciPrivate.id)?.[f];
    assert.equal(g?.ok, false, f);
    assert.match(g?.ok === false ? g.reason : '', /holds no data \(204/, f);
  }
  const s = statuses(ciPrivate, logs.get(ciPrivate.id) as LogEvidence);
  for (const [id, status] of Object.entries(s)) assert.equal(status, 'unknown', id);
  assert.equal(statuses(hosts.find((h) => h.name === 'ci-ok') as HostRecord, logs.get(hosts.find((h) => h.name === 'ci-ok')?.id as string) as LogEvidence)['script.not-running'], 'pass');
});

test('a host without a Log Analytics workspace: every family unknown with how to enable it, and no query for it', async () => {
  withTenant(() => {});
  const azure = azureContextFor(sandbox);
  const lone = { ...(hosts.find((h) => h.name === 'ci-ok') as HostRecord), logAnalyticsWorkspaceId: null };
  const logs = await gatherLogEvidence([lone], evidenceContext(sandbox, azure));
  for (const f of LOG_FAMILIES) {
    const g = logs.get(lone.id)?.[f];
    assert.equal(g?.ok, false);
    assert.equal(g?.ok === false ? g.hint : '', NO_WORKSPACE_HINT);
  }
  assert.equal(logQueries(sandbox).length, 0);
  assert.match(NO_WORKSPACE_HINT, /tbmon-log-analytics/);
  assert.match(NO_WORKSPACE_HINT, /TBMON_LOG_ANALYTICS_WORKSPACE_ID/);
  assert.match(NO_WORKSPACE_HINT, /diagnostic setting/);
});

test('a partial error makes exactly one family unknown, with the reason, for that workspace\'s hosts only', async () => {
  withTenant((t) => {
    t.faults = [{ path: `/v1/workspaces/${research}/query`, body: 'partial-error', times: 1 }];
  });
  const azure = azureContextFor(sandbox);
  const ctx = evidenceContext(sandbox, azure);
  const logs = await gatherLogEvidence(hosts, ctx, { retry: FAST_RETRY });
  const ciPrivate = logs.get(hosts.find((h) => h.name === 'ci-private')?.id as string) as LogEvidence;
  const bad = unreadable(ciPrivate).filter((f) => f !== 'cluster' && f !== 'flows');
  const partial = LOG_FAMILIES.filter((f) => !ciPrivate[f].ok && /partial result/.test((ciPrivate[f] as { reason: string }).reason));
  assert.equal(partial.length, 1, `partial families: ${partial.join(',')}; unreadable: ${bad.join(',')}`);
  assert.ok(ctx.errors.some((e) => e.code === 'PartialError'));
  const ciOk = logs.get(hosts.find((h) => h.name === 'ci-ok')?.id as string) as LogEvidence;
  for (const f of unreadable(ciOk)) assert.doesNotMatch((ciOk[f] as { reason: string }).reason, /partial/, `ci-ok ${f}`);
  assert.ok(ciOk.launch.ok && ciOk.kernel.ok && ciOk.metrics.ok);
});

test('a failed query makes exactly one family unknown, records a run error, and leaves the rest', async () => {
  withTenant((t) => {
    t.faults = [{ path: `/v1/workspaces/${research}/query`, status: 500, times: 1 }];
  });
  const azure = azureContextFor(sandbox, { retry: { maxRetries: 0 } });
  const ctx = evidenceContext(sandbox, azure);
  const logs = await gatherLogEvidence(hosts, ctx, { retry: FAST_RETRY });
  const ciPrivate = logs.get(hosts.find((h) => h.name === 'ci-private')?.id as string) as LogEvidence;
  const failed = LOG_FAMILIES.filter((f) => !ciPrivate[f].ok && /HTTP 500/.test((ciPrivate[f] as { reason: string }).reason));
  assert.equal(failed.length, 1);
  assert.equal(ctx.errors.filter((e) => /HTTP 500/.test(e.message)).length, 1);
  assert.equal(ctx.errors[0].scope.toLowerCase(), research.toLowerCase());
});

test('a 429 storm with Retry-After: the gather waits and finishes with the same findings', async () => {
  withTenant(() => {});
  const azure = azureContextFor(sandbox);
  const clean = await gatherLogEvidence(hosts, evidenceContext(sandbox, azure));
  withTenant((t) => {
    t.faults = [{ path: '/v1/workspaces/*/query', status: 429, headers: { 'Retry-After': '1' }, times: 4 }];
  });
  const started = Date.now();
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox));
  const stormy = await gatherLogEvidence(hosts, ctx);
  const elapsed = Date.now() - started;
  assert.ok(logQueries(sandbox).filter((q) => q.status === 429).length === 4);
  assert.ok(elapsed >= 1000, `finished after ${elapsed} ms: Retry-After honoured`);
  assert.deepEqual(ctx.errors, []);
  for (const h of hosts) assert.deepEqual(statuses(h, stormy.get(h.id) as LogEvidence), statuses(h, clean.get(h.id) as LogEvidence), h.name);
});

test('429 without end: nothing is reported as pass that was not seen', async () => {
  withTenant((t) => {
    t.faults = [{ path: '/v1/workspaces/*/query', status: 429, headers: { 'Retry-After': '0' } }];
  });
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox, { retry: { maxRetries: 0 } }));
  const logs = await gatherLogEvidence(hosts, ctx, { retry: FAST_RETRY });
  for (const h of hosts) {
    for (const [id, status] of Object.entries(statuses(h, logs.get(h.id) as LogEvidence))) {
      assert.ok(status === 'unknown' || status === 'skipped', `${h.name} ${id} is ${status}`);
    }
  }
  assert.ok(ctx.errors.length > 0);
  assert.ok(ctx.errors.every((e) => /HTTP 429/.test(e.message)));
});

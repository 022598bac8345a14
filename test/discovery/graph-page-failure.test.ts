// A Resource Graph page that fails after the SDK's retries costs only its subscriptions: the page is asked again,
// then the scope is split (scope `all` into the subscriptions ARM lists, a group into halves) and read on; what
// stays unreadable is recorded as failed subscriptions (they keep their last state, no gone notices) — the whole
// tenant no longer goes unevaluated for a cycle. Sandbox (contoso: 2 subscriptions, 11 hosts), real SDK clients.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../shared/config';
import { discoverHosts, type DiscoveryProgress } from '../../shared/discovery/discover';
import type { RunError } from '../../shared/model';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const SUB1 = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
const SUB2 = '1b2c3d4e-0002-4a5b-8c9d-0e1f2a3b4c02';
const GRAPH = '/providers/Microsoft.ResourceGraph/resources';
/** Requests one try of a page makes with the tests' retry options (1 + 2 SDK retries). */
const PER_TRY = 3;

let sandbox: RunningSandbox;
let fullHosts: string[];
before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
  fullHosts = (await discover()).hosts;
});
after(() => sandbox.close());

async function discover(failures = 0) {
  const t = loadTenant('contoso');
  t.faults = failures ? [{ method: 'POST', path: GRAPH, status: 503, times: failures }] : [];
  sandbox.setTenant(t);
  sandbox.clearRequests();
  const errors: RunError[] = [];
  const progress: DiscoveryProgress[] = [];
  const r = await discoverHosts({ azure: azureContextFor(sandbox), settings: loadSettings({}), errors, now: new Date() }, { onProgress: (p) => progress.push(p) });
  return { ...r, hosts: r.hosts.map((h) => h.id.toLowerCase()).sort(), errors, progress, requests: sandbox.requests() };
}

test('a page that fails once more than the SDK retries is asked again: nothing lost, nothing split', async () => {
  const r = await discover(PER_TRY + 1);
  assert.deepEqual(r.hosts, fullHosts);
  assert.equal(r.complete, true);
  assert.deepEqual(r.errors, []);
  assert.ok(r.progress.some((p) => p.phase === 'wait' && p.wait.reason === 'retry'));
  assert.ok(!r.progress.some((p) => p.phase === 'graph-split'));
});

test('scope all: a page that keeps failing splits the tenant into its subscriptions and reads on — complete, every host once', async () => {
  const r = await discover(3 * PER_TRY);
  assert.ok(r.progress.some((p) => p.phase === 'graph-split'), 'the scope was split');
  assert.ok(r.requests.some((q) => q.api === 'arm' && q.path === '/subscriptions'), 'the subscriptions came from ARM');
  assert.deepEqual(r.hosts, fullHosts, 'every host, none twice');
  assert.equal(r.complete, true);
  assert.deepEqual(r.subscriptionsRead, [SUB1, SUB2]);
  assert.deepEqual(r.errors, []);
});

test('a scope that stays unreadable: each subscription recorded unread with the reason, none of its hosts made up', async () => {
  const r = await discover(10_000);
  assert.deepEqual(r.hosts, []);
  assert.equal(r.complete, false);
  assert.deepEqual(r.subscriptionsFailed, [SUB1, SUB2], 'the unread subscriptions are named (the sweep keeps their hosts\' state)');
  assert.deepEqual(r.subscriptionsRead, []);
  assert.deepEqual(r.errors.map((e) => [e.scope, e.code]), [[`subscriptions:${SUB1}`, 'ResourceGraphFailed'], [`subscriptions:${SUB2}`, 'ResourceGraphFailed']]);
});

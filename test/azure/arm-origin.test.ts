// The raw ARM helpers attach the ARM bearer token to every request they send, so they send only to the ARM endpoint:
// a nextLink (or a path built from data) that points anywhere else is refused before the token leaves.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeSelfSignedCert } from '../../sandbox/tls';
import { ArmError, AzureContext, StaticTokenCredential } from '../../shared/azure';
import { loadSettings } from '../../shared/config';
import { azureFromSettings, sandboxEndpointFromFiles } from '../../shared/runtime';
import { withSandbox } from '../support/sandbox';

const RETRY = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 };

interface Seen { url: string; authorization: string | undefined }

async function serve(tls: { key: string; cert: string }, answer: (path: string) => unknown): Promise<{ base: string; seen: Seen[]; server: https.Server }> {
  const seen: Seen[] = [];
  const server = https.createServer(tls, (req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req.url ?? '')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('ARM token goes to the ARM endpoint only', () => {
  let tls: { key: string; cert: string };
  let arm: Awaited<ReturnType<typeof serve>>;
  let other: Awaited<ReturnType<typeof serve>>;
  let ctx: AzureContext;

  before(async () => {
    tls = await makeSelfSignedCert();
    other = await serve(tls, () => ({ value: ['stolen'] }));
    arm = await serve(tls, (p) => {
      if (p.startsWith('/subscriptions/s1/foreign')) return { value: ['a'], nextLink: `${other.base}/subscriptions/s1/foreign?page=2&api-version=1` };
      if (p.startsWith('/subscriptions/s1/own') && !p.includes('page=2')) return { value: ['a'], nextLink: `${arm.base}/subscriptions/s1/own?page=2&api-version=1` };
      return { value: ['b'] };
    });
    ctx = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: arm.base, logAnalyticsEndpoint: `${arm.base}/v1`, caCert: tls.cert, retry: RETRY });
  });
  after(() => {
    arm.server.close();
    other.server.close();
  });

  it('a nextLink on the ARM endpoint is followed with the token', async () => {
    const pages: unknown[][] = [];
    for await (const page of ctx.armListPages<unknown>('/subscriptions/s1/own', '1')) pages.push(page);
    assert.deepEqual(pages, [['a'], ['b']]);
    assert.ok(arm.seen.every((s) => s.authorization?.startsWith('Bearer ')));
  });

  it('a nextLink on another origin is refused, and nothing reaches it', async () => {
    const pages: unknown[][] = [];
    await assert.rejects(async () => {
      for await (const page of ctx.armListPages<unknown>('/subscriptions/s1/foreign', '1')) pages.push(page);
    }, (e: unknown) => e instanceof ArmError && e.code === 'ForeignUrl' && !e.message.includes('api-version'));
    assert.deepEqual(pages, [['a']]);
    assert.deepEqual(other.seen, []);
  });

  it('a path that turns the ARM endpoint into userinfo (…@host) or names another scheme is refused', async () => {
    const port = new URL(other.base).port;
    for (const path of [`@127.0.0.1:${port}/subscriptions/s1`, `http://127.0.0.1:${port}/subscriptions/s1`, `${other.base}/subscriptions/s1`]) {
      await assert.rejects(ctx.armGet(path, '1'), (e: unknown) => e instanceof ArmError && e.code === 'ForeignUrl', path);
    }
    assert.deepEqual(other.seen, []);
  });
});

it('--sandbox-url https://localhost:PORT: the sandbox answers with 127.0.0.1 nextLinks, which are still its own', async () => {
  const SUB = '11111111-1111-1111-1111-111111111111';
  const resources = Array.from({ length: 120 }, (_, i) => ({
    id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-${i}`, name: `nsg-${i}`,
    type: 'Microsoft.Network/networkSecurityGroups', location: 'eastus2', properties: { securityRules: [], defaultSecurityRules: [] },
  }));
  await withSandbox({ now: '2026-11-26T06:00:00Z', subscriptions: [{ subscriptionId: SUB }], resources }, async (sandbox) => {
    const endpoint = sandboxEndpointFromFiles(sandbox.baseUrl.replace('127.0.0.1', 'localhost'), sandbox.caCertPath);
    const azure = azureFromSettings(loadSettings({}), { sandbox: endpoint, retry: RETRY });
    let n = 0;
    for await (const page of azure.armListPages(`/subscriptions/${SUB}/providers/Microsoft.Network/networkSecurityGroups`, '2024-05-01')) n += page.length;
    assert.equal(n, 120);
  });
});

// ARM clients are kept per context only for the subscriptions used last: one per subscription for the whole run made
// the heap grow with the fleet (a client is ~14 KB; 1,000 subscriptions, 14 MB).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AzureContext, StaticTokenCredential } from '../../shared/azure';

const sub = (i: number) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;

test('ML clients: the same client while its subscription is in use, and only the last few kept', () => {
  const azure = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: 'https://127.0.0.1:9', logAnalyticsEndpoint: 'https://127.0.0.1:9/v1' });
  const first = azure.ml(sub(0));
  assert.equal(azure.ml(sub(0)), first);
  for (let i = 1; i < 1_000; i++) azure.ml(sub(i));
  const kept = (azure as unknown as { mlClients: Map<string, unknown> }).mlClients;
  assert.ok(kept.size <= 16, `${kept.size} ML clients kept for 1,000 subscriptions`);
  assert.ok(kept.has(sub(999)));
  assert.notEqual(azure.ml(sub(0)), first, 'a client not used for a while is built again');
  const recent = azure.ml(sub(998));
  assert.equal(azure.ml(sub(998)), recent);
  assert.equal(azure.ml(sub(998)).subscriptionId, sub(998));
});

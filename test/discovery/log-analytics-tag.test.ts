// The `tbmon-log-analytics` tag is anyone-with-Contributor's text: as an ARM id it becomes an ARM GET, so only a
// plain Log Analytics workspace id qualifies — no query, fragment, escapes or dot segments steering the request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AzureContext, StaticTokenCredential } from '../../shared/azure';
import { LogAnalyticsResolver } from '../../shared/discovery/log-analytics';
import type { RunError } from '../../shared/model';

const WS = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ml/providers/Microsoft.OperationalInsights/workspaces/la-ml';

test('a tag that is not a plain workspace ARM id is refused without an ARM request', async () => {
  const azure = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: 'https://127.0.0.1:9', logAnalyticsEndpoint: 'https://127.0.0.1:9/v1', retry: { maxRetries: 0 } });
  for (const value of [
    `${WS}?api-version=2015-01-01&$expand=x`,
    `${WS}#fragment`,
    '/subscriptions/../resourceGroups/../providers/Microsoft.OperationalInsights/workspaces/..',
    '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/%2e%2e',
    '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/./providers/Microsoft.OperationalInsights/workspaces/la',
  ]) {
    const errors: RunError[] = [];
    const resolver = new LogAnalyticsResolver(azure, errors, { defaultWorkspaceId: null });
    assert.equal(await resolver.fromTag(value, '/subscriptions/s/host'), null, value);
    assert.deepEqual(errors.map((e) => e.code), ['InvalidLogAnalyticsTag'], value);
  }
  assert.equal(azure.counter.snapshot().arm, 0);
});

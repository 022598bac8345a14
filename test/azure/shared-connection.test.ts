// Every client of one AzureContext — the ML client of each subscription, Resource Graph, the raw ARM requests —
// shares one HTTP client and so one keep-alive agent: requests to ARM reuse one TLS connection instead of each
// subscription's client opening and keeping its own (1,000 subscriptions: 1,000 handshakes and the native memory
// of 1,000 idle connections).
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { makeSelfSignedCert } from '../../sandbox/tls';
import { AzureContext, StaticTokenCredential } from '../../shared/azure';

test('ten subscriptions\' ML clients, Resource Graph and raw ARM requests: one TLS connection', async () => {
  const tls = await makeSelfSignedCert();
  let connections = 0;
  let requests = 0;
  const server = https.createServer(tls, (req, res) => {
    requests++;
    req.resume();
    const body = req.url?.includes('Microsoft.ResourceGraph') ? { totalRecords: 0, count: 0, data: [], resultTruncated: 'false' } : { value: [] };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.on('secureConnection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const azure = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: base, logAnalyticsEndpoint: base, caCert: tls.cert });
    for (let i = 0; i < 10; i++) {
      const sub = `00000000-0000-0000-0000-0000000000${String(i).padStart(2, '0')}`;
      for await (const job of azure.ml(sub).jobs.list('rg', 'ws')) assert.fail(`no job expected: ${JSON.stringify(job)}`);
      await azure.armRequest('GET', `/subscriptions/${sub}/resourceGroups/rg`, '2022-09-01');
    }
    await azure.resourceGraph().resources({ query: 'resources | take 1' });
    assert.equal(requests, 21);
    assert.equal(connections, 1, `${connections} TLS connections for ${requests} requests`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

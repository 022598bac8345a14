// The dev host's HTTP trigger: routes under /api, function/admin keys (header or ?code=), 405, 413, params, and the
// handler's HttpResponseInit written back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponse } from '@azure/functions';
import type { HttpRegistration } from '../../functions/registration';
import { startDevHost, type DevHost } from '../../devhost/host';

const keys = { functionKeys: { echo: 'echo-function-key' }, hostKey: 'the-host-key', masterKey: 'the-master-key' };

const registrations: HttpRegistration[] = [
  {
    name: 'echo',
    trigger: { type: 'http', methods: ['GET', 'POST'], authLevel: 'function', route: 'echo/{id?}' },
    handler: async (req) => ({
      status: 201,
      headers: { 'x-echo': 'yes' },
      jsonBody: { method: req.method, id: req.params.id ?? null, q: req.query.get('q'), body: req.method === 'POST' ? await req.text() : null },
    }),
  },
  { name: 'open', trigger: { type: 'http', methods: ['GET'], authLevel: 'anonymous' }, handler: () => new HttpResponse({ body: 'open', headers: { 'content-type': 'text/plain' } }) },
  { name: 'admin', trigger: { type: 'http', methods: ['GET'], authLevel: 'admin', route: 'admin/things' }, handler: () => ({ jsonBody: { ok: true } }) },
  { name: 'boom', trigger: { type: 'http', methods: ['GET'], authLevel: 'anonymous' }, handler: () => { throw new Error('handler exploded'); } },
];

let host: DevHost;
let base: string;
const lines: string[] = [];

before(async () => {
  host = await startDevHost({ registrations, http: { keys, maxBodyBytes: 1024 }, log: (l) => lines.push(l) });
  base = `${host.httpUrl}/api`;
});
after(() => host.stop());

const table: { what: string; path: string; init?: RequestInit; status: number }[] = [
  { what: 'no key', path: '/echo', status: 401 },
  { what: 'wrong key in header', path: '/echo', init: { headers: { 'x-functions-key': 'nope' } }, status: 401 },
  { what: 'wrong key in query', path: '/echo?code=nope', status: 401 },
  { what: 'another function\'s key shape (empty)', path: '/echo?code=', status: 401 },
  { what: 'function key in header', path: '/echo', init: { headers: { 'x-functions-key': 'echo-function-key' } }, status: 201 },
  { what: 'function key in query', path: '/echo?code=echo-function-key', status: 201 },
  { what: 'host key', path: '/echo?code=the-host-key', status: 201 },
  { what: 'master key', path: '/echo?code=the-master-key', status: 201 },
  { what: 'anonymous needs no key', path: '/open', status: 200 },
  { what: 'admin refuses the host key', path: '/admin/things?code=the-host-key', status: 401 },
  { what: 'admin takes the master key', path: '/admin/things', init: { headers: { 'x-functions-key': 'the-master-key' } }, status: 200 },
  { what: 'method not allowed', path: '/echo?code=the-host-key', init: { method: 'PUT' }, status: 405 },
  { what: 'unknown route', path: '/nothing-here', status: 404 },
  { what: 'outside /api', path: '/../open', status: 404 },
  { what: 'handler throws', path: '/boom', status: 500 },
];

for (const c of table) {
  test(`HTTP: ${c.what} → ${c.status}`, async () => {
    const res = await fetch(`${base}${c.path}`, c.init);
    await res.arrayBuffer();
    assert.equal(res.status, c.status);
  });
}

test('HTTP: the response init is written back (status, headers, jsonBody) with route params and query', async () => {
  const res = await fetch(`${base}/echo/abc?q=hello&code=echo-function-key`, { method: 'POST', body: 'payload' });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-echo'), 'yes');
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await res.json(), { method: 'POST', id: 'abc', q: 'hello', body: 'payload' });
});

test('HTTP: 405 says which methods the route takes', async () => {
  const res = await fetch(`${base}/echo?code=the-host-key`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, POST');
});

test('HTTP: an HttpResponse instance is written back too', async () => {
  const res = await fetch(`${base}/open`);
  assert.equal(await res.text(), 'open');
  assert.equal(res.headers.get('content-type'), 'text/plain');
});

test('HTTP: a body over the limit is refused with 413 (declared length and streamed)', async () => {
  const big = 'x'.repeat(2048);
  const declared = await fetch(`${base}/echo?code=the-host-key`, { method: 'POST', body: big });
  assert.equal(declared.status, 413);
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(512)));
      controller.close();
    },
  });
  const chunked = await fetch(`${base}/echo?code=the-host-key`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.equal(chunked.status, 413);
  const ok = await fetch(`${base}/echo?code=the-host-key`, { method: 'POST', body: 'z'.repeat(1024) });
  assert.equal(ok.status, 201, 'exactly the limit is accepted');
});

test('HTTP: generated keys when none are given, one per function-level function', async () => {
  const h = await startDevHost({ registrations: registrations.slice(0, 1), log: () => undefined });
  try {
    const k = h.keys;
    assert.ok(k && k.functionKeys.echo.length >= 32 && k.hostKey.length >= 32 && k.masterKey !== k.hostKey);
    assert.equal((await fetch(`${h.httpUrl}/api/echo`)).status, 401);
    assert.equal((await fetch(`${h.httpUrl}/api/echo?code=${encodeURIComponent(k.functionKeys.echo)}`)).status, 201);
  } finally {
    await h.stop();
  }
});

test('HTTP: keys never reach the log', () => {
  assert.ok(lines.length > 0);
  assert.ok(!lines.some((l) => /the-host-key|the-master-key|echo-function-key/.test(l)), lines.join('\n'));
});

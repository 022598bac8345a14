// The dev host against malformed and slow clients, as the Functions host (Kestrel) treats them: a malformed
// percent-escape in the path is 400 — before authentication, and never a 500 — and a client that sends its headers
// or its body too slowly is cut off (headers within the RequestHeadersTimeout; a body at the MinRequestBodyDataRate
// after its grace), instead of holding a connection open for minutes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { HttpRegistration } from '../../functions/registration';
import { startDevHost, type DevHost } from '../../devhost/host';

const registrations: HttpRegistration[] = [
  { name: 'check', trigger: { type: 'http', methods: ['GET', 'POST'], authLevel: 'function', route: 'check/{id?}' }, handler: async (req) => ({ status: 200, body: req.method === 'POST' ? await req.text() : 'ok' }) },
];
let host: DevHost;
let port: number;
const lines: string[] = [];

before(async () => {
  host = await startDevHost({
    registrations, log: (l) => lines.push(l),
    http: { keys: { functionKeys: { check: 'k' }, hostKey: 'h', masterKey: 'm' }, headersTimeoutMs: 1000, bodyGraceMs: 500, minBodyBytesPerSecond: 240 },
  });
  port = Number(new URL(host.httpUrl ?? '').port);
});
after(() => host.stop());

/** Writes `parts` with `gapMs` between them; resolves with the status line the server answered (or 'closed'). */
function raw(parts: string[], gapMs = 0): Promise<{ status: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => { got += d.toString(); });
    s.on('close', () => resolve({ status: /^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 'closed', ms: Date.now() - t0 }));
    s.on('error', () => undefined);
    let i = 0;
    const next = () => {
      if (i >= parts.length || s.destroyed) return;
      s.write(parts[i++]);
      setTimeout(next, gapMs);
    };
    next();
    setTimeout(() => s.destroy(), 10_000);
  });
}

for (const path of ['/api/%ZZ', '/api/check%E0%A4', '/api/check/%', '/api/check/%C3%28?code=k']) {
  test(`a malformed percent-escape (${path}) is 400, not 500, and asks for no key`, async () => {
    const { status } = await raw([`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`]);
    assert.equal(status, '400');
    assert.ok(!lines.some((l) => /failed before the handler ran/.test(l)), lines.join('\n'));
  });
}

test('a well-formed escape still routes (/api/check/ci%2D1 → 200)', async () => {
  const { status } = await raw(['GET /api/check/ci%2D1?code=k HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n']);
  assert.equal(status, '200');
});

test('headers that never finish are cut off at the headers timeout', async () => {
  const { status, ms } = await raw(['GET /api/check?code=k HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n', 'X-Slow: 1\r\n', 'X-Slow: 2\r\n', 'X-Slow: 3\r\n'], 600);
  assert.ok(ms < 4000, `closed after ${ms} ms`);
  assert.ok(status === '408' || status === 'closed', status);
});

test('a body that stalls is answered 408 after the grace period, not held open', async () => {
  const head = 'POST /api/check?code=k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nConnection: close\r\n\r\n';
  const { status, ms } = await raw([head, 'x'], 10_000);
  assert.equal(status, '408');
  assert.ok(ms < 4000, `answered after ${ms} ms`);
});

test('a body at a normal pace is read whole', async () => {
  const head = 'POST /api/check?code=k HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\n';
  const { status } = await raw([head, '01234', '56789'], 100);
  assert.equal(status, '200');
});

// The loopback guard against the ways around it: a connection whose `lookup` option resolves a loopback-looking name
// to another address, DNS queries that go to the configured nameserver (resolve*, reverse, a Resolver of one's own)
// and reverse lookups of other addresses — and the paths that were already closed (fetch, http2, tls, dgram), so
// they stay closed.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dns from 'node:dns';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { describe, it } from 'node:test';

// Loaded here too, so this file tests the guard even when run without --require.
require('../../scripts/loopback-guard.cjs');

const OUTSIDE = '10.255.255.1';

/** The error code a socket ends with, or what happened instead (bounded: a packet that left may get no answer). */
function outcome(start: (done: (v: string) => void) => { destroy(): void } | void): Promise<string> {
  return new Promise((resolve) => {
    let settled = false;
    const held: { handle?: { destroy(): void } | void } = {};
    const done = (v: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      held.handle?.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done('no answer (a packet left)'), 3000);
    held.handle = start(done);
  });
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);

describe('loopback guard: no way around it', () => {
  it('net.connect with a lookup option that resolves to another address is refused', async () => {
    const lookup = ((_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => {
      if (o?.all) cb(null, [{ address: OUTSIDE, family: 4 }]);
      else cb(null, OUTSIDE, 4);
    }) as unknown as net.LookupFunction;
    for (const autoSelectFamily of [true, false]) {
      const got = await outcome((done) => {
        const s = net.connect({ host: 'localhost', port: 447, lookup, autoSelectFamily });
        s.once('connect', () => done('connected'));
        s.once('error', (e) => done(codeOf(e)));
        return s;
      });
      assert.equal(got, 'ELOOPBACKGUARD', `autoSelectFamily ${autoSelectFamily}`);
    }
  });

  it('a lookup option that resolves to loopback still connects', async () => {
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const lookup = ((_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => {
        if (o?.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      }) as unknown as net.LookupFunction;
      const got = await outcome((done) => {
        const s = net.connect({ host: 'tbmon.test', port, lookup });
        s.once('connect', () => done('connected'));
        s.once('error', (e) => done(codeOf(e)));
        return s;
      });
      assert.equal(got, 'connected');
    } finally {
      server.close();
    }
  });

  it('DNS queries (resolve*, reverse, own Resolvers) never reach a non-loopback nameserver', async () => {
    const servers = dns.getServers();
    const saved = servers.slice();
    dns.setServers(['10.255.255.53']);
    try {
      await assert.rejects(dns.promises.resolve4('management.azure.com'), (e) => codeOf(e) === 'ELOOPBACKGUARD');
      await assert.rejects(dns.promises.resolve('management.azure.com', 'TXT'), (e) => codeOf(e) === 'ELOOPBACKGUARD');
      await assert.rejects(dns.promises.reverse('10.1.2.3'), (e) => codeOf(e) === 'ELOOPBACKGUARD');
      const viaCallback = await new Promise<string>((r) => dns.resolve6('login.microsoftonline.com', (e) => r(e ? codeOf(e) : 'answered')));
      assert.equal(viaCallback, 'ELOOPBACKGUARD');
      const own = new dns.promises.Resolver();
      own.setServers(['10.255.255.53']);
      await assert.rejects(own.resolveAny('management.azure.com'), (e) => codeOf(e) === 'ELOOPBACKGUARD');
      const ownCb = new dns.Resolver();
      ownCb.setServers(['8.8.8.8']);
      assert.equal(await new Promise<string>((r) => ownCb.resolveMx('contoso.com', (e) => r(e ? codeOf(e) : 'answered'))), 'ELOOPBACKGUARD');
      await assert.rejects(dns.promises.lookupService(OUTSIDE, 22), (e) => codeOf(e) === 'ELOOPBACKGUARD');
    } finally {
      dns.setServers(saved);
    }
  });

  it('fetch, http2, tls (servername is not where it connects) and dgram are refused', async () => {
    const viaFetch = await fetch(`http://${OUTSIDE}:81/`, { signal: AbortSignal.timeout(3000) }).then(() => 'answered', (e: Error) => codeOf((e as { cause?: unknown }).cause ?? e));
    assert.equal(viaFetch, 'ELOOPBACKGUARD');
    assert.equal(await outcome((done) => {
      const s = http2.connect(`https://${OUTSIDE}:444`);
      s.once('connect', () => done('connected'));
      s.once('error', (e) => done(codeOf(e)));
      return s;
    }), 'ELOOPBACKGUARD');
    assert.equal(await outcome((done) => {
      const s = tls.connect({ host: OUTSIDE, port: 445, servername: 'localhost' });
      s.once('secureConnect', () => done('connected'));
      s.once('error', (e) => done(codeOf(e)));
      return s;
    }), 'ELOOPBACKGUARD');
    assert.equal(await outcome((done) => {
      const s = dgram.createSocket('udp4');
      s.once('error', (e) => done(codeOf(e)));
      s.bind(0, '127.0.0.1', () => s.send(Buffer.from('x'), 9, OUTSIDE, (e) => done(e ? codeOf(e) : 'sent')));
      return { destroy: () => { try { s.close(); } catch { /* closed */ } } };
    }), 'ELOOPBACKGUARD');
  });
});

// Nothing leaves the machine: the sandbox listens on 127.0.0.1 only, the loopback guard refuses any other address
// before a packet leaves, and the standalone CLI announces itself with one JSON line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { makeSelfSignedCert } from '../../sandbox/tls';
import { sandboxRequest, withSandbox } from '../support/sandbox';

// Loaded here too, so this file tests the guard even when run without --require.
require('../../scripts/loopback-guard.cjs');

const root = path.resolve(__dirname, '..', '..');
const tenant = { now: '2026-11-26T06:00:00Z', subscriptions: [{ subscriptionId: 's1' }], resources: [], teams: { channels: ['ml-alerts'] } };

function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('isolation', () => {
  it('the sandbox binds 127.0.0.1 only: other loopback addresses are refused', async () => {
    await withSandbox(tenant, async (sandbox) => {
      const port = Number(new URL(sandbox.baseUrl).port);
      assert.equal(new URL(sandbox.baseUrl).hostname, '127.0.0.1');
      assert.equal(await connectOutcome('127.0.0.1', port), 'connected');
      // Bound to 0.0.0.0 or :: these would connect.
      assert.equal(await connectOutcome('127.0.0.2', port), 'ECONNREFUSED');
      assert.equal(await connectOutcome('::1', port), 'ECONNREFUSED');
    });
  });

  it('the loopback guard refuses a non-loopback connection and DNS lookup before anything is sent', async () => {
    assert.equal(await connectOutcome('10.20.30.40', 443), 'ELOOPBACKGUARD');
    assert.equal(await connectOutcome('management.azure.com', 443), 'ELOOPBACKGUARD');
    await assert.rejects(dns.promises.lookup('management.azure.com'), (e: NodeJS.ErrnoException) => e.code === 'ELOOPBACKGUARD');
    const viaCallback = await new Promise<string | undefined>((resolve) => dns.lookup('login.microsoftonline.com', (e) => resolve((e as NodeJS.ErrnoException | null)?.code)));
    assert.equal(viaCallback, 'ELOOPBACKGUARD');
  });

  it('TBMON_SANDBOX_TLS_KEY/CERT: a runner-made certificate is served and its file is the CA path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-tls-'));
    const { key, cert } = await makeSelfSignedCert();
    fs.writeFileSync(path.join(dir, 'key.pem'), key);
    fs.writeFileSync(path.join(dir, 'cert.pem'), cert);
    const saved = { key: process.env.TBMON_SANDBOX_TLS_KEY, cert: process.env.TBMON_SANDBOX_TLS_CERT };
    process.env.TBMON_SANDBOX_TLS_KEY = path.join(dir, 'key.pem');
    process.env.TBMON_SANDBOX_TLS_CERT = path.join(dir, 'cert.pem');
    try {
      await withSandbox(tenant, async (sandbox) => {
        assert.equal(sandbox.caCertPath, path.join(dir, 'cert.pem'));
        assert.equal(sandbox.caCert, cert);
        assert.equal((await sandboxRequest(sandbox, 'GET', '/subscriptions/s1?api-version=2022-12-01')).status, 200);
      });
      assert.ok(fs.existsSync(path.join(dir, 'cert.pem')), 'a runner-owned certificate is left in place');
    } finally {
      for (const [k, v] of [['TBMON_SANDBOX_TLS_KEY', saved.key], ['TBMON_SANDBOX_TLS_CERT', saved.cert]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI prints one JSON line when ready, serves, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-cli-'));
    const file = path.join(dir, 'tenant.json');
    fs.writeFileSync(file, JSON.stringify(tenant));
    const child = spawn(process.execPath, ['--require', path.join(root, 'scripts', 'loopback-guard.cjs'), '--import', 'tsx', path.join(root, 'sandbox', 'cli.ts'), '--tenant', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
      });
      const ready = JSON.parse(line) as { baseUrl: string; caCertPath: string; armEndpoint: string; logAnalyticsEndpoint: string; acsConnectionString: string; teamsWebhooks: Record<string, string> };
      assert.match(ready.baseUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(ready.logAnalyticsEndpoint, `${ready.baseUrl}/v1`);
      assert.equal(ready.teamsWebhooks['ml-alerts'], `${ready.baseUrl}/teams/ml-alerts`);
      assert.match(ready.acsConnectionString, new RegExp(`^endpoint=${ready.baseUrl.replace(/\./g, '\\.')}/;accesskey=`));
      const res = await sandboxRequest({ baseUrl: ready.baseUrl, caCert: fs.readFileSync(ready.caCertPath, 'utf8') } as Parameters<typeof sandboxRequest>[0], 'GET', '/subscriptions?api-version=2022-12-01');
      assert.equal(res.status, 200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

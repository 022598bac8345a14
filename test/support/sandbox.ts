// Test helpers for the sandbox: start one in-process, build an AzureContext pointed at it, load a committed tenant.
import https from 'node:https';
import path from 'node:path';
import { NetworkManagementClient } from '@azure/arm-network';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { AzureContext, StaticTokenCredential, type AzureContextOptions } from '../../shared/azure';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox/server';
import { readTenantFile } from '../../sandbox/tenant';
import type { Tenant } from '../../sandbox/tenant-types';

export type { RunningSandbox } from '../../sandbox/server';

import { TEST_RETRY } from './env';

export { TEST_RETRY };

const TENANTS_DIR = path.resolve(__dirname, '..', '..', 'sandbox', 'tenants');

/** The sandbox back to `tenant` with its outbox and request log emptied: a clean start for the next test. */
export function resetSandbox(sandbox: RunningSandbox, tenant: Tenant): void {
  sandbox.setTenant(tenant);
  sandbox.clearOutbox();
  sandbox.clearRequests();
}

/** A copy of the tenant `ms` later: its clock and every log row's time move together, so the evidence stays fresh. */
export function shiftedTenant(tenant: Tenant, ms: number): Tenant {
  const t = structuredClone(tenant);
  const move = (iso: string) => new Date(Date.parse(iso) + ms).toISOString();
  t.now = move(t.now);
  for (const ws of Object.values(t.logAnalytics ?? {})) {
    for (const rows of Object.values(ws.tables)) for (const row of rows) for (const k of ['TimeGenerated', 'EventTime']) if (typeof row[k] === 'string') row[k] = move(row[k] as string);
  }
  return t;
}

/** A committed tenant from sandbox/tenants/<name>.json, freshly read (tests may change their copy). */
export function loadTenant(name: string): Tenant {
  return readTenantFile(path.join(TENANTS_DIR, `${name}.json`));
}

/** A started sandbox; the caller closes it (e.g. in `after`). */
export function startTestSandbox(tenant: Tenant, options: Omit<SandboxOptions, 'tenant'> = {}): Promise<RunningSandbox> {
  return startSandbox({ tenant, ...options });
}

/** Runs `fn` against a sandbox serving `tenant`, closing it afterwards whatever happens. */
export async function withSandbox<T>(tenant: Tenant, fn: (sandbox: RunningSandbox) => Promise<T>, options: Omit<SandboxOptions, 'tenant'> = {}): Promise<T> {
  const sandbox = await startSandbox({ tenant, ...options });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** An AzureContext whose every client talks to the sandbox, trusts its certificate, and retries quickly. */
export function azureContextFor(sandbox: RunningSandbox, overrides: Partial<AzureContextOptions> = {}): AzureContext {
  return new AzureContext({
    credential: new StaticTokenCredential(),
    armEndpoint: sandbox.armEndpoint,
    logAnalyticsEndpoint: sandbox.logAnalyticsEndpoint,
    caCert: sandbox.caCert,
    retry: TEST_RETRY,
    ...overrides,
  });
}

/** The Network SDK client on a context's endpoint, TLS trust and counting: tests read the sandbox through it (tbmon reads raw ARM JSON). */
export function networkClient(ctx: AzureContext, subscriptionId: string): NetworkManagementClient {
  return new NetworkManagementClient(ctx.options.credential, subscriptionId, ctx.clientOptions('arm', ctx.options.armEndpoint));
}

/** The Subscriptions SDK client on a context's endpoint: tests list the sandbox's subscriptions through it (tbmon lists them raw). */
export function subscriptionClient(ctx: AzureContext): SubscriptionClient {
  return new SubscriptionClient(ctx.options.credential, ctx.clientOptions('arm', ctx.options.armEndpoint));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

/** A plain HTTPS request to the sandbox (trusting its certificate): for control routes and wire-level assertions. */
export function sandboxRequest(sandbox: RunningSandbox, method: string, pathAndQuery: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sandbox.baseUrl}${pathAndQuery}`, { method, ca: sandbox.caCert, headers: { authorization: 'Bearer test', ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

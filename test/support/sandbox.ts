// Test helpers for the sandbox: start one in-process, build an AzureContext pointed at it, load a committed tenant.
import path from 'node:path';
import { AzureContext, StaticTokenCredential, type AzureContextOptions } from '../../shared/azure';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox/server';
import { readTenantFile } from '../../sandbox/tenant';
import type { Tenant } from '../../sandbox/tenant-types';

export type { RunningSandbox } from '../../sandbox/server';

/** Small retry delays so a test that meets a 429 or 503 stays fast. */
export const TEST_RETRY = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 };

const TENANTS_DIR = path.resolve(__dirname, '..', '..', 'sandbox', 'tenants');

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

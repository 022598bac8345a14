// The Functions app as the demo runs it — its own handlers (cli/app-functions.ts) on the dev host, with an in-process
// sandbox as "Azure" and Azurite as storage — for tests that speak HTTP to /api/check and /api/status.
// An app of HTTP functions that read tables only (check, status) shares the runner's Azurite with a table-name prefix
// of its own; one that also runs the queue functions (or health, which reads queue depths) gets an Azurite of its own,
// started with it and stopped when it closes, since the triggers name their queues (test files share processes).
import { appRegistrations, type AppFunctionName } from '../../cli/app-functions';
import { startAzurite } from '../../devhost/azurite';
import { startDevHost, type DevHost } from '../../devhost/host';
import type { HttpHostOptions } from '../../devhost/http';
import { appEnvironment, type AppEnvironment } from '../../shared/app';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString, uniqueName } from './env';
import { startTestSandbox, TEST_RETRY, type RunningSandbox } from './sandbox';

export interface TestApp {
  sandbox: RunningSandbox;
  app: AppEnvironment;
  host: DevHost;
  /** The tenant's clock: the app evaluates at this instant. */
  now: Date;
  /** `${httpUrl}/api/<fn>` with the query given (without the key). */
  url(fn: 'check' | 'status' | 'health', query?: Record<string, string>): string;
  /** The function key of `fn`. */
  key(fn: 'check' | 'status' | 'health'): string;
  lines: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  tenant: Tenant;
  /** App settings over the defaults (storage, ACS and Teams of the sandbox, TBMON_SCOPE=all). */
  env?: Record<string, string | undefined>;
  functions?: readonly AppFunctionName[];
  http?: HttpHostOptions;
  /** The app's clock (default: the tenant's `now`, fixed); tests that run several sweeps move it forward. */
  clock?: () => Date;
  /** Export metrics to the sandbox's Application Insights ingestion endpoint (APPLICATIONINSIGHTS_CONNECTION_STRING). */
  appInsights?: boolean;
}

/** Functions whose storage is tables alone: their app can share an Azurite behind a table prefix. */
const TABLES_ONLY: ReadonlySet<AppFunctionName> = new Set(['check', 'status']);

export async function startTestApp(opts: TestAppOptions): Promise<TestApp> {
  const functions = opts.functions ?? ['check', 'status'];
  const shared = functions.every((f) => TABLES_ONLY.has(f));
  const [own, sandbox] = await Promise.all([shared ? undefined : startAzurite(), startTestSandbox(opts.tenant)]);
  const connectionString = own ? own.connectionString : await testStorageConnectionString();
  const now = new Date(opts.tenant.now);
  const env: Record<string, string | undefined> = {
    AzureWebJobsStorage: connectionString,
    TBMON_SCOPE: 'all',
    TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com',
    TBMON_ALERT_FALLBACK_TO: 'ml-platform@contoso.com',
    ACS_CONNECTION_STRING: sandbox.acsConnectionString,
    TEAMS_WEBHOOK_URL: Object.values(sandbox.teamsWebhooks)[0],
    TBMON_SWEEP_SCHEDULE: '0 */15 * * * *',
    ...(opts.appInsights ? { APPLICATIONINSIGHTS_CONNECTION_STRING: sandbox.applicationInsightsConnectionString } : {}),
    ...opts.env,
  };
  let host: DevHost | undefined;
  try {
    const app = appEnvironment(env, {
      sandbox: { baseUrl: sandbox.baseUrl, caCert: sandbox.caCert }, now: opts.clock ?? (() => now), retry: TEST_RETRY,
      tablePrefix: shared ? uniqueName('app') : undefined,
    });
    const lines: string[] = [];
    host = await startDevHost({
      registrations: appRegistrations(app, functions),
      storage: app.settings.storage!, storageOptions: { retry: TEST_RETRY }, timers: 'manual', env, http: opts.http,
      queues: { maxPollingIntervalMs: 100, visibilityTimeoutMs: 0 },
      log: (line) => lines.push(line),
    });
    const started = host;
    const key = (fn: 'check' | 'status' | 'health'): string => started.keys!.functionKeys[fn];
    return {
      sandbox, app, host: started, now, lines, key,
      url: (fn, query = {}) => `${started.httpUrl}/api/${fn}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`,
      close: async () => {
        await started.stop();
        await sandbox.close();
        await own?.stop();
      },
    };
  } catch (e) {
    await host?.stop();
    await sandbox.close();
    await own?.stop();
    throw e;
  }
}

/** contoso's `_expect`: host name → check id → designed status (read at test time; the tenant grows). */
export function expectations(tenant: Tenant): Record<string, Record<string, string>> {
  return ((tenant as unknown as { _expect?: Record<string, Record<string, string>> })._expect) ?? {};
}

/** The hosts `_expect` designs to fail at least one check. */
export function failingHostNames(tenant: Tenant): string[] {
  return Object.entries(expectations(tenant)).filter(([, checks]) => Object.values(checks).includes('fail')).map(([name]) => name);
}

const HOST_TYPES = new Set(['microsoft.machinelearningservices/workspaces/computes', 'microsoft.compute/virtualmachines', 'microsoft.machinelearningservices/workspaces/jobs']);

/** The tenant without the hosts `_expect` designs to fail (every host left is meant to pass). */
export function healthyTenant(tenant: Tenant): Tenant {
  const failing = new Set(failingHostNames(tenant));
  const copy = structuredClone(tenant);
  copy.resources = copy.resources.filter((r) => !(HOST_TYPES.has(r.type.toLowerCase()) && failing.has(r.name)));
  return copy;
}

/** The tenant with a second host named `name` in another ML workspace (the first workspace of another subscription). */
export function ambiguousTenant(tenant: Tenant, name: string): Tenant {
  const copy = structuredClone(tenant);
  const original = copy.resources.find((r) => r.type.toLowerCase() === 'microsoft.machinelearningservices/workspaces/computes' && r.name === name);
  if (!original) throw new Error(`no compute named ${name} in the tenant`);
  const ownWorkspace = original.id.replace(/\/computes\/[^/]+$/i, '');
  const other = copy.resources.find((r) => r.type.toLowerCase() === 'microsoft.machinelearningservices/workspaces' && r.id.toLowerCase() !== ownWorkspace.toLowerCase());
  if (!other) throw new Error('the tenant has only one ML workspace');
  copy.resources.push({ ...structuredClone(original), id: `${other.id}/computes/${name}`, location: other.location ?? original.location });
  return copy;
}

// The Functions app's wiring in one place: from settings (and, for the demo and tests, a sandbox) to the
// dependencies each function's use-case needs. Functions call these with the app settings; the demo calls them with
// the sandbox — so the handlers that run in the demo are the app's own, built the same way.
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { QueueClient } from '@azure/storage-queue';
import type { AzureContext } from './azure';
import { loadSettings, type Settings } from './config';
import type { MetricsSink } from './metrics';
import { azureMonitorMetrics } from './metrics-exporter';
import type { EvaluatePipeline } from './evaluate-batch';
import type { HealthDeps } from './health';
import { SweepCaches } from './evaluate-batch';
import { OUTBOX_TABLE } from './notices';
import type { AlertDeps } from './notify/alert';
import { alertDepsFromSettings, channelsFromSettings } from './notify/channels';
import type { TestNotificationDeps } from './notify/test-notification';
import { PACING_TABLE, TablePacingStore } from './notify/pacing-store';
import { azureFromSettings, credentialFor, type SandboxEndpoint } from './runtime';
import { HostInventory, INVENTORY_TABLE } from './state/inventory';
import { Outbox } from './state/outbox';
import { PLATFORM_TABLE, PlatformStore } from './state/platform';
import { HISTORY_TABLE, REPORTS_TABLE, ReportStore } from './state/reports';
import { SweepLedger } from './state/sweeps';
import { StorageClients } from './storage';
import type { SweepDeps } from './sweep';

export const EVALUATE_QUEUE = 'tb-evaluate';
export const ALERTS_QUEUE = 'tb-alerts';

export interface AppEnvironment {
  settings: Settings;
  azure: AzureContext;
  storage: StorageClients;
  /** For ACS_ENDPOINT (managed identity); null with a connection string. */
  emailCredential: TokenCredential | null;
  /** The sandbox's CA for ACS and the Teams webhook; Azure needs none. */
  caCert?: string;
  tenantId: string | null;
  /** The evaluation clock: the sandbox's in the demo and tests. */
  now?: () => Date;
  /** Sweep metrics to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING); null without one. */
  metrics: MetricsSink | null;
  retry?: PipelineRetryOptions;
}

export interface AppEnvironmentOptions {
  sandbox?: SandboxEndpoint;
  now?: () => Date;
  retry?: PipelineRetryOptions;
}

/** The app's environment from app settings (validated once; a ConfigError names every bad setting). */
export function appEnvironment(env: Record<string, string | undefined> = process.env, opts: AppEnvironmentOptions = {}): AppEnvironment {
  const settings = loadSettings(env, { requireStorage: true });
  const clientId = env.AZURE_CLIENT_ID?.trim() || undefined;
  const azure = azureFromSettings(settings, { sandbox: opts.sandbox, clientId, retry: opts.retry });
  return {
    settings: azure.options.armEndpoint === settings.armEndpoint ? settings : { ...settings, armEndpoint: azure.options.armEndpoint, logAnalyticsEndpoint: azure.options.logAnalyticsEndpoint },
    azure,
    storage: new StorageClients(settings.storage!, { retry: opts.retry }),
    emailCredential: settings.acsEndpoint ? credentialFor(settings, { sandbox: opts.sandbox, clientId }) : null,
    caCert: opts.sandbox?.caCert,
    tenantId: env.AZURE_TENANT_ID?.trim() || null,
    now: opts.now,
    metrics: settings.appInsightsConnectionString
      ? azureMonitorMetrics({
        connectionString: settings.appInsightsConnectionString, credential: credentialFor(settings, { sandbox: opts.sandbox, clientId }),
        caCert: opts.sandbox?.caCert, offline: !!opts.sandbox,
      })
      : null,
    retry: opts.retry,
  };
}

export function sweepDeps(app: AppEnvironment): Omit<SweepDeps, 'log'> {
  const { storage } = app;
  return {
    azure: app.azure, settings: app.settings, now: app.now,
    ledger: new SweepLedger(storage), inventory: new HostInventory(storage.table(INVENTORY_TABLE)),
    outbox: new Outbox(storage.table(OUTBOX_TABLE)), evaluateQueue: storage.queue(EVALUATE_QUEUE), alertsQueue: storage.queue(ALERTS_QUEUE),
    platform: { store: platformStore(app), poisonQueues: [storage.queue(`${EVALUATE_QUEUE}-poison`), storage.queue(`${ALERTS_QUEUE}-poison`)] },
    metrics: app.metrics ?? undefined,
  };
}

export function platformStore(app: AppEnvironment): PlatformStore {
  return new PlatformStore(app.storage.table(PLATFORM_TABLE), app.now);
}

export function reportStore(app: AppEnvironment): ReportStore {
  return new ReportStore(app.storage.table(REPORTS_TABLE), app.storage.table(HISTORY_TABLE), { historyDays: app.settings.historyDays, now: app.now });
}

/** The status page's stores; tables are created so a page asked for before the first sweep shows no host. */
export async function statusDeps(app: AppEnvironment): Promise<{ reports: ReportStore; inventory: HostInventory; ledger: SweepLedger; historyDays: number; now?: () => Date; hostTag: string }> {
  const reports = reportStore(app);
  const inventory = new HostInventory(app.storage.table(INVENTORY_TABLE));
  const ledger = new SweepLedger(app.storage);
  await Promise.all([reports.ensureTables(), inventory.ensureTable(), ledger.ensureTable()]);
  return { reports, inventory, ledger, historyDays: app.settings.historyDays, now: app.now, hostTag: app.settings.hostTag };
}

export async function evaluatePipeline(app: AppEnvironment): Promise<Omit<EvaluatePipeline, 'log'>> {
  const outbox = new Outbox(app.storage.table(OUTBOX_TABLE));
  const reports = reportStore(app);
  const platform = platformStore(app);
  await Promise.all([outbox.ensureTable(), reports.ensureTables(), platform.ensureTable()]);
  return {
    settings: app.settings, azure: app.azure, outbox, reports, ledger: new SweepLedger(app.storage), now: app.now, platform,
    alertsQueue: app.storage.queue(ALERTS_QUEUE), poisonQueue: app.storage.queue(`${EVALUATE_QUEUE}-poison`), caches: new SweepCaches(),
    metrics: app.metrics ?? undefined,
  };
}

/** The health probe's view of the app's storage: the sweep ledger, every queue and its poison queue, the outbox. */
export function healthDeps(app: AppEnvironment): HealthDeps {
  const queues = [EVALUATE_QUEUE, ALERTS_QUEUE].flatMap((q) => [
    { client: app.storage.queue(q), poison: false },
    { client: app.storage.queue(`${q}-poison`), poison: true },
  ]);
  return { ledger: new SweepLedger(app.storage), queues, outbox: new Outbox(app.storage.table(OUTBOX_TABLE)), schedule: app.settings.sweepSchedule, now: app.now };
}

/** The test notification's channels (tbmon notify --test over HTTP): what alert would use, without the outbox. */
export function notifyTestDeps(app: AppEnvironment): TestNotificationDeps {
  return { settings: app.settings, ...channelsFromSettings(app.settings, { credential: app.emailCredential ?? undefined, caCert: app.caCert, retry: app.retry, counter: app.azure.counter }), render: { tenantId: app.tenantId } };
}

export interface AlertPipeline {
  deps: Omit<AlertDeps, 'log'>;
  poisonQueue: QueueClient;
  /** Platform notices (tbmon about itself) waiting to be sent; absent in pipelines built without one. */
  platform?: PlatformStore;
}

export async function alertPipeline(app: AppEnvironment): Promise<AlertPipeline> {
  const outbox = new Outbox(app.storage.table(OUTBOX_TABLE));
  const pacingStore = new TablePacingStore(app.storage.table(PACING_TABLE));
  const platform = platformStore(app);
  await Promise.all([outbox.ensureTable(), pacingStore.ensureTable(), platform.ensureTable()]);
  const deps = alertDepsFromSettings(app.settings, {
    outbox, pacingStore, credential: app.emailCredential ?? undefined, caCert: app.caCert, retry: app.retry, counter: app.azure.counter, tenantId: app.tenantId,
  });
  // Pacing runs on the real clock (it is about how fast we send), not on the evaluation clock.
  return { deps: { ...deps, metrics: app.metrics ?? undefined }, poisonQueue: app.storage.queue(`${ALERTS_QUEUE}-poison`), platform };
}

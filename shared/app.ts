// The composition root: from settings (and, for the demo and tests, a sandbox) to the dependencies each use-case
// needs. The Functions app, the CLI, the dev host (through the function modules) and tests all build here — the
// handlers that run in the demo are the app's own, built the same way.
//
// Cold start: a function module loads this file, not what its dependencies need. Each builder below requires the
// modules of its own trigger when first called (the sweep never loads the email client, the status page no Log
// Analytics client), so the Functions host, which loads every function module at start, pays for none of them.
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { QueueClient } from '@azure/storage-queue';
import type { AzureContext } from './azure';
import { ConfigError, loadSettings, STORAGE_MISSING, type Settings } from './config';
import type { MetricsSink } from './metrics';
import type { EvaluatePipeline } from './evaluate-batch';
import type { HealthDeps } from './health';
import type { AlertDeps } from './notify/alert';
import type { TestNotificationDeps } from './notify/test-notification';
import type { SandboxEndpoint } from './runtime';
import type { HostInventory } from './state/inventory';
import type { PlatformStore } from './state/platform';
import type { ReportStore } from './state/reports';
import type { SweepLedger } from './state/sweeps';
import type { StorageClients } from './storage';
import type { SweepDeps } from './sweep';

export const EVALUATE_QUEUE = 'tb-evaluate';
export const ALERTS_QUEUE = 'tb-alerts';

type Env = Record<string, string | undefined>;

export interface AppEnvironment {
  settings: Settings;
  /** The Azure clients, made on first use. */
  readonly azure: AzureContext;
  /** Queue and table clients (AzureWebJobsStorage), made on first use; a ConfigError names the setting when it is unset. */
  readonly storage: StorageClients;
  /** For ACS_ENDPOINT (managed identity); null with a connection string. Made on first use. */
  readonly emailCredential: TokenCredential | null;
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
  /**
   * Put before every table name (letters and digits): tests share one Azurite and give each app its own tables.
   * Queue names stay as the function triggers name them.
   */
  tablePrefix?: string;
}

/** The app's environment from app settings (validated once; a ConfigError names every bad setting). */
export function appEnvironment(env: Env = process.env, opts: AppEnvironmentOptions = {}): AppEnvironment {
  return appFromSettings(loadSettings(env), env, opts);
}

/** The same from settings already validated (the CLI validates before it starts a sandbox). */
export function appFromSettings(loaded: Settings, env: Env, opts: AppEnvironmentOptions = {}): AppEnvironment {
  const { azureFromSettings, credentialFor, sandboxSettings } = require('./runtime') as typeof import('./runtime');
  const clientId = env.AZURE_CLIENT_ID?.trim() || undefined;
  const settings = opts.sandbox ? sandboxSettings(loaded, opts.sandbox) : loaded;
  let storage: StorageClients | undefined;
  let azure: AzureContext | undefined;
  let emailCredential: TokenCredential | null | undefined;
  // Made on first use, like storage: tbmon poison needs no Azure clients, the check no storage.
  return {
    settings,
    get azure(): AzureContext {
      azure ??= azureFromSettings(loaded, { sandbox: opts.sandbox, clientId, retry: opts.retry });
      return azure;
    },
    get storage(): StorageClients {
      if (!settings.storage) throw new ConfigError([STORAGE_MISSING]);
      const { StorageClients } = require('./storage') as typeof import('./storage');
      storage ??= new StorageClients(settings.storage, { retry: opts.retry, tablePrefix: opts.tablePrefix });
      return storage;
    },
    get emailCredential(): TokenCredential | null {
      if (emailCredential === undefined) emailCredential = settings.acsEndpoint ? credentialFor(settings, { sandbox: opts.sandbox, clientId }) : null;
      return emailCredential;
    },
    caCert: opts.sandbox?.caCert,
    tenantId: env.AZURE_TENANT_ID?.trim() || null,
    now: opts.now,
    metrics: settings.appInsightsConnectionString
      ? (require('./metrics-exporter') as typeof import('./metrics-exporter')).azureMonitorMetrics({
        connectionString: settings.appInsightsConnectionString, credential: credentialFor(settings, { sandbox: opts.sandbox, clientId }),
        caCert: opts.sandbox?.caCert, offline: !!opts.sandbox,
      })
      : null,
    retry: opts.retry,
  };
}

/** How a function gets its app: from app settings in Azure and under the dev host; the demo and tests pass theirs. */
export type AppSource = () => AppEnvironment;

export const appFromAppSettings: AppSource = () => appEnvironment(process.env);

export interface CheckDeps {
  azure: AzureContext;
  settings: Settings;
  /** The evaluation clock (the sandbox's in tests and the demo). */
  now?: () => Date;
}

/** `/api/check` reads Azure only: no storage. */
export function checkDeps(app: AppEnvironment): CheckDeps {
  return { azure: app.azure, settings: app.settings, now: app.now };
}

export function sweepDeps(app: AppEnvironment): Omit<SweepDeps, 'log'> {
  const storage = app.storage;
  const { SweepLedger } = require('./state/sweeps') as typeof import('./state/sweeps');
  const { HostInventory, INVENTORY_TABLE } = require('./state/inventory') as typeof import('./state/inventory');
  const { Outbox } = require('./state/outbox') as typeof import('./state/outbox');
  const { OUTBOX_TABLE } = require('./notices') as typeof import('./notices');
  return {
    azure: app.azure, settings: app.settings, now: app.now,
    ledger: new SweepLedger(storage), inventory: new HostInventory(storage.table(INVENTORY_TABLE)),
    outbox: new Outbox(storage.table(OUTBOX_TABLE)), evaluateQueue: storage.queue(EVALUATE_QUEUE), alertsQueue: storage.queue(ALERTS_QUEUE),
    platform: { store: platformStore(app), poisonQueues: [storage.queue(`${EVALUATE_QUEUE}-poison`), storage.queue(`${ALERTS_QUEUE}-poison`)] },
    metrics: app.metrics ?? undefined,
  };
}

export function platformStore(app: AppEnvironment): PlatformStore {
  const { PLATFORM_TABLE, PlatformStore } = require('./state/platform') as typeof import('./state/platform');
  return new PlatformStore(app.storage.table(PLATFORM_TABLE), app.now);
}

export function reportStore(app: AppEnvironment): ReportStore {
  const { HISTORY_TABLE, REPORTS_TABLE, ReportStore } = require('./state/reports') as typeof import('./state/reports');
  const storage = app.storage;
  return new ReportStore(storage.table(REPORTS_TABLE), storage.table(HISTORY_TABLE), { historyDays: app.settings.historyDays, now: app.now });
}

/** The status page's stores; tables are created so a page asked for before the first sweep shows no host. */
export async function statusDeps(app: AppEnvironment): Promise<{ reports: ReportStore; inventory: HostInventory; ledger: SweepLedger; historyDays: number; now?: () => Date; hostTag: string }> {
  const { HostInventory, INVENTORY_TABLE } = require('./state/inventory') as typeof import('./state/inventory');
  const { SweepLedger } = require('./state/sweeps') as typeof import('./state/sweeps');
  const reports = reportStore(app);
  const inventory = new HostInventory(app.storage.table(INVENTORY_TABLE));
  const ledger = new SweepLedger(app.storage);
  await Promise.all([reports.ensureTables(), inventory.ensureTable(), ledger.ensureTable()]);
  return { reports, inventory, ledger, historyDays: app.settings.historyDays, now: app.now, hostTag: app.settings.hostTag };
}

export async function evaluatePipeline(app: AppEnvironment): Promise<Omit<EvaluatePipeline, 'log'>> {
  const { SweepCaches } = require('./evaluate-batch') as typeof import('./evaluate-batch');
  const { SweepLedger } = require('./state/sweeps') as typeof import('./state/sweeps');
  const { Outbox } = require('./state/outbox') as typeof import('./state/outbox');
  const { OUTBOX_TABLE } = require('./notices') as typeof import('./notices');
  const storage = app.storage;
  const outbox = new Outbox(storage.table(OUTBOX_TABLE));
  const reports = reportStore(app);
  const platform = platformStore(app);
  await Promise.all([outbox.ensureTable(), reports.ensureTables(), platform.ensureTable()]);
  return {
    settings: app.settings, azure: app.azure, outbox, reports, ledger: new SweepLedger(storage), now: app.now, platform,
    alertsQueue: storage.queue(ALERTS_QUEUE), poisonQueue: storage.queue(`${EVALUATE_QUEUE}-poison`), caches: new SweepCaches(),
    metrics: app.metrics ?? undefined,
  };
}

/** The health probe's view of the app's storage: the sweep ledger, every queue and its poison queue, the outbox. */
export function healthDeps(app: AppEnvironment): HealthDeps {
  const { SweepLedger } = require('./state/sweeps') as typeof import('./state/sweeps');
  const { Outbox } = require('./state/outbox') as typeof import('./state/outbox');
  const { OUTBOX_TABLE } = require('./notices') as typeof import('./notices');
  const storage = app.storage;
  const queues = [EVALUATE_QUEUE, ALERTS_QUEUE].flatMap((q) => [
    { client: storage.queue(q), poison: false },
    { client: storage.queue(`${q}-poison`), poison: true },
  ]);
  return { ledger: new SweepLedger(storage), queues, outbox: new Outbox(storage.table(OUTBOX_TABLE)), schedule: app.settings.sweepSchedule, now: app.now };
}

/** The test notification's channels (tbmon notify --test over HTTP): what alert would use, without the outbox. */
export function notifyTestDeps(app: AppEnvironment): TestNotificationDeps {
  const { channelsFromSettings } = require('./notify/channels') as typeof import('./notify/channels');
  return { settings: app.settings, ...channelsFromSettings(app.settings, { credential: app.emailCredential ?? undefined, caCert: app.caCert, retry: app.retry, counter: app.azure.counter }), render: { tenantId: app.tenantId } };
}

export interface AlertPipeline {
  deps: Omit<AlertDeps, 'log'>;
  poisonQueue: QueueClient;
  /** Platform notices (tbmon about itself) waiting to be sent; absent in pipelines built without one. */
  platform?: PlatformStore;
}

export async function alertPipeline(app: AppEnvironment): Promise<AlertPipeline> {
  const { alertDepsFromSettings } = require('./notify/channels') as typeof import('./notify/channels');
  const { PACING_TABLE, TablePacingStore } = require('./notify/pacing-store') as typeof import('./notify/pacing-store');
  const { Outbox } = require('./state/outbox') as typeof import('./state/outbox');
  const { OUTBOX_TABLE } = require('./notices') as typeof import('./notices');
  const storage = app.storage;
  const outbox = new Outbox(storage.table(OUTBOX_TABLE));
  const pacingStore = new TablePacingStore(storage.table(PACING_TABLE));
  const platform = platformStore(app);
  await Promise.all([outbox.ensureTable(), pacingStore.ensureTable(), platform.ensureTable()]);
  const deps = alertDepsFromSettings(app.settings, {
    outbox, pacingStore, credential: app.emailCredential ?? undefined, caCert: app.caCert, retry: app.retry, counter: app.azure.counter, tenantId: app.tenantId,
  });
  // Pacing runs on the real clock (it is about how fast we send), not on the evaluation clock.
  return { deps: { ...deps, metrics: app.metrics ?? undefined }, poisonQueue: storage.queue(`${ALERTS_QUEUE}-poison`), platform };
}

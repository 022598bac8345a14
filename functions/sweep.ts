// sweep — timer trigger (TBMON_SWEEP_SCHEDULE): finds every TensorBoard host in scope and queues them for evaluation
// in claim-check batches. All the work is shared/sweep.ts; this file builds its dependencies from app settings.
import type { InvocationContext, Timer, TimerHandler } from '@azure/functions';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { AzureContext } from '../shared/azure';
import { loadSettings } from '../shared/config';
import { OUTBOX_TABLE } from '../shared/notices';
import { HostInventory, INVENTORY_TABLE } from '../shared/state/inventory';
import { Outbox } from '../shared/state/outbox';
import { SweepLedger } from '../shared/state/sweeps';
import { StorageClients } from '../shared/storage';
import { runSweep, type SweepDeps } from '../shared/sweep';
import { register } from './registration';

export const EVALUATE_QUEUE = 'tb-evaluate';
export const ALERTS_QUEUE = 'tb-alerts';

export type SweepDepsFactory = (context: InvocationContext) => Promise<Omit<SweepDeps, 'log'>>;

/** The handler for a given way of building the dependencies (the app's: app settings; tests: sandbox + Azurite). */
export function makeSweepHandler(build: SweepDepsFactory): TimerHandler {
  return async (timer: Timer, context: InvocationContext) => {
    if (timer.isPastDue) context.log('sweep: the timer is past due; sweeping now');
    const deps = await build(context);
    const outcome = await runSweep({ ...deps, log: (line) => context.log(line) });
    context.log(`sweep ${outcome.sweepId}: ${JSON.stringify({ hosts: outcome.hosts, batches: outcome.batches.length, gone: outcome.gone.length, errors: outcome.errors.length, stats: outcome.stats })}`);
  };
}

/** The app's dependencies: settings from app settings (validated), storage from AzureWebJobsStorage, managed identity. */
export const depsFromAppSettings: SweepDepsFactory = async () => {
  const settings = loadSettings(process.env, { requireStorage: true });
  const storage = new StorageClients(settings.storage!);
  const clientId = process.env.AZURE_CLIENT_ID?.trim();
  const azure = new AzureContext({
    credential: clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential(),
    armEndpoint: settings.armEndpoint,
    logAnalyticsEndpoint: settings.logAnalyticsEndpoint,
  });
  return {
    azure, settings, ledger: new SweepLedger(storage), inventory: new HostInventory(storage.table(INVENTORY_TABLE)),
    outbox: new Outbox(storage.table(OUTBOX_TABLE)), evaluateQueue: storage.queue(EVALUATE_QUEUE), alertsQueue: storage.queue(ALERTS_QUEUE),
  };
};

export const sweepHandler = makeSweepHandler(depsFromAppSettings);

export const registration = register({
  name: 'sweep',
  trigger: { type: 'timer', schedule: '%TBMON_SWEEP_SCHEDULE%' },
  handler: sweepHandler,
});

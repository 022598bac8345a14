// evaluate — storage queue trigger on tb-evaluate: one claim check {sweepId, batchKey} per message. Parses nothing
// itself: shared/evaluate-batch.ts validates, evaluates, stores state, writes the outbox and completes the sweep.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { AzureContext } from '../shared/azure';
import { loadSettings } from '../shared/config';
import { processEvaluateMessage, SweepCaches, type EvaluatePipeline } from '../shared/evaluate-batch';
import { StorageClients } from '../shared/storage';
import { Outbox } from '../shared/state/outbox';
import { HISTORY_TABLE, REPORTS_TABLE, ReportStore } from '../shared/state/reports';
import { SweepLedger } from '../shared/state/sweeps';
import { OUTBOX_TABLE } from '../shared/notices';
import { register } from './registration';

export const EVALUATE_QUEUE = 'tb-evaluate';
export const ALERTS_QUEUE = 'tb-alerts';

export type PipelineFactory = (context: InvocationContext) => Promise<Omit<EvaluatePipeline, 'log'>>;

/** The handler for a given way of building the pipeline (the app's: from app settings; tests: the sandbox's). */
export function makeEvaluateHandler(build: PipelineFactory): StorageQueueHandler {
  let pipeline: Promise<Omit<EvaluatePipeline, 'log'>> | undefined;
  return async (message, context) => {
    pipeline ??= build(context).catch((e) => {
      pipeline = undefined; // a configuration or storage error now may be fixed by the next invocation
      throw e;
    });
    const outcome = await processEvaluateMessage(message, { ...(await pipeline), log: (line) => context.log(line) });
    if (outcome.kind === 'poisoned') context.warn(`tb-evaluate message not processed: ${outcome.reason}`);
  };
}

/** The app's pipeline: settings from app settings, storage from AzureWebJobsStorage, Azure via managed identity. */
export const pipelineFromAppSettings: PipelineFactory = async () => {
  const settings = loadSettings(process.env, { requireStorage: true });
  const storage = new StorageClients(settings.storage!);
  const clientId = process.env.AZURE_CLIENT_ID?.trim();
  const azure = new AzureContext({
    credential: clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential(),
    armEndpoint: settings.armEndpoint,
    logAnalyticsEndpoint: settings.logAnalyticsEndpoint,
  });
  const outbox = new Outbox(storage.table(OUTBOX_TABLE));
  const reports = new ReportStore(storage.table(REPORTS_TABLE), storage.table(HISTORY_TABLE), { historyDays: settings.historyDays });
  await Promise.all([outbox.ensureTable(), reports.ensureTables()]);
  return {
    settings, azure, outbox, reports, ledger: new SweepLedger(storage),
    alertsQueue: storage.queue(ALERTS_QUEUE), poisonQueue: storage.queue(`${EVALUATE_QUEUE}-poison`), caches: new SweepCaches(),
  };
};

export const evaluate = makeEvaluateHandler(pipelineFromAppSettings);

export const registration = register({
  name: 'evaluate',
  trigger: { type: 'queue', queueName: EVALUATE_QUEUE, connection: 'AzureWebJobsStorage' },
  handler: evaluate,
});

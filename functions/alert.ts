// alert — storage queue trigger on tb-alerts: one `{sweepId}` per completed sweep. Validates the message, then
// shared/notify/alert.ts sends one digest per recipient (ACS email) and one card per Teams channel from the outbox.
// A message that does not validate goes to tb-alerts-poison with the reason; it never throws the host loop.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { loadSettings } from '../shared/config';
import { validateAlertsMessage } from '../shared/schemas';
import { OUTBOX_TABLE } from '../shared/notices';
import { runAlerts, type AlertDeps } from '../shared/notify/alert';
import { alertDepsFromSettings } from '../shared/notify/channels';
import { PACING_TABLE, TablePacingStore } from '../shared/notify/pacing-store';
import { Outbox } from '../shared/state/outbox';
import { enqueueJson, ensureQueue, StorageClients } from '../shared/storage';
import { register } from './registration';

export const ALERTS_QUEUE = 'tb-alerts';

export interface AlertPipeline {
  deps: Omit<AlertDeps, 'log'>;
  poisonQueue: QueueClient;
}

export type AlertPipelineFactory = (context: InvocationContext) => Promise<AlertPipeline>;

/** `{ sweepId }` as schemas/tb-alerts.v1.json has it; otherwise the reason it is not, for the poison queue. */
export function parseAlertsMessage(message: unknown): { sweepId: string } | string {
  const v = validateAlertsMessage(message);
  return v.ok ? { sweepId: v.value.sweepId } : `the message is not a tb-alerts.v1 message: ${v.errors.join('; ').slice(0, 500)}`;
}

/** The handler for a given way of building the pipeline (the app's: from app settings; tests: the sandbox's). */
export function makeAlertHandler(build: AlertPipelineFactory): StorageQueueHandler {
  let pipeline: Promise<AlertPipeline> | undefined;
  return async (message, context) => {
    pipeline ??= build(context).catch((e) => {
      pipeline = undefined; // a configuration or storage error now may be fixed by the next invocation
      throw e;
    });
    const p = await pipeline;
    const parsed = parseAlertsMessage(message);
    if (typeof parsed === 'string') {
      context.warn(`tb-alerts message not processed: ${parsed}`);
      await ensureQueue(p.poisonQueue);
      await enqueueJson(p.poisonQueue, { reason: parsed, message });
      return;
    }
    const result = await runAlerts(parsed.sweepId, { ...p.deps, log: (line) => context.log(line) });
    // Failures are left in the outbox for the next run; the message itself is done (retrying it now would meet the
    // same outage and count against ACS's limits).
    if (result.errors.length) context.warn(`tb-alerts ${parsed.sweepId}: ${result.errors.length} send(s) failed and stay pending`);
  };
}

/** The app's pipeline: settings from app settings, storage from AzureWebJobsStorage, ACS via managed identity or key. */
export const pipelineFromAppSettings: AlertPipelineFactory = async () => {
  const settings = loadSettings(process.env, { requireStorage: true });
  const storage = new StorageClients(settings.storage!);
  const clientId = process.env.AZURE_CLIENT_ID?.trim();
  const outbox = new Outbox(storage.table(OUTBOX_TABLE));
  const pacingStore = new TablePacingStore(storage.table(PACING_TABLE));
  await Promise.all([outbox.ensureTable(), pacingStore.ensureTable()]);
  const deps = alertDepsFromSettings(settings, {
    outbox, pacingStore,
    credential: settings.acsEndpoint ? (clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential()) : undefined,
    tenantId: process.env.AZURE_TENANT_ID?.trim() || null,
  });
  return { deps, poisonQueue: storage.queue(`${ALERTS_QUEUE}-poison`) };
};

export const alert = makeAlertHandler(pipelineFromAppSettings);

export const registration = register({
  name: 'alert',
  trigger: { type: 'queue', queueName: ALERTS_QUEUE, connection: 'AzureWebJobsStorage' },
  handler: alert,
});

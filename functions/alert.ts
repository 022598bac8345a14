// alert — storage queue trigger on tb-alerts: one `{sweepId}` per completed sweep. Validates the message, then
// shared/notify/alert.ts sends one digest per recipient (ACS email) and one card per Teams channel from the outbox.
// A message that does not validate goes to tb-alerts-poison with the reason; it never throws the host loop.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { ALERTS_QUEUE, alertPipeline, appEnvironment, type AlertPipeline } from '../shared/app';
import { validateAlertsMessage } from '../shared/schemas';
import { runAlerts } from '../shared/notify/alert';
import { sendPlatformNotices } from '../shared/notify/platform';
import { enqueueJson, ensureQueue } from '../shared/storage';
import { buildOnce } from './once';
import { register } from './registration';

export { ALERTS_QUEUE, type AlertPipeline };

export type AlertPipelineFactory = (context: InvocationContext) => Promise<AlertPipeline>;

/** `{ sweepId }` as schemas/tb-alerts.v1.json has it; otherwise the reason it is not, for the poison queue. */
export function parseAlertsMessage(message: unknown): { sweepId: string } | string {
  const v = validateAlertsMessage(message);
  return v.ok ? { sweepId: v.value.sweepId } : `the message is not a tb-alerts.v1 message: ${v.errors.join('; ').slice(0, 500)}`;
}

/** The handler for a given way of building the pipeline (the app's: from app settings; tests: the sandbox's). */
export function makeAlertHandler(build: AlertPipelineFactory): StorageQueueHandler {
  const pipeline = buildOnce(build);
  return async (message, context) => {
    const p = await pipeline(context);
    const parsed = parseAlertsMessage(message);
    if (typeof parsed === 'string') {
      context.warn(`tb-alerts message not processed: ${parsed}`);
      await ensureQueue(p.poisonQueue);
      await enqueueJson(p.poisonQueue, { reason: parsed, message });
      return;
    }
    const result = await runAlerts(parsed.sweepId, { ...p.deps, log: (line) => context.log(line) });
    if (p.platform) {
      const platform = await sendPlatformNotices({ store: p.platform, email: p.deps.email, teams: p.deps.teams, log: (line) => context.log(line) });
      result.errors.push(...platform.errors);
    }
    // Failures are left in the outbox for the next run; the message itself is done (retrying it now would meet the
    // same outage and count against ACS's limits).
    if (result.errors.length) context.warn(`tb-alerts ${parsed.sweepId}: ${result.errors.length} send(s) failed and stay pending`);
  };
}

/** The app's pipeline: settings from app settings, storage from AzureWebJobsStorage, ACS via managed identity or key. */
export const pipelineFromAppSettings: AlertPipelineFactory = () => alertPipeline(appEnvironment());

export const alert = makeAlertHandler(pipelineFromAppSettings);

export const registration = register({
  name: 'alert',
  trigger: { type: 'queue', queueName: ALERTS_QUEUE, connection: 'AzureWebJobsStorage' },
  handler: alert,
});

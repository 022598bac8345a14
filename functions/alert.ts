// alert — storage queue trigger on tb-alerts: one `{sweepId}` per completed sweep. Validates the message, then
// shared/notify/alert.ts sends one digest per recipient (ACS email) and one card per Teams channel from the outbox.
// A message that does not validate goes to tb-alerts-poison with the reason; it never throws the host loop.
// Its modules load with the first message, not with this file (cold start: shared/app.ts).
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { ALERTS_QUEUE, alertPipeline, appFromAppSettings, type AlertPipeline, type AppSource } from '../shared/app';
import { buildOnce } from './once';
import { register, type QueueRegistration } from './registration';

export { ALERTS_QUEUE, type AlertPipeline };

export type AlertPipelineFactory = (context: InvocationContext) => Promise<AlertPipeline>;

/** `{ sweepId }` as schemas/tb-alerts.v1.json has it; otherwise the reason it is not, for the poison queue. */
export function parseAlertsMessage(message: unknown): { sweepId: string } | string {
  const { validateAlertsMessage } = require('../shared/schemas') as typeof import('../shared/schemas');
  const v = validateAlertsMessage(message);
  return v.ok ? { sweepId: v.value.sweepId } : `the message is not a tb-alerts.v1 message: ${v.errors.join('; ').slice(0, 500)}`;
}

/** The handler for a given way of building the pipeline (the app's: from app settings; tests: the sandbox's). */
export function makeAlertHandler(build: AlertPipelineFactory): StorageQueueHandler {
  const pipeline = buildOnce(build);
  return async (message, context) => {
    const p = await pipeline(context);
    const parsed = parseAlertsMessage(message);
    const { enqueueJson, ensureQueue } = require('../shared/storage') as typeof import('../shared/storage');
    if (typeof parsed === 'string') {
      context.warn(`tb-alerts message not processed: ${parsed}`);
      await ensureQueue(p.poisonQueue);
      await enqueueJson(p.poisonQueue, { reason: parsed, message });
      return;
    }
    const { runAlerts } = require('../shared/notify/alert') as typeof import('../shared/notify/alert');
    const result = await runAlerts(parsed.sweepId, { ...p.deps, log: (line) => context.log(line) });
    if (p.platform) {
      const { sendPlatformNotices } = require('../shared/notify/platform') as typeof import('../shared/notify/platform');
      const platform = await sendPlatformNotices({ store: p.platform, email: p.deps.email, teams: p.deps.teams, log: (line) => context.log(line) });
      result.errors.push(...platform.errors);
    }
    // Failures are left in the outbox for the next run; the message itself is done (retrying it now would meet the
    // same outage and count against ACS's limits).
    if (result.errors.length) context.warn(`tb-alerts ${parsed.sweepId}: ${result.errors.length} send(s) failed and stay pending`);
  };
}

/** The alert function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function alertFunction(app: AppSource): QueueRegistration {
  return {
    name: 'alert',
    trigger: { type: 'queue', queueName: ALERTS_QUEUE, connection: 'AzureWebJobsStorage' },
    handler: makeAlertHandler(() => alertPipeline(app())),
  };
}

export const registration = register(alertFunction(appFromAppSettings));
export const alert = registration.handler;

// evaluate — storage queue trigger on tb-evaluate: one claim check {sweepId, batchKey} per message. Parses nothing
// itself: shared/evaluate-batch.ts validates, evaluates, stores state, writes the outbox and completes the sweep.
// Its modules load with the first message, not with this file (cold start: shared/app.ts).
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { ALERTS_QUEUE, appFromAppSettings, EVALUATE_QUEUE, evaluatePipeline, type AppSource } from '../shared/app';
import type { EvaluatePipeline } from '../shared/evaluate-batch';
import { buildOnce } from './once';
import { register, type QueueRegistration } from './registration';

export { ALERTS_QUEUE, EVALUATE_QUEUE };

export type PipelineFactory = (context: InvocationContext) => Promise<Omit<EvaluatePipeline, 'log'>>;

/** The handler for a given way of building the pipeline (the app's: from app settings; tests: the sandbox's). */
export function makeEvaluateHandler(build: PipelineFactory): StorageQueueHandler {
  const pipeline = buildOnce(build);
  return async (message, context) => {
    const { processEvaluateMessage } = require('../shared/evaluate-batch') as typeof import('../shared/evaluate-batch');
    const outcome = await processEvaluateMessage(message, { ...(await pipeline(context)), log: (line) => context.log(line) });
    if (outcome.kind === 'poisoned') context.warn(`tb-evaluate message not processed: ${outcome.reason}`);
  };
}

/** The evaluate function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function evaluateFunction(app: AppSource): QueueRegistration {
  return {
    name: 'evaluate',
    trigger: { type: 'queue', queueName: EVALUATE_QUEUE, connection: 'AzureWebJobsStorage' },
    handler: makeEvaluateHandler(() => evaluatePipeline(app())),
  };
}

export const registration = register(evaluateFunction(appFromAppSettings));
export const evaluate = registration.handler;

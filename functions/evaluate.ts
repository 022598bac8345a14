// evaluate — storage queue trigger on tb-evaluate: one claim check {sweepId, batchKey} per message. Parses nothing
// itself: shared/evaluate-batch.ts validates, evaluates, stores state, writes the outbox and completes the sweep.
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import { ALERTS_QUEUE, appEnvironment, EVALUATE_QUEUE, evaluatePipeline } from '../shared/app';
import { processEvaluateMessage, type EvaluatePipeline } from '../shared/evaluate-batch';
import { buildOnce } from './once';
import { register } from './registration';

export { ALERTS_QUEUE, EVALUATE_QUEUE };

export type PipelineFactory = (context: InvocationContext) => Promise<Omit<EvaluatePipeline, 'log'>>;

/** The handler for a given way of building the pipeline (the app's: from app settings; tests: the sandbox's). */
export function makeEvaluateHandler(build: PipelineFactory): StorageQueueHandler {
  const pipeline = buildOnce(build);
  return async (message, context) => {
    const outcome = await processEvaluateMessage(message, { ...(await pipeline(context)), log: (line) => context.log(line) });
    if (outcome.kind === 'poisoned') context.warn(`tb-evaluate message not processed: ${outcome.reason}`);
  };
}

/** The app's pipeline: settings from app settings, storage from AzureWebJobsStorage, Azure via managed identity. */
export const pipelineFromAppSettings: PipelineFactory = () => evaluatePipeline(appEnvironment());

export const evaluate = makeEvaluateHandler(pipelineFromAppSettings);

export const registration = register({
  name: 'evaluate',
  trigger: { type: 'queue', queueName: EVALUATE_QUEUE, connection: 'AzureWebJobsStorage' },
  handler: evaluate,
});

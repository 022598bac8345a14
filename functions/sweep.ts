// sweep — timer trigger (TBMON_SWEEP_SCHEDULE): finds every TensorBoard host in scope and queues them for evaluation
// in claim-check batches. All the work is shared/sweep.ts; the dependencies come from the app's wiring (shared/app.ts).
import type { InvocationContext, Timer, TimerHandler } from '@azure/functions';
import { appEnvironment, sweepDeps } from '../shared/app';
import { runSweep, type SweepDeps } from '../shared/sweep';
import { register } from './registration';

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
export const depsFromAppSettings: SweepDepsFactory = async () => sweepDeps(appEnvironment());

export const sweepHandler = makeSweepHandler(depsFromAppSettings);

export const registration = register({
  name: 'sweep',
  trigger: { type: 'timer', schedule: '%TBMON_SWEEP_SCHEDULE%' },
  handler: sweepHandler,
});

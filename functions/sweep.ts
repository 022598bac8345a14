// sweep — timer trigger (TBMON_SWEEP_SCHEDULE): finds every TensorBoard host in scope and queues them for evaluation
// in claim-check batches. All the work is shared/sweep.ts; the dependencies come from the composition root
// (shared/app.ts), built anew for each sweep. The sweep's modules load with its first run, not with this file.
import type { InvocationContext, Timer, TimerHandler } from '@azure/functions';
import { appFromAppSettings, sweepDeps, type AppSource } from '../shared/app';
import type { SweepDeps } from '../shared/sweep';
import { register, type TimerRegistration } from './registration';

export type SweepDepsFactory = (context: InvocationContext) => Promise<Omit<SweepDeps, 'log'>>;

/** The handler for a given way of building the dependencies (the app's: app settings; tests: sandbox + Azurite). */
export function makeSweepHandler(build: SweepDepsFactory): TimerHandler {
  return async (timer: Timer, context: InvocationContext) => {
    if (timer.isPastDue) context.log('sweep: the timer is past due; sweeping now');
    const deps = await build(context);
    const { runSweep } = require('../shared/sweep') as typeof import('../shared/sweep');
    const outcome = await runSweep({ ...deps, log: (line) => context.log(line) });
    context.log(`sweep ${outcome.sweepId}: ${JSON.stringify({ hosts: outcome.hosts, batches: outcome.batches.length, gone: outcome.gone.length, errors: outcome.errors.length, stats: outcome.stats })}`);
  };
}

/** The sweep function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function sweepFunction(app: AppSource): TimerRegistration {
  return {
    name: 'sweep',
    trigger: { type: 'timer', schedule: '%TBMON_SWEEP_SCHEDULE%' },
    handler: makeSweepHandler(async () => sweepDeps(app())),
  };
}

export const registration = register(sweepFunction(appFromAppSettings));
export const sweepHandler = registration.handler;

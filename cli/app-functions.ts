// The Functions app's own handlers — sweep, evaluate, alert, check, status, health, notifyTest — built from an AppEnvironment
// (shared/app.ts), ready for the dev host. The demo and the HTTP tests run exactly these, with the sandbox as "Azure".
import type { FunctionRegistration } from '../functions/registration';
import { alertPipeline, evaluatePipeline, healthDeps, notifyTestDeps, statusDeps, sweepDeps, type AppEnvironment } from '../shared/app';

export type AppFunctionName = 'sweep' | 'evaluate' | 'alert' | 'check' | 'status' | 'health' | 'notifyTest';

export const APP_FUNCTIONS: readonly AppFunctionName[] = ['sweep', 'evaluate', 'alert', 'check', 'status', 'health', 'notifyTest'];

/** Silence @azure/functions' "test mode" warnings while the function modules register themselves outside the host. */
function quietly<T>(load: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/@azure\/functions|Azure Functions runtime/.test(String(args[0]))) warn(...args);
  };
  try {
    return load();
  } finally {
    console.warn = warn;
  }
}

/** The registrations of `names` (default: all five), each handler wired to `app`. */
export function appRegistrations(app: AppEnvironment, names: readonly AppFunctionName[] = APP_FUNCTIONS): FunctionRegistration[] {
  // Loaded lazily: each module registers itself with @azure/functions when first required.
  const fns = quietly(() => ({
    sweep: require('../functions/sweep') as typeof import('../functions/sweep'),
    evaluate: require('../functions/evaluate') as typeof import('../functions/evaluate'),
    alert: require('../functions/alert') as typeof import('../functions/alert'),
    check: require('../functions/check') as typeof import('../functions/check'),
    status: require('../functions/status') as typeof import('../functions/status'),
    health: require('../functions/health') as typeof import('../functions/health'),
    notifyTest: require('../functions/notify-test') as typeof import('../functions/notify-test'),
  }));
  const build: Record<AppFunctionName, () => FunctionRegistration> = {
    sweep: () => ({ ...fns.sweep.registration, handler: fns.sweep.makeSweepHandler(async () => sweepDeps(app)) }),
    evaluate: () => ({ ...fns.evaluate.registration, handler: fns.evaluate.makeEvaluateHandler(() => evaluatePipeline(app)) }),
    alert: () => ({ ...fns.alert.registration, handler: fns.alert.makeAlertHandler(() => alertPipeline(app)) }),
    check: () => ({ ...fns.check.registration, handler: fns.check.makeCheckHandler(async () => ({ azure: app.azure, settings: app.settings, now: app.now })) }),
    status: () => ({ ...fns.status.registration, handler: fns.status.makeStatusHandler(() => statusDeps(app)) }),
    health: () => ({ ...fns.health.registration, handler: fns.health.makeHealthHandler(async () => healthDeps(app)) }),
    notifyTest: () => ({ ...fns.notifyTest.registration, handler: fns.notifyTest.makeNotifyTestHandler(async () => notifyTestDeps(app)) }),
  };
  return names.map((n) => build[n]());
}

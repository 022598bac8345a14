// The Functions app's own functions — sweep, evaluate, alert, check, status, health, notifyTest — for an app the composition root
// (shared/app.ts) built, ready for the dev host. The demo and the HTTP tests run exactly these, with the sandbox as
// "Azure": each function module makes its registration for the app it is given, as it does for the app settings.
import type { FunctionRegistration } from '../functions/registration';
import type { AppEnvironment, AppSource } from '../shared/app';

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

/** The registrations of `names` (default: all of them), each handler wired to `app`. */
export function appRegistrations(app: AppEnvironment, names: readonly AppFunctionName[] = APP_FUNCTIONS): FunctionRegistration[] {
  // Loaded lazily: each module registers itself with @azure/functions when first required.
  const make: Record<AppFunctionName, (source: AppSource) => FunctionRegistration> = quietly(() => ({
    sweep: (require('../functions/sweep') as typeof import('../functions/sweep')).sweepFunction,
    evaluate: (require('../functions/evaluate') as typeof import('../functions/evaluate')).evaluateFunction,
    alert: (require('../functions/alert') as typeof import('../functions/alert')).alertFunction,
    check: (require('../functions/check') as typeof import('../functions/check')).checkFunction,
    status: (require('../functions/status') as typeof import('../functions/status')).statusFunction,
    health: (require('../functions/health') as typeof import('../functions/health')).healthFunction,
    notifyTest: (require('../functions/notify-test') as typeof import('../functions/notify-test')).notifyTestFunction,
  }));
  return names.map((n) => make[n](() => app));
}

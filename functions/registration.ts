// The convention every function file follows (DESIGN.md § Shape): it exports its handler and one `registration`
// (name, trigger, handler), made by `register(...)` at the bottom of the file. `register` hands it to the Functions
// host through `app.*`; the dev host (devhost/) reads the same `registration` and drives the handler itself.
// Functions write their outputs through shared/storage.ts (no output bindings), so a trigger is all there is to drive.
import { app, type HttpHandler, type HttpMethod, type StorageQueueHandler, type TimerHandler } from '@azure/functions';

export interface TimerTriggerSpec {
  type: 'timer';
  /** NCRONTAB, 6 fields (second minute hour day month weekday), UTC; `%SETTING%` is read from app settings. */
  schedule: string;
  runOnStartup?: boolean;
}

export interface QueueTriggerSpec {
  type: 'queue';
  /** Queue name, or `%SETTING%`. */
  queueName: string;
  /** Name of the app setting (prefix) holding the storage connection, e.g. `AzureWebJobsStorage`. */
  connection: string;
}

export interface HttpTriggerSpec {
  type: 'http';
  methods: HttpMethod[];
  authLevel: 'anonymous' | 'function' | 'admin';
  /** Path under /api; defaults to the function name. `{param}` and `{param?}` segments become request params. */
  route?: string;
}

export type TriggerSpec = TimerTriggerSpec | QueueTriggerSpec | HttpTriggerSpec;

export type TimerRegistration = { name: string; trigger: TimerTriggerSpec; handler: TimerHandler };
export type QueueRegistration = { name: string; trigger: QueueTriggerSpec; handler: StorageQueueHandler };
export type HttpRegistration = { name: string; trigger: HttpTriggerSpec; handler: HttpHandler };
export type FunctionRegistration = TimerRegistration | QueueRegistration | HttpRegistration;

/** Registers the function with the Functions host and returns the registration for the file to export. */
export function register<R extends FunctionRegistration>(reg: R): R {
  const r = reg as FunctionRegistration;
  switch (r.trigger.type) {
    case 'timer':
      app.timer(r.name, { schedule: r.trigger.schedule, runOnStartup: r.trigger.runOnStartup ?? false, handler: (r as TimerRegistration).handler });
      break;
    case 'queue':
      app.storageQueue(r.name, { queueName: r.trigger.queueName, connection: r.trigger.connection, handler: (r as QueueRegistration).handler });
      break;
    case 'http':
      app.http(r.name, { methods: r.trigger.methods, authLevel: r.trigger.authLevel, route: r.trigger.route, handler: (r as HttpRegistration).handler });
      break;
  }
  return reg;
}

/** True when `value` has the shape of a registration (the dev host's loader uses it on module exports). */
export function isFunctionRegistration(value: unknown): value is FunctionRegistration {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { name?: unknown; trigger?: { type?: unknown }; handler?: unknown };
  return typeof v.name === 'string' && typeof v.handler === 'function'
    && ['timer', 'queue', 'http'].includes(String(v.trigger?.type));
}

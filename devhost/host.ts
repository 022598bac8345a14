// The local stand-in for the Functions host (Core Tools cannot be installed here): it takes the same registrations
// the functions hand to app.* and drives their triggers — timers, storage queues on Azurite, HTTP on loopback.
import type { StorageSettings } from '../shared/config';
import { StorageClients, type StorageClientOptions } from '../shared/storage';
import type { FunctionRegistration, HttpRegistration, QueueRegistration, TimerRegistration } from '../functions/registration';
import { readHostConfig, type HostConfig, type QueueHostOptions } from './host-config';
import { HttpDriver, type HttpHostOptions, type HttpKeys } from './http';
import { resolveSetting, stderrLog, type DevLog } from './invocation';
import { loadRegistrations } from './load';
import { QueueDriver } from './queues';
import { TimerDriver } from './timers';

export interface DevHostOptions {
  /** The functions to drive; default: every module in functions/ that exports a `registration`. */
  registrations?: FunctionRegistration[];
  /** Where the queues live (needed when any queue trigger is registered). */
  storage?: StorageSettings;
  storageOptions?: StorageClientOptions;
  /** host.json as read (default: the repository's host.json); `queues` overrides single values (tests). */
  hostConfig?: HostConfig;
  queues?: Partial<QueueHostOptions>;
  /** `schedule` fires timers on their NCRONTAB schedule; `manual` only through runTimer(). Default `schedule`. */
  timers?: 'schedule' | 'manual';
  http?: HttpHostOptions;
  /** App settings for `%NAME%` references in triggers; default process.env. */
  env?: Record<string, string | undefined>;
  log?: DevLog;
}

export interface DevHost {
  /** Base URL of the HTTP routes (`…/api/<route>`), or null without HTTP functions. */
  httpUrl: string | null;
  keys: HttpKeys | null;
  /** Runs a timer function now; resolves when it finishes, rejects with its error. */
  runTimer(name: string): Promise<void>;
  /** Processes until every watched queue is empty and no handler runs; rejects after timeoutMs naming what is left. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startDevHost(options: DevHostOptions): Promise<DevHost> {
  const log = options.log ?? stderrLog;
  const env = options.env ?? process.env;
  const base = options.hostConfig ?? readHostConfig();
  const config: HostConfig = { ...base, queues: { ...base.queues, ...options.queues } };
  const registrations = options.registrations ?? loadRegistrations();
  const names = new Set<string>();
  for (const r of registrations) {
    if (names.has(r.name)) throw new Error(`two functions are registered as "${r.name}"`);
    names.add(r.name);
  }

  const timerRegs = registrations.filter((r): r is TimerRegistration => r.trigger.type === 'timer');
  const queueRegs = registrations.filter((r): r is QueueRegistration => r.trigger.type === 'queue');
  const httpRegs = registrations.filter((r): r is HttpRegistration => r.trigger.type === 'http');

  const timers = new Map(timerRegs.map((r) => [r.name, new TimerDriver(r, env, log, config.functionTimeoutMs)]));

  let queues: QueueDriver[] = [];
  if (queueRegs.length) {
    if (!options.storage) throw new Error(`queue functions (${queueRegs.map((r) => r.name).join(', ')}) need storage settings`);
    const clients = new StorageClients(options.storage, options.storageOptions);
    queues = queueRegs.map((r) => {
      const queueName = resolveSetting(r.trigger.queueName, env);
      return new QueueDriver(r, queueName, clients.queue(queueName), clients.queue(`${queueName}-poison`), config.queues, log, config.functionTimeoutMs);
    });
  }

  const httpDriver = httpRegs.length ? new HttpDriver(httpRegs, log, config.functionTimeoutMs, options.http) : null;

  const started: { stop(): unknown }[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  try {
    for (const q of queues) {
      await q.start();
      started.push(q);
    }
    if (httpDriver) {
      await httpDriver.start();
      started.push(httpDriver);
    }
    for (const t of timers.values()) {
      started.push(t);
      if ((options.timers ?? 'schedule') === 'schedule') t.start();
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  return {
    httpUrl: httpDriver ? httpDriver.baseUrl : null,
    keys: httpDriver ? httpDriver.keys : null,

    runTimer(name) {
      const t = timers.get(name);
      if (!t) return Promise.reject(new Error(`no timer function named "${name}" (timers: ${[...timers.keys()].join(', ') || 'none'})`));
      return t.run();
    },

    async drain({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let left: string[];
        for (const q of queues) q.kick();
        const busy = queues.some((q) => q.running > 0) || [...timers.values()].some((t) => t.busy);
        if (!busy) {
          const counts = await Promise.all(queues.map(async (q) => [q.queueName, await q.pending()] as const));
          left = counts.filter(([, n]) => n > 0).map(([name, n]) => `${name}: ${n} message(s)`);
          // Checked again after the count: a handler may have started between the two looks.
          if (left.length === 0 && !queues.some((q) => q.running > 0) && ![...timers.values()].some((t) => t.busy)) return;
        } else {
          left = [...queues.filter((q) => q.running > 0).map((q) => `${q.reg.name}: ${q.running} running`),
            ...[...timers.values()].filter((t) => t.busy).map((t) => `${t.reg.name}: running`)];
        }
        if (Date.now() > deadline) throw new Error(`drain timed out after ${timeoutMs} ms; still pending: ${left.join('; ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    stop: stopAll,
  };
}

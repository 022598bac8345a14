// health — HTTP GET /api/health (authLevel function): is tbmon itself sweeping? JSON of the last sweep (id, start,
// end, hosts, batches done/total), the last completed sweep, queue depths including the poison queues, outbox rows
// waiting and the last run errors (shared/health.ts). 503 when no sweep completed within twice the schedule's interval
// or the last sweep failed — what an availability test probes; poison messages make it `degraded` with 200. Its
// modules load with the first request, not with this file (cold start: shared/app.ts).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appFromAppSettings, healthDeps, type AppSource } from '../shared/app';
import type { HealthDeps } from '../shared/health';
import { buildOnce } from './once';
import { register, type HttpRegistration } from './registration';

export function makeHealthHandler(build: () => Promise<HealthDeps>) {
  const deps = buildOnce(build);
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    if (request.method !== 'GET') return { status: 405, headers: { allow: 'GET' }, jsonBody: { error: { code: 'MethodNotAllowed', message: 'use GET' } } };
    const { gatherHealth } = require('../shared/health') as typeof import('../shared/health');
    try {
      const health = await gatherHealth(await deps());
      if (health.status !== 'healthy') context.warn(`health: ${health.status}: ${health.reasons.join('; ')}`);
      return { status: health.status === 'unhealthy' ? 503 : 200, jsonBody: health, headers: { 'cache-control': 'no-store' } };
    } catch (e) {
      context.error(`health: ${(e as Error).message}`);
      return { status: 503, jsonBody: { status: 'unhealthy', reasons: ['tbmon\'s storage could not be read'], error: { code: 'StorageUnavailable', message: 'the sweep ledger or the queues could not be read; try again' } }, headers: { 'cache-control': 'no-store' } };
    }
  };
}

/** The health function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function healthFunction(app: AppSource): HttpRegistration {
  return {
    name: 'health',
    trigger: { type: 'http', methods: ['GET'], authLevel: 'function', route: 'health' },
    handler: makeHealthHandler(async () => healthDeps(app())),
  };
}

export const healthDepsFromAppSettings = async (): Promise<HealthDeps> => healthDeps(appFromAppSettings());

export const registration = register(healthFunction(appFromAppSettings));
export const health = registration.handler;

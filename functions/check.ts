// check — HTTP GET/POST /api/check (authLevel function): "why is my TensorBoard 502?" for one host, now.
// `host` is an ARM id, a compute/VM name or the TensorBoard URL; the answer is one host's report (JSON, schema v1)
// or HTML (Accept: text/html or ?format=html). Read-only. Bad input 400, out of scope 403, not found 404,
// ambiguous 409 (with the candidates) — never a 500 for bad input; Azure not answering (or part of the scope
// unreadable, so "not found" cannot be told) 503; the app's own settings wrong 500. The on-demand modules load with
// the first request, not with this file (cold start: shared/app.ts).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appFromAppSettings, checkDeps, type AppSource, type CheckDeps } from '../shared/app';
import { ConfigError } from '../shared/config';
import { RequestError } from '../shared/discovery/errors';
import { errorResponse, readJsonBody } from './http-json';
import { buildOnce } from './once';
import { register, type HttpRegistration } from './registration';

export type { CheckDeps };

export type CheckDepsFactory = () => Promise<CheckDeps>;

const MAX_BODY_BYTES = 16 * 1024;

type Wanted = { host: unknown; format: 'json' | 'html' };

/** The host asked for and the format, or a 4xx response that says what is wrong. */
export async function readCheckRequest(request: HttpRequest): Promise<Wanted | HttpResponseInit> {
  const formatParam = request.query.get('format');
  if (formatParam !== null && formatParam !== 'json' && formatParam !== 'html') return errorResponse(400, 'BadFormat', '"format" must be json or html');
  const accept = request.headers.get('accept') ?? '';
  const format: 'json' | 'html' = formatParam === 'html' || (formatParam === null && /text\/html/i.test(accept) && !/application\/json/i.test(accept)) ? 'html' : 'json';
  if (request.method === 'GET') {
    const all = request.query.getAll('host');
    if (all.length !== 1) return errorResponse(400, 'BadHost', all.length ? 'give "host" once' : 'the query parameter "host" is required: an ARM resource id, a compute or VM name, or a TensorBoard URL');
    return { host: all[0], format };
  }
  if (request.method !== 'POST') return errorResponse(405, 'MethodNotAllowed', 'use GET ?host=… or POST {"host": …}');
  const read = await readJsonBody(request, MAX_BODY_BYTES, 'a JSON body: {"host": "…"}');
  if (!read.ok) return read.response;
  const { body } = read;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return errorResponse(400, 'BadBody', 'the body must be a JSON object: {"host": "…"}');
  const extra = Object.keys(body).filter((k) => k !== 'host');
  if (extra.length) return errorResponse(400, 'BadBody', `unknown field(s) ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}: the body is {"host": "…"}`);
  return { host: (body as { host?: unknown }).host, format };
}

export function makeCheckHandler(build: CheckDepsFactory) {
  const deps = buildOnce(build);
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const wanted = await readCheckRequest(request);
    if (!('format' in wanted)) return wanted;
    let d: CheckDeps;
    try {
      d = await deps();
    } catch (e) {
      context.error(`check: not configured: ${(e as Error).message}`);
      return errorResponse(500, 'NotConfigured', e instanceof ConfigError ? e.message : 'tbmon is not configured; see the function logs');
    }
    const { checkHostNow, parseOrThrow } = require('../shared/ondemand') as typeof import('../shared/ondemand');
    try {
      const report = await checkHostNow(parseOrThrow(wanted.host), { azure: d.azure, settings: d.settings, now: d.now?.() });
      if (wanted.format === 'html') return { status: 200, body: (require('../shared/report/html') as typeof import('../shared/report/html')).renderReportHtml(report), headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } };
      return { status: 200, jsonBody: report, headers: { 'cache-control': 'no-store' } };
    } catch (e) {
      // Each request error carries its status, code and what the caller may read; the app's own faults and Azure's
      // go to the log in full.
      if (e instanceof RequestError) {
        if (e.status >= 500) context.error(`check: ${e.message}`);
        return errorResponse(e.status, e.code, e.publicMessage, e.body());
      }
      context.error(`check: ${(e as Error).message}`);
      return errorResponse(503, 'AzureUnavailable', 'the check could not be completed: an Azure API did not answer; try again');
    }
  };
}

/** The check function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function checkFunction(app: AppSource): HttpRegistration {
  return {
    name: 'check',
    trigger: { type: 'http', methods: ['GET', 'POST'], authLevel: 'function', route: 'check' },
    handler: makeCheckHandler(async () => checkDeps(app())),
  };
}

export const depsFromAppSettings: CheckDepsFactory = async () => checkDeps(appFromAppSettings());

export const registration = register(checkFunction(appFromAppSettings));
export const check = registration.handler;

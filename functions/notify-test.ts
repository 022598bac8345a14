// notifyTest — HTTP POST /api/notify-test (authLevel admin: the app's master key, operators only) with
// {"recipient": "<email address>" | "teams"}: sends a sample digest through the configured channels (ACS email,
// the Teams webhook) and answers what each did — the HTTP side of `tbmon notify --test`, to verify a deploy end to
// end. 200 when every channel tried accepted it, 502 when one refused, 400/405/413/415 for bad requests.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appFromAppSettings, notifyTestDeps, type AppSource } from '../shared/app';
import { isEmailAddress } from '../shared/config';
import { sendTestNotification, type TestNotificationDeps } from '../shared/notify/test-notification';
import { errorResponse, readJsonBody } from './http-json';
import { buildOnce } from './once';
import { register, type HttpRegistration } from './registration';

const MAX_BODY_BYTES = 4 * 1024;

export function makeNotifyTestHandler(build: () => Promise<TestNotificationDeps>) {
  const deps = buildOnce(build);
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    if (request.method !== 'POST') return { ...errorResponse(405, 'MethodNotAllowed', 'POST {"recipient": "<email address>" | "teams"}'), headers: { allow: 'POST' } };
    const read = await readJsonBody(request, MAX_BODY_BYTES, 'a JSON body');
    if (!read.ok) return read.response;
    const { body } = read;
    const recipient = (body as { recipient?: unknown } | null)?.recipient;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'recipient')) {
      return errorResponse(400, 'BadBody', 'the body is {"recipient": "<email address>" | "teams"}');
    }
    if (typeof recipient !== 'string' || (recipient !== 'teams' && !isEmailAddress(recipient))) return errorResponse(400, 'BadRecipient', '"recipient" must be an email address or "teams"');
    let d: TestNotificationDeps;
    try {
      d = await deps();
    } catch (e) {
      context.error(`notify-test: not configured: ${(e as Error).message}`);
      return errorResponse(500, 'NotConfigured', 'the app\'s settings are not valid; see the app\'s log');
    }
    if (!d.email && !d.teams) return errorResponse(409, 'NoChannel', 'no channel is configured: set ACS_ENDPOINT (or ACS_CONNECTION_STRING) with TBMON_ALERT_EMAIL_FROM, and/or TEAMS_WEBHOOK_URL');
    const tries = await sendTestNotification(recipient.toLowerCase(), d);
    for (const t of tries) context.log(`notify-test: ${t.channel} to ${t.to}: ${t.ok ? 'sent' : 'not sent'}: ${t.detail}`);
    return { status: tries.every((t) => t.ok) ? 200 : 502, jsonBody: { sent: tries }, headers: { 'cache-control': 'no-store' } };
  };
}

/** The notify-test function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function notifyTestFunction(app: AppSource): HttpRegistration {
  return {
    name: 'notifyTest',
    trigger: { type: 'http', methods: ['POST'], authLevel: 'admin', route: 'notify-test' },
    handler: makeNotifyTestHandler(async () => notifyTestDeps(app())),
  };
}

export const registration = register(notifyTestFunction(appFromAppSettings));
export const notifyTest = registration.handler;

// Azure Communication Services Email: POST /emails:send (HMAC-SHA256 verified exactly as the SDK signs, see
// SDK-NOTES §4) and GET /emails/operations/{id}. Sent mail lands in the outbox; nothing leaves the machine.
import crypto from 'node:crypto';
import { errorReply, header, jsonBody, type Reply, type SandboxRequest } from './http';

/** The access key used when a tenant names none (base64, as ACS keys are). Test-only, not a secret. */
export const DEFAULT_ACS_ACCESS_KEY = Buffer.from('tbmon-sandbox-acs-access-key-for-tests-only').toString('base64');
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

export interface SentEmail {
  operationId: string;
  senderAddress: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  html?: string;
  plainText?: string;
}

export interface EmailState {
  accessKey: string;
  outbox: SentEmail[];
  /** Operation id → the operation's final status (the sandbox completes every send at once). */
  operations: Map<string, { id: string; status: 'Succeeded' }>;
}

const denied = (message: string) => errorReply(401, 'Denied', message);

/** Checks the HMAC the SDK signs: content hash of the body, then the signature over method, path+query and headers. */
export function verifyHmac(req: SandboxRequest, accessKey: string): string | undefined {
  const auth = header(req, 'authorization') ?? '';
  const m = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(auth);
  if (!m) return 'Missing or malformed HMAC-SHA256 authorization header.';
  const signed = m[1].split(';').map((h) => h.toLowerCase());
  if (signed.join(';') !== 'x-ms-date;host;x-ms-content-sha256') return `Unexpected SignedHeaders "${m[1]}".`;
  const date = header(req, 'x-ms-date');
  const host = header(req, 'host');
  const contentHash = header(req, 'x-ms-content-sha256');
  if (!date || !host || !contentHash) return 'x-ms-date, host and x-ms-content-sha256 must all be present.';
  const when = Date.parse(date);
  if (Number.isNaN(when) || Math.abs(Date.now() - when) > MAX_CLOCK_SKEW_MS) return 'x-ms-date is missing, unreadable or more than 15 minutes off.';
  const actualHash = crypto.createHash('sha256').update(req.body).digest('base64');
  if (actualHash !== contentHash) return 'The x-ms-content-sha256 header does not match the request body.';
  const toSign = `${req.method}\n${req.rawUrl}\n${date};${host};${contentHash}`;
  const expected = crypto.createHmac('sha256', Buffer.from(accessKey, 'base64')).update(toSign, 'utf8').digest();
  const given = Buffer.from(m[2], 'base64');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'The request signature does not match (wrong access key or altered request).';
  return undefined;
}

interface EmailMessage {
  senderAddress?: string;
  content?: { subject?: string; plainText?: string; html?: string };
  recipients?: { to?: { address?: string }[]; cc?: { address?: string }[]; bcc?: { address?: string }[] };
}

const addresses = (list: { address?: string }[] | undefined) => (list ?? []).map((r) => String(r.address ?? ''));
const looksLikeEmail = (a: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a);

function send(req: SandboxRequest, state: EmailState, operationLocationBase: string): Reply {
  const apiVersion = req.query.get('api-version');
  if (!apiVersion) return errorReply(400, 'MissingApiVersionParameter', 'The api-version query parameter is required.');
  const operationId = header(req, 'operation-id') ?? crypto.randomUUID();
  const location = `${operationLocationBase}/emails/operations/${operationId}?api-version=${apiVersion}`;
  const running = { status: 202, headers: { 'operation-location': location, 'retry-after': '0' }, body: { id: operationId, status: 'Running' } };
  // A repeated Operation-Id answers the earlier operation and sends nothing (an assumption about ACS, see SANDBOX.md).
  if (state.operations.has(operationId)) return running;

  const msg = jsonBody<EmailMessage>(req);
  if (!msg) return errorReply(400, 'BadRequest', 'The request body must be a JSON email message.');
  if (!msg.senderAddress || !looksLikeEmail(msg.senderAddress)) return errorReply(400, 'InvalidSenderAddress', 'senderAddress must be an email address.');
  if (!msg.content?.subject) return errorReply(400, 'BadRequest', 'content.subject is required.');
  if (!msg.content.plainText && !msg.content.html) return errorReply(400, 'BadRequest', 'content.plainText or content.html is required.');
  const to = addresses(msg.recipients?.to);
  const cc = addresses(msg.recipients?.cc);
  const bcc = addresses(msg.recipients?.bcc);
  if (to.length + cc.length + bcc.length === 0) return errorReply(400, 'BadRequest', 'At least one recipient is required.');
  const bad = [...to, ...cc, ...bcc].find((a) => !looksLikeEmail(a));
  if (bad !== undefined) return errorReply(400, 'InvalidEmailAddress', `The email address '${bad}' is not valid.`);

  state.outbox.push({
    operationId, senderAddress: msg.senderAddress, to, cc, bcc,
    subject: msg.content.subject, html: msg.content.html, plainText: msg.content.plainText,
  });
  state.operations.set(operationId, { id: operationId, status: 'Succeeded' });
  return running;
}

export function emailReply(req: SandboxRequest, state: EmailState, baseUrl: string): Reply {
  // Bearer tokens (the managed-identity form) are accepted like everywhere else in the sandbox; HMAC is verified.
  if (!/^Bearer /i.test(header(req, 'authorization') ?? '')) {
    const problem = verifyHmac(req, state.accessKey);
    if (problem) return denied(problem);
  }
  if (req.path === '/emails:send' && req.method === 'POST') return send(req, state, baseUrl);
  const op = /^\/emails\/operations\/([^/]+)$/.exec(req.path);
  if (op && req.method === 'GET') {
    const found = state.operations.get(op[1]);
    return found
      ? { status: 200, headers: { 'retry-after': '0' }, body: found }
      : errorReply(404, 'NotFound', `The operation '${op[1]}' was not found.`);
  }
  return errorReply(404, 'NotFound', `No ACS Email route for ${req.method} ${req.path}.`);
}

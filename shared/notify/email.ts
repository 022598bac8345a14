// The digest email: rendered as HTML and plain text (everything from Azure escaped), sent through Azure
// Communication Services with the `@azure/communication-email` client — managed identity with ACS_ENDPOINT, or the
// HMAC access key in ACS_CONNECTION_STRING — carrying the digest id as a stable `Operation-Id`.
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, type PipelineRetryOptions } from '@azure/core-rest-pipeline';
import { createCommunicationAuthPolicy, parseClientArguments } from '@azure/communication-common';
import { EmailClient, type EmailMessage } from '@azure/communication-email';
import { countingPolicy, RequestCounter } from '../azure';
import type { Settings } from '../config';
import type { Notice } from '../notices';
import { parseRetryAfter } from '../retry-after';
import { digestTitle, type Digest, type HostSection } from './digest';
import { hostLink, type LinkOptions } from './links';

export interface RenderedEmail {
  subject: string;
  html: string;
  plainText: string;
}

export interface RenderOptions extends LinkOptions {
  /** Longest evidence shown per check (characters of JSON); the rest is cut with a note. */
  maxEvidenceChars?: number;
  /** Regressed hosts shown in full (checks, evidence, fix); the rest get one line each — ACS takes 10 MB at most. */
  maxDetailedHosts?: number;
}

const DEFAULT_EVIDENCE_CHARS = 1000;
const DEFAULT_DETAILED_HOSTS = 100;

export function renderEmail(d: Digest, opts: RenderOptions = {}): RenderedEmail {
  const subject = digestTitle(d);
  return { subject, html: renderHtml(d, subject, opts), plainText: renderText(d, subject, opts) };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function transition(n: Notice): string {
  return `${n.from ?? 'new'} → ${n.to ?? '?'}`;
}

/** What else a host's section holds beside the part its line leads with: "; recovered: a, b; no data: c". */
function alsoText(h: HostSection, lead: 'regressions' | 'recoveries' | 'dataGaps'): string {
  const parts: string[] = [];
  if (lead !== 'regressions' && h.regressions.length) parts.push(`regressed: ${h.regressions.map((n) => `${n.checkId ?? ''} (${transition(n)})`).join(', ')}`);
  if (lead !== 'recoveries' && h.recoveries.length) parts.push(`recovered: ${h.recoveries.map((n) => `${n.checkId ?? ''} (${transition(n)})`).join(', ')}`);
  if (lead !== 'dataGaps' && h.dataGaps.length) parts.push(`no data: ${h.dataGaps.map((n) => n.checkId ?? '').join(', ')}`);
  return parts.map((p) => `; ${p}`).join('');
}

function evidenceText(n: Notice, max: number): string | null {
  const ev = n.check?.evidence;
  if (!ev || Object.keys(ev).length === 0) return null;
  let s: string;
  try {
    s = JSON.stringify(ev, null, 2);
  } catch {
    return null; // not serialisable (a BigInt from a table read): shown nowhere rather than half
  }
  return s.length > max ? `${s.slice(0, max)}\n… (${s.length - max} more characters; see the host's report)` : s;
}

function where(h: HostSection['host']): string {
  const parts = [h.kind, `subscription ${h.subscriptionId}`, `resource group ${h.resourceGroup}`];
  if (h.workspace) parts.push(`workspace ${h.workspace}`);
  return parts.join(' · ');
}

const GROUP_HEADINGS: Record<HostSection['group'], string> = {
  failing: 'Failing',
  warning: 'Warning',
  'no-data': 'No data',
  recovered: 'Recovered',
  gone: 'Gone',
};

function renderHtml(d: Digest, subject: string, opts: RenderOptions): string {
  const max = opts.maxEvidenceChars ?? DEFAULT_EVIDENCE_CHARS;
  const e = escapeHtml;
  const out: string[] = [];
  out.push('<!DOCTYPE html><html><head><meta charset="utf-8"><title>', e(subject), '</title></head>');
  out.push('<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222;max-width:900px">');
  out.push('<h1 style="font-size:18px">', e(subject), '</h1>');
  out.push(`<p style="color:#555">Sweep ${e(d.sweepId)} · ${d.hosts.length} host${d.hosts.length === 1 ? '' : 's'} in this digest.</p>`);

  const regressed = d.hosts.filter((h) => h.regressions.length);
  const detailed = regressed.slice(0, opts.maxDetailedHosts ?? DEFAULT_DETAILED_HOSTS);
  for (const h of detailed) {
    const link = hostLink(h.host, opts);
    out.push('<div style="border-top:1px solid #ddd;margin-top:16px;padding-top:8px">');
    out.push(`<h2 style="font-size:16px;margin:0">${e(h.host.name)} <span style="color:${h.group === 'failing' ? '#b00020' : '#b26a00'}">${e(GROUP_HEADINGS[h.group])}</span></h2>`);
    out.push(`<p style="color:#555;margin:4px 0">${e(where(h.host))} · <a href="${e(link.url)}">${e(link.title)}</a></p>`);
    for (const n of h.regressions) {
      out.push('<div style="margin:8px 0 8px 12px">');
      out.push(`<p style="margin:0"><b>${e(n.checkId ?? '')}</b> (${e(transition(n))}, ${e(n.check?.severity ?? '')}): ${e(n.check?.summary ?? '')}</p>`);
      // The fix first: it is what the reader acts on; the evidence (cut short) is there to trust it.
      if (n.check?.remediation) out.push('<p style="margin:4px 0 0">Fix:</p><pre style="background:#f6f8fa;padding:6px;white-space:pre-wrap">', e(n.check.remediation), '</pre>');
      const ev = evidenceText(n, max);
      if (ev) out.push('<p style="margin:4px 0 0">Evidence:</p><pre style="background:#f6f8fa;padding:6px;white-space:pre-wrap;font-size:12px">', e(ev), '</pre>');
      out.push('</div>');
    }
    out.push(...shortList(h));
    out.push('</div>');
  }

  const shortSection = (title: string, hosts: HostSection[], line: (h: HostSection) => string) => {
    if (!hosts.length) return;
    out.push(`<h2 style="font-size:16px;border-top:1px solid #ddd;margin-top:16px;padding-top:8px">${e(title)}</h2><ul>`);
    for (const h of hosts) {
      const link = hostLink(h.host, opts);
      out.push(`<li><a href="${e(link.url)}">${e(h.host.name)}</a> — ${line(h)}</li>`);
    }
    out.push('</ul>');
  };
  // A host is listed once, under its group, and its line tells everything else its section holds too.
  shortSection(`More regressed hosts (${regressed.length - detailed.length})`, regressed.slice(detailed.length), (h) =>
    h.regressions.map((n) => `${e(n.checkId ?? '')} (${e(transition(n))})`).join(', ') + e(alsoText(h, 'regressions')));
  shortSection('No data', d.hosts.filter((h) => h.group === 'no-data'), (h) =>
    h.dataGaps.map((n) => `${e(n.checkId ?? '')}: no evidence for several sweeps${n.check?.hint ? ` — ${e(n.check.hint)}` : ''}`).join('; ') + e(alsoText(h, 'dataGaps')));
  shortSection('Recovered', d.hosts.filter((h) => h.group === 'recovered'), (h) =>
    h.recoveries.map((n) => `${e(n.checkId ?? '')} (${e(transition(n))})`).join(', ') + e(alsoText(h, 'recoveries')));
  shortSection('Gone', d.hosts.filter((h) => h.group === 'gone'), (h) =>
    `no longer found (${e(where(h.host))})`);

  out.push('<p style="color:#777;font-size:12px;margin-top:24px">Sent by tbmon, which checks TensorBoard hosts for the causes of 502 Bad Gateway. ');
  out.push('One email per sweep; you get it because a host names you as its owner (or no owner is set).</p></body></html>');
  return out.join('');

  function shortList(h: HostSection): string[] {
    const lines: string[] = [];
    if (h.recoveries.length) lines.push(`<p style="margin:4px 0 0 12px">Recovered: ${h.recoveries.map((n) => e(n.checkId ?? '')).join(', ')}</p>`);
    if (h.dataGaps.length) lines.push(`<p style="margin:4px 0 0 12px">No data: ${h.dataGaps.map((n) => e(n.checkId ?? '')).join(', ')}</p>`);
    return lines;
  }
}

function renderText(d: Digest, subject: string, opts: RenderOptions): string {
  const max = opts.maxEvidenceChars ?? DEFAULT_EVIDENCE_CHARS;
  const out: string[] = [subject, '', `Sweep ${d.sweepId}`, ''];
  const regressed = d.hosts.filter((x) => x.regressions.length);
  const detailed = regressed.slice(0, opts.maxDetailedHosts ?? DEFAULT_DETAILED_HOSTS);
  for (const h of detailed) {
    out.push(`== ${h.host.name} (${GROUP_HEADINGS[h.group]})`, `   ${where(h.host)}`, `   ${hostLink(h.host, opts).url}`);
    for (const n of h.regressions) {
      out.push('', `   * ${n.checkId ?? ''} (${transition(n)}, ${n.check?.severity ?? ''}): ${n.check?.summary ?? ''}`);
      if (n.check?.remediation) out.push('     Fix:', ...n.check.remediation.split('\n').map((l) => `       ${l}`));
      const ev = evidenceText(n, max);
      if (ev) out.push('     Evidence:', ...ev.split('\n').map((l) => `       ${l}`));
    }
    if (h.recoveries.length) out.push(`   Recovered: ${h.recoveries.map((n) => n.checkId ?? '').join(', ')}`);
    if (h.dataGaps.length) out.push(`   No data: ${h.dataGaps.map((n) => n.checkId ?? '').join(', ')}`);
    out.push('');
  }
  const section = (title: string, hosts: HostSection[], line: (h: HostSection) => string) => {
    if (!hosts.length) return;
    out.push(`== ${title}`);
    for (const h of hosts) out.push(`   - ${h.host.name}: ${line(h)}`, `     ${hostLink(h.host, opts).url}`);
    out.push('');
  };
  section(`More regressed hosts (${regressed.length - detailed.length})`, regressed.slice(detailed.length), (h) =>
    h.regressions.map((n) => `${n.checkId ?? ''} (${transition(n)})`).join(', ') + alsoText(h, 'regressions'));
  section('No data', d.hosts.filter((h) => h.group === 'no-data'), (h) =>
    h.dataGaps.map((n) => `${n.checkId ?? ''}: no evidence for several sweeps${n.check?.hint ? ` — ${n.check.hint}` : ''}`).join('; ') + alsoText(h, 'dataGaps'));
  section('Recovered', d.hosts.filter((h) => h.group === 'recovered'), (h) => h.recoveries.map((n) => `${n.checkId ?? ''} (${transition(n)})`).join(', ') + alsoText(h, 'recoveries'));
  section('Gone', d.hosts.filter((h) => h.group === 'gone'), (h) => `no longer found (${where(h.host)})`);
  out.push('-- tbmon (one email per sweep; you get it because a host names you as its owner, or no owner is set)');
  return out.join('\n');
}

export interface EmailClientDeps {
  /** For ACS_ENDPOINT (managed identity); unused with a connection string. */
  credential?: TokenCredential;
  /** Extra CA (PEM) to trust: the sandbox's certificate. */
  caCert?: string;
  retry?: PipelineRetryOptions;
  counter?: RequestCounter;
}

/** The ACS email client the settings ask for, or null when email is not configured. */
export function createEmailClient(settings: Pick<Settings, 'acsEndpoint' | 'acsConnectionString'>, deps: EmailClientDeps): EmailClient | null {
  const options = {
    retryOptions: deps.retry,
    tlsOptions: deps.caCert ? { ca: deps.caCert } : undefined,
    additionalPolicies: deps.counter ? [{ policy: countingPolicy(deps.counter, 'email'), position: 'perRetry' as const }] : [],
  };
  if (settings.acsConnectionString) return new EmailClient(settings.acsConnectionString, options);
  if (settings.acsEndpoint) {
    if (!deps.credential) throw new Error('ACS_ENDPOINT is set but no credential was given for the managed identity');
    return new EmailClient(settings.acsEndpoint, deps.credential, options);
  }
  return null;
}

/**
 * What ACS says about an earlier send attempt (`GET /emails/operations/{operation-id}`, the id being the Operation-Id
 * the client sent): `accepted` — ACS has it (NotStarted, Running or Succeeded: resending would duplicate it);
 * `failed` — ACS took it and could not deliver (Failed, Canceled); `unknown` — ACS never saw it (404).
 */
export type EmailOperationState = 'accepted' | 'failed' | 'unknown';

/** The ACS API version the SDK speaks (@azure/communication-email 1.1.0). */
const ACS_EMAIL_API_VERSION = '2025-09-01';

/**
 * A reader of ACS email operations with the same endpoint, credential (HMAC key or managed identity), TLS, retry and
 * request counting as the email client; null when email is not configured. The SDK's EmailClient offers no call for
 * it, so this builds the same pipeline from @azure/communication-common's client-argument parsing and auth policy.
 */
export function createEmailOperationReader(settings: Pick<Settings, 'acsEndpoint' | 'acsConnectionString'>, deps: EmailClientDeps): ((operationId: string) => Promise<EmailOperationState>) | null {
  const source = settings.acsConnectionString ?? settings.acsEndpoint;
  if (!source) return null;
  if (!settings.acsConnectionString && !deps.credential) throw new Error('ACS_ENDPOINT is set but no credential was given for the managed identity');
  const { url, credential } = parseClientArguments(source, settings.acsConnectionString ? undefined : deps.credential);
  const pipeline = createPipelineFromOptions({ retryOptions: deps.retry, tlsOptions: deps.caCert ? { ca: deps.caCert } : undefined });
  pipeline.addPolicy(createCommunicationAuthPolicy(credential));
  if (deps.counter) pipeline.addPolicy(countingPolicy(deps.counter, 'email'), { phase: 'Retry' });
  const client = createDefaultHttpClient();
  return async (operationId) => {
    const target = `${url.replace(/\/+$/, '')}/emails/operations/${encodeURIComponent(operationId)}?api-version=${ACS_EMAIL_API_VERSION}`;
    const res = await pipeline.sendRequest(client, createPipelineRequest({ url: target, method: 'GET', headers: createHttpHeaders({ accept: 'application/json' }) }));
    if (res.status === 404) return 'unknown';
    if (res.status !== 200) {
      throw new EmailSendError(`ACS email operation lookup answered ${res.status}`, res.status, 'OperationLookupFailed', parseRetryAfter(res.headers.get('retry-after')));
    }
    const status = String((JSON.parse(res.bodyAsText ?? '{}') as { status?: unknown }).status ?? '').toLowerCase();
    return status === 'failed' || status === 'canceled' ? 'failed' : 'accepted';
  };
}

export interface SentEmail {
  operationId: string;
  /** ACS operation status once known (Succeeded, Running, …). */
  status: string;
}

/** Thrown when ACS refused or failed a send; `retryAfterMs` when it said when to try again (429). */
export class EmailSendError extends Error {
  constructor(message: string, readonly statusCode: number | null, readonly code: string, readonly retryAfterMs: number | null) {
    super(message);
    this.name = 'EmailSendError';
  }
}

/**
 * Sends one digest to one recipient (addressed to that person alone). ACS answers 202 once it has queued the mail;
 * that acceptance is what counts (waiting for delivery would cost a status poll per `retry-after`, often 20 s, per
 * recipient) unless `waitForCompletion` asks for the final status. The client's pipeline already retries 429/5xx
 * honouring `Retry-After`; what still fails becomes an EmailSendError carrying only status, code and ACS's message
 * (never headers, which hold the signature).
 */
export async function sendEmail(
  client: EmailClient,
  from: string,
  to: string,
  rendered: RenderedEmail,
  operationId: string,
  opts: { updateIntervalInMs?: number; waitForCompletion?: boolean; abortSignal?: AbortSignal } = {},
): Promise<SentEmail> {
  const message: EmailMessage = {
    senderAddress: from,
    recipients: { to: [{ address: to }] },
    content: { subject: rendered.subject, html: rendered.html, plainText: rendered.plainText },
    disableUserEngagementTracking: true,
  };
  try {
    const poller = await client.beginSend(message, { operationId, updateIntervalInMs: opts.updateIntervalInMs, abortSignal: opts.abortSignal });
    if (opts.waitForCompletion) {
      const result = await poller.pollUntilDone({ abortSignal: opts.abortSignal });
      return { operationId, status: String(result.status) };
    }
    const state = poller.getOperationState();
    if (state.status === 'failed' || state.status === 'canceled') {
      const err = state.error as { message?: string } | undefined;
      throw new EmailSendError(`ACS email operation ${state.status}: ${err?.message ?? 'no reason given'}`, null, 'OperationFailed', null);
    }
    return { operationId, status: String(state.result?.status ?? (state.status === 'succeeded' ? 'Succeeded' : 'Running')) };
  } catch (err) {
    throw err instanceof EmailSendError ? err : toSendError(err);
  }
}

function toSendError(err: unknown): EmailSendError {
  const e = err as { statusCode?: number; code?: string; message?: string; response?: { headers?: { get(name: string): string | undefined } } };
  const retryAfter = parseRetryAfter(e.response?.headers?.get('retry-after'));
  const msg = (e.message ?? String(err)).split('\n')[0].slice(0, 300);
  return new EmailSendError(`ACS email send failed${e.statusCode ? ` (${e.statusCode})` : ''}: ${msg}`, e.statusCode ?? null, e.code ?? 'SendFailed', retryAfter);
}


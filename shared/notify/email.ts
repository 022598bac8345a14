// The digest email: rendered as HTML and plain text (everything from Azure escaped), sent through Azure
// Communication Services with the `@azure/communication-email` client — managed identity with ACS_ENDPOINT, or the
// HMAC access key in ACS_CONNECTION_STRING — carrying the digest id as a stable `Operation-Id`.
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, type PipelineRetryOptions } from '@azure/core-rest-pipeline';
import { createCommunicationAuthPolicy, parseClientArguments } from '@azure/communication-common';
import { EmailClient, type EmailMessage } from '@azure/communication-email';
import { countingPolicy, RequestCounter } from '../azure';
import type { Settings } from '../config';
import { parseRetryAfter } from '../retry-after';
import { SUPPRESS_TAG } from '../suppressions';
import type { Digest, HostSection } from './digest';
import { hostLink, type LinkOptions } from './links';
import {
  byReportOrder, dateAfter, decidingResources, failingSince, launcherLink, messageTitle, noticeSentence, portalLink, repeatWords, statusLink,
  suppressCommand, suppressValue, tensorboardUrl, when,
} from './words';

export interface RenderedEmail {
  subject: string;
  html: string;
  plainText: string;
}

export interface RenderOptions extends LinkOptions {
  /** Regressed hosts shown in full (cause, fix, links); the rest get one line each — ACS takes 10 MB at most. */
  maxDetailedHosts?: number;
  /** Days a suppression proposed in the email lasts (its end date is written into the tag value). */
  suppressDays?: number;
}

const DEFAULT_DETAILED_HOSTS = 100;
const DEFAULT_SUPPRESS_DAYS = 14;

/**
 * The digest as one email (DESIGN.md "Words for people"): the subject says what broke, where, and whether it is new;
 * the first screen is each host's cause in one plain sentence and its fix in a block to copy; then when it started,
 * the links (the host's section of the status page, studio/portal, TensorBoard), how to silence it with the exact
 * `tbmon-suppress` value, and recoveries in one line each. No evidence JSON, no internal ids (check ids in small
 * print only, for the suppress tag).
 */
export function renderEmail(d: Digest, opts: RenderOptions = {}): RenderedEmail {
  const subject = messageTitle(d);
  const view = viewOf(d, opts);
  return { subject, html: renderHtml(view, subject), plainText: renderText(view, subject) };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

interface Finding { sentence: string; fix: string | null; checkId: string; repeat: string; hint: string | null }
interface HostView {
  section: HostSection;
  heading: string;
  since: string | null;
  findings: Finding[];
  recovered: string[];
  noData: Finding[];
  links: { label: string; url: string }[];
  suppress: { value: string; command: string } | null;
  where: string;
  /** Every check the host's section tells of (small print: the suppress tag and the JSON use them). */
  ids: string[];
}
interface View { detailed: HostView[]; brief: HostView[]; noData: HostView[]; recovered: HostView[]; gone: HostView[]; launcher: string | null; statusUrl: string | null; total: number }

const HEADINGS: Record<HostSection['group'], string> = { failing: 'failing', warning: 'warning', 'no-data': 'no data', recovered: 'recovered', gone: 'gone' };

function viewOf(d: Digest, opts: RenderOptions): View {
  const until = dateAfter(d.notices[0]?.observedAt ?? new Date().toISOString(), opts.suppressDays ?? DEFAULT_SUPPRESS_DAYS);
  const hostView = (h: HostSection): HostView => {
    const regs = [...h.regressions].sort(byReportOrder);
    const findings = regs.map((n): Finding => ({ sentence: noticeSentence(n), fix: n.check?.remediation?.trim() || null, checkId: n.checkId ?? '', repeat: repeatWords(n), hint: null }));
    const links: { label: string; url: string }[] = [];
    const status = statusLink(opts.statusUrl, h.host);
    if (status) links.push({ label: 'Details and history on the status page', url: status });
    const open = hostLink(h.host, opts);
    links.push({ label: open.title, url: open.url });
    const tb = tensorboardUrl(h.host);
    if (tb) links.push({ label: 'TensorBoard', url: tb });
    for (const n of regs) for (const r of decidingResources(n.check ?? {})) {
      if (!links.some((l) => l.label.endsWith(` ${r.name}`))) links.push({ label: `Portal: ${r.kind} ${r.name}`, url: portalLink(r.id, opts) });
    }
    const ids = regs.map((n) => n.checkId ?? '').filter(Boolean);
    const value = ids.length ? suppressValue(ids, until) : null;
    const tags = regs.map((n) => n.repeat).filter(Boolean);
    const again = tags.includes('again');
    const since = failingSince(h);
    return {
      section: h,
      heading: `${h.host.name} — ${HEADINGS[h.group]}${again ? ', back again' : tags.length && tags.every((t) => t === 'new') ? ', new' : ''}`,
      since,
      findings,
      recovered: [...h.recoveries].map((n) => noticeSentence(n)),
      noData: h.dataGaps.map((n): Finding => ({ sentence: noticeSentence(n), fix: null, checkId: n.checkId ?? '', repeat: '', hint: n.check?.hint ?? null })),
      links,
      suppress: value ? { value, command: suppressCommand(h.host, value) } : null,
      where: [h.host.workspace ? `workspace ${h.host.workspace}` : null, `resource group ${h.host.resourceGroup}`, `subscription ${h.host.subscriptionId}`].filter(Boolean).join(' · '),
      ids: [...new Set([...regs, ...h.recoveries, ...h.dataGaps].map((n) => n.checkId ?? '').filter(Boolean))],
    };
  };
  const regressed = d.hosts.filter((h) => h.regressions.length).map(hostView);
  const max = opts.maxDetailedHosts ?? DEFAULT_DETAILED_HOSTS;
  return {
    detailed: regressed.slice(0, max),
    brief: regressed.slice(max),
    noData: d.hosts.filter((h) => h.group === 'no-data').map(hostView),
    recovered: d.hosts.filter((h) => h.group === 'recovered').map(hostView),
    gone: d.hosts.filter((h) => h.group === 'gone').map(hostView),
    launcher: launcherLink(opts.statusUrl),
    statusUrl: opts.statusUrl ?? null,
    total: d.hosts.length,
  };
}

/** One line telling everything a host's section holds: its failures, data gaps, recoveries, or that it is gone. */
function briefText(h: HostView): string {
  const parts: string[] = [];
  if (h.findings.length) parts.push(h.findings.map((f) => f.sentence).join('; '));
  if (h.noData.length) parts.push(`no data: ${h.noData.map((f) => `${f.sentence}${f.hint ? ` (${f.hint})` : ''}`).join('; ')}`);
  if (h.recovered.length) parts.push(`fine again since ${when(h.section.recoveries[0]?.observedAt)}: ${h.recovered.join('; ')}`);
  if (h.section.gone) parts.push('no longer found in Azure; tbmon stopped checking it');
  return parts.join(' · ');
}

const FIX = 'background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;white-space:pre-wrap;word-break:break-word;font:13px/1.4 Consolas,Menlo,monospace';
const SMALL = 'color:#666;font-size:12px;margin:4px 0';

function renderHtml(v: View, subject: string): string {
  const e = escapeHtml;
  const a = (url: string, label: string) => `<a href="${e(url)}">${e(label)}</a>`;
  const out: string[] = [];
  out.push('<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>', e(subject), '</title></head>');
  out.push('<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.45;color:#222;max-width:860px;margin:0 auto;padding:8px">');
  for (const h of v.detailed) {
    out.push(`<div style="border-left:4px solid ${h.section.group === 'failing' ? '#b00020' : '#b26a00'};padding:4px 0 4px 12px;margin:12px 0 20px">`);
    out.push(`<h2 style="font-size:17px;margin:0 0 4px">${e(h.heading)}</h2>`);
    for (const [i, f] of h.findings.entries()) {
      out.push(`<p style="margin:${i ? '12px' : '4px'} 0 4px;font-size:15px"><b>${e(f.sentence)}</b></p>`);
      if (f.fix) out.push('<p style="margin:4px 0 2px">Fix — copy and run:</p>', `<pre style="${FIX}">${e(f.fix)}</pre>`);
    }
    out.push(`<p style="margin:8px 0 4px">Failing since <b>${e(when(h.since))}</b>${h.section.host.owners.length ? ` · owner ${e(h.section.host.owners.join(', '))}` : ''}</p>`);
    out.push(`<p style="margin:4px 0">${h.links.map((l) => a(l.url, l.label)).join(' · ')}</p>`);
    if (h.recovered.length) out.push(`<p style="margin:4px 0">Fine again: ${h.recovered.map(e).join('; ')}</p>`);
    if (h.noData.length) out.push(`<p style="margin:4px 0">No data: ${h.noData.map((f) => e(f.sentence)).join('; ')}</p>`);
    if (h.suppress) {
      out.push(`<p style="margin:8px 0 2px">Not yours to fix now? Silence it on this host with the tag <code>${e(SUPPRESS_TAG)}</code> = <code>${e(h.suppress.value)}</code>:</p>`);
      out.push(`<pre style="${FIX}">${e(h.suppress.command)}</pre>`);
    }
    out.push(`<p style="${SMALL}">${e(h.where)} · checks ${h.ids.map(e).join(', ')}</p></div>`);
  }
  const brief = (title: string, hosts: HostView[], line: (h: HostView) => string) => {
    if (!hosts.length) return;
    out.push(`<h3 style="font-size:15px;margin:16px 0 4px">${e(title)}</h3><ul style="margin:0;padding-left:20px">`);
    for (const h of hosts) {
      const link = h.links[0];
      out.push(`<li>${link ? a(link.url, h.section.host.name) : e(h.section.host.name)}: ${line(h)}</li>`);
    }
    out.push('</ul>');
  };
  // A host is listed once, under its group, and its line tells everything its section holds.
  const line = (h: HostView) => `${e(briefText(h))} <span style="color:#666">(${e(h.ids.join(', ') || 'host')})</span>`;
  brief(`More failing hosts (${v.brief.length})`, v.brief, line);
  brief('No data', v.noData, line);
  brief('Fine again', v.recovered, line);
  brief('Gone', v.gone, line);
  out.push('<hr style="border:none;border-top:1px solid #ddd;margin:20px 0 8px">');
  out.push(`<p style="${SMALL}">To silence a check on a host, tag it <code>${e(SUPPRESS_TAG)}</code> = <code>&lt;check&gt;:&lt;YYYY-MM-DD&gt;</code>${v.detailed.length ? ' (each failing host above shows its exact value)' : ''}.</p>`);
  out.push(`<p style="${SMALL}">Keep TensorBoard running: start it with tbmon's launcher (<code>tbmon launcher &gt; tensorboard-launch.sh</code>${v.launcher ? `, or ${a(v.launcher, 'download it')}` : ''}); it restarts TensorBoard and logs a heartbeat tbmon reads.</p>`);
  if (v.statusUrl) out.push(`<p style="${SMALL}">Every host, over time: ${a(v.statusUrl, 'the tbmon status page')}.</p>`);
  out.push(`<p style="${SMALL}">tbmon checks TensorBoard hosts on Azure ML for the causes of 502 Bad Gateway. You get this because a host names you as its owner (or has no owner). One email per check run.</p>`);
  out.push('</body></html>');
  return out.join('');
}

function renderText(v: View, subject: string): string {
  const out: string[] = [subject, ''];
  const block = (text: string) => text.split('\n').map((l) => `    ${l}`);
  for (const h of v.detailed) {
    out.push(`== ${h.heading}`);
    for (const f of h.findings) {
      out.push('', f.sentence);
      if (f.fix) out.push('  Fix — copy and run:', ...block(f.fix));
    }
    out.push('', `Failing since ${when(h.since)}${h.section.host.owners.length ? ` · owner ${h.section.host.owners.join(', ')}` : ''}`);
    for (const l of h.links) out.push(`${l.label}: ${l.url}`);
    if (h.recovered.length) out.push(`Fine again: ${h.recovered.join('; ')}`);
    if (h.noData.length) out.push(`No data: ${h.noData.map((f) => f.sentence).join('; ')}`);
    if (h.suppress) out.push(`Silence it: tag ${SUPPRESS_TAG}=${h.suppress.value}`, ...block(h.suppress.command));
    out.push(`(${h.where} · checks ${h.ids.join(', ')})`, '');
  }
  const brief = (title: string, hosts: HostView[], line: (h: HostView) => string) => {
    if (!hosts.length) return;
    out.push(`== ${title}`);
    for (const h of hosts) out.push(`- ${h.section.host.name}: ${line(h)}${h.links[0] ? ` — ${h.links[0].url}` : ''}`);
    out.push('');
  };
  const line = (h: HostView) => `${briefText(h)} (${h.ids.join(', ') || 'host'})`;
  brief(`More failing hosts (${v.brief.length})`, v.brief, line);
  brief('No data', v.noData, line);
  brief('Fine again', v.recovered, line);
  brief('Gone', v.gone, line);
  out.push(`To silence a check on a host: tag it ${SUPPRESS_TAG}=<check>:<YYYY-MM-DD> (each failing host above shows its exact value).`);
  out.push(`Keep TensorBoard running: tbmon launcher > tensorboard-launch.sh${v.launcher ? ` (or ${v.launcher})` : ''}`);
  if (v.statusUrl) out.push(`Every host, over time: ${v.statusUrl}`);
  out.push('-- tbmon (you get this because a host names you as its owner, or has no owner)');
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


// The Teams channel digest: one Adaptive Card per sweep posted to a Teams Workflows webhook (research/anchors.md §5).
// Workflows takes Adaptive Cards only, inside a `type: message` envelope; it answers 202 even for a card it then
// drops for being over 28 KB, so keeping under the size is our job, not its. At most 4 requests a second. The webhook
// URL carries a SAS signature: it is a secret and appears in no message, log or error.
import * as http from 'node:http';
import * as https from 'node:https';
import type { RequestCounter } from '../azure';
import { cutWords } from '../checks/words';
import type { Digest, HostGroup, HostSection } from './digest';
import { parseRetryAfter } from '../retry-after';
import { hostLink, type LinkOptions } from './links';
import { defaultSleep, RequestSpacer } from './pacing';
import { byReportOrder, failingSince, messageTitle, noticeSentence, repeatWords, statusLink, when } from './words';

/** Workflows' documented limit for the whole JSON envelope, in UTF-8 bytes. */
export const TEAMS_MAX_BYTES = 28_000;
/** What we aim for by default: room for Teams' own additions and a later field or two. */
export const TEAMS_TARGET_BYTES = 26_000;

export type CardElement = Record<string, unknown>;

export interface TeamsEnvelope {
  type: 'message';
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: CardElement }[];
}

export interface RenderedCard {
  envelope: TeamsEnvelope;
  /** UTF-8 bytes of JSON.stringify(envelope): what goes over the wire. */
  bytes: number;
  shownHosts: number;
  omittedHosts: number;
}

export interface CardOptions extends LinkOptions {
  /** Byte budget for the envelope (≤ TEAMS_MAX_BYTES). */
  maxBytes?: number;
  /** The card repeats one that may have been posted (its send was interrupted): it says so under the title. */
  resent?: boolean;
}

/** The line a card resent after an interruption carries, so a reader who saw the first knows it is the same news. */
export const RESENT_LINE = '(resent after an interruption)';

const GROUP_TITLES: Record<HostGroup, string> = {
  failing: 'Failing',
  warning: 'Warning',
  'no-data': 'No data',
  recovered: 'Recovered',
  gone: 'Gone',
};
const GROUP_COLORS: Record<HostGroup, string> = { failing: 'Attention', warning: 'Warning', 'no-data': 'Default', recovered: 'Good', gone: 'Default' };
const GROUPS: HostGroup[] = ['failing', 'warning', 'no-data', 'recovered', 'gone'];

const byteLength = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * One card for a digest: hosts grouped by status; per failing host its cause in one plain sentence, the fix in
 * monospace, owners and since, and two actions (its section of the status page, studio/portal). Greedily filled to
 * the byte budget: a host that does not fit in full is shown condensed (text cut at a word boundary with "…"), and
 * only when that does not fit either is it left to an "…and N more" line.
 */
export function renderTeamsCard(d: Digest, opts: CardOptions = {}): RenderedCard {
  const maxBytes = Math.min(opts.maxBytes ?? TEAMS_TARGET_BYTES, TEAMS_MAX_BYTES - 1);
  // Cut only when the card would exceed its budget: the title is whole here.
  const title = messageTitle(d, 2000);
  const counts = GROUPS.filter((g) => d.counts[g]).map((g) => `${d.counts[g]} ${GROUP_TITLES[g].toLowerCase()}`).join(' · ');
  const head: CardElement[] = [
    { type: 'TextBlock', text: cardText(title), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: counts || 'nothing to report', isSubtle: true, spacing: 'None', wrap: true },
    ...(opts.resent ? [{ type: 'TextBlock', text: RESENT_LINE, isSubtle: true, spacing: 'None', wrap: true }] : []),
  ];
  const worst = d.hosts.find((h) => h.regressions.length) ?? d.hosts[0];
  const actions: CardElement[] = [];
  if (opts.statusUrl) actions.push({ type: 'Action.OpenUrl', title: 'Open the status page', url: opts.statusUrl });
  else if (worst) actions.push({ type: 'Action.OpenUrl', title: `Open ${truncate(worst.host.name, 40)}`, url: hostLink(worst.host, opts).url });

  // Greedy fill: the envelope with a worst-case "and N more" line, then each host while it fits.
  const moreLine = (omitted: Map<HostGroup, number>): CardElement | null => {
    const total = [...omitted.values()].reduce((a, b) => a + b, 0);
    if (!total) return null;
    const parts = GROUPS.filter((g) => omitted.get(g)).map((g) => `${omitted.get(g)} ${GROUP_TITLES[g].toLowerCase()}`);
    return { type: 'TextBlock', text: `…and ${total} more host${total === 1 ? '' : 's'} (${parts.join(', ')}): see the status page or the email digest.`, wrap: true, isSubtle: true };
  };
  const worstMore = moreLine(new Map(GROUPS.map((g) => [g, 99_999] as [HostGroup, number])));
  let used = byteLength(envelopeOf([...head, worstMore as CardElement], actions));

  const body: CardElement[] = [...head];
  const omitted = new Map<HostGroup, number>();
  let shown = 0;
  let full = false;
  for (const group of GROUPS) {
    const hosts = d.hosts.filter((h) => h.group === group);
    if (!hosts.length) continue;
    const header: CardElement = { type: 'TextBlock', text: `${GROUP_TITLES[group]} (${hosts.length})`, weight: 'Bolder', color: GROUP_COLORS[group], spacing: 'Medium', wrap: true };
    let headerAdded = false;
    for (const h of hosts) {
      const headerCost = headerAdded ? 0 : byteLength(header) + 1;
      let item: CardElement | null = full ? null : hostItem(h, opts, false);
      if (item && used + byteLength(item) + 1 + headerCost > maxBytes) item = hostItem(h, opts, true);
      if (!item || used + byteLength(item) + 1 + headerCost > maxBytes) {
        full = true;
        omitted.set(group, (omitted.get(group) ?? 0) + 1);
        continue;
      }
      if (!headerAdded) {
        body.push(header);
        headerAdded = true;
      }
      body.push(item);
      used += byteLength(item) + 1 + headerCost;
      shown += 1;
    }
  }
  const more = moreLine(omitted);
  if (more) body.push(more);
  const envelope = envelopeOf(body, actions);
  return { envelope, bytes: byteLength(envelope), shownHosts: shown, omittedHosts: d.hosts.length - shown };
}

function envelopeOf(body: CardElement[], actions: CardElement[]): TeamsEnvelope {
  const content: CardElement = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  if (actions.length) content.actions = actions;
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
}

const CONDENSED_SENTENCE = 160;
const CONDENSED_FIX = 400;

/** A host: cause, fix (monospace), owners and since; actions to its status-page section and to studio/portal. */
function hostItem(h: HostSection, opts: LinkOptions, condensed: boolean): CardElement {
  const link = hostLink(h.host, opts);
  const status = statusLink(opts.statusUrl, h.host);
  const cut = (s: string, max: number) => (condensed ? cutWords(s, max) : s);
  const items: CardElement[] = [];
  if (h.regressions.length) {
    const regs = [...h.regressions].sort(byReportOrder);
    const tag = regs.some((n) => n.repeat === 'again') ? ' · back again' : regs.every((n) => repeatWords(n) === 'new') ? ' · new' : '';
    items.push({ type: 'TextBlock', text: `**${cardText(h.host.name)}** · since ${cardText(when(failingSince(h)))}${tag}`, wrap: true, spacing: 'None' });
    const [first, ...rest] = regs;
    items.push({ type: 'TextBlock', text: cardText(cut(noticeSentence(first), CONDENSED_SENTENCE)), wrap: true, spacing: 'None' });
    const fix = first.check?.remediation?.trim();
    if (fix) items.push({ type: 'TextBlock', text: cardText(cut(fix, CONDENSED_FIX)), fontType: 'Monospace', wrap: true, spacing: 'Small' });
    if (rest.length) items.push({ type: 'TextBlock', text: cardText(cut(`Also: ${rest.map((n) => noticeSentence(n)).join('; ')}`, CONDENSED_SENTENCE)), wrap: true, spacing: 'Small', isSubtle: true });
    items.push({ type: 'TextBlock', text: cardText(h.host.owners.length ? `Owners: ${h.host.owners.join(', ')}` : 'No owner set'), isSubtle: true, wrap: true, spacing: 'None' });
  } else {
    // Everything the host's section holds, whichever group lists it: a recovery beside a data gap is told too.
    const parts: string[] = [];
    if (h.dataGaps.length) parts.push(`no data: ${h.dataGaps.map((n) => noticeSentence(n)).join('; ')}`);
    if (h.recoveries.length) parts.push(`fine again: ${h.recoveries.map((n) => noticeSentence(n)).join('; ')}`);
    if (h.gone) parts.push('no longer found in Azure');
    items.push({ type: 'TextBlock', text: `**${cardText(h.host.name)}** · ${cardText(parts.map((p) => cutWords(p, CONDENSED_SENTENCE * (condensed ? 1 : 2))).join(' · '))}`, wrap: true, spacing: 'None' });
  }
  const ids = [...new Set([...h.regressions, ...h.recoveries, ...h.dataGaps].map((n) => n.checkId ?? '').filter(Boolean))];
  if (h.regressions.length && (h.recoveries.length || h.dataGaps.length)) {
    const also = [
      h.dataGaps.length ? `no data: ${h.dataGaps.map((n) => noticeSentence(n)).join('; ')}` : '',
      h.recoveries.length ? `fine again: ${h.recoveries.map((n) => noticeSentence(n)).join('; ')}` : '',
    ].filter(Boolean).join(' · ');
    items.push({ type: 'TextBlock', text: cardText(cut(also, CONDENSED_SENTENCE)), wrap: true, spacing: 'None', isSubtle: true });
  }
  if (ids.length) items.push({ type: 'TextBlock', text: cardText(`checks: ${ids.join(', ')}`), isSubtle: true, size: 'Small', wrap: true, spacing: 'None' });
  const actions: CardElement[] = [];
  if (status) actions.push({ type: 'Action.OpenUrl', title: `Status of ${truncate(h.host.name, 40)}`, url: status });
  actions.push({ type: 'Action.OpenUrl', title: link.title, url: link.url });
  if (h.regressions.length) items.push({ type: 'ActionSet', actions, spacing: 'Small' });
  return {
    type: 'Container',
    spacing: 'Medium',
    ...(h.regressions.length ? { separator: true } : { selectAction: { type: 'Action.OpenUrl', url: status ?? link.url, title: status ? `Status of ${h.host.name}` : link.title } }),
    items,
  };
}

/** Text from Azure inside Adaptive Card markdown: one line, and no `[text](url)` link a value could smuggle in. */
function cardText(s: string): string {
  return s.replace(/[[\]]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export interface TeamsPostOptions {
  caCert?: string;
  counter?: RequestCounter;
  /** Attempts in all (first try included). */
  maxAttempts?: number;
  /** Back-off when the answer names no Retry-After: base × 2^attempt with jitter, capped. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A Retry-After longer than this (default 60 s) ends the attempts: the card stays in the outbox for the next run,
   *  and all attempts together stay well inside the outbox's 10-minute claim lease. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  spacer?: RequestSpacer;
  sleep?: (ms: number) => Promise<void>;
}

/** What went wrong, never with the webhook URL. */
export class TeamsSendError extends Error {
  /**
   * `maybeDelivered`: the request reached the webhook and no answer came (a timeout, a connection dropped after
   * connecting) — the card may have been posted. Never retried inside one send: alert resends it once, labelled.
   */
  constructor(message: string, readonly statusCode: number | null, readonly attempts: number, readonly maybeDelivered = false) {
    super(message);
    this.name = 'TeamsSendError';
  }
}

/**
 * How long a webhook call may take. Teams Workflows runs a Power Automate flow, and a synchronous flow must answer
 * its caller within 120 s (learn.microsoft.com/power-automate/guidance/coding-guidelines/asychronous-flow-pattern):
 * the client waits longer than that, so the webhook's own timeout answers first — a timeout of ours then means the
 * flow may still have posted the card.
 */
export const TEAMS_TIMEOUT_MS = 130_000;

/** At most 4 requests a second per process, whatever the number of senders (Teams throttles above). */
export const teamsSpacer = new RequestSpacer(4);

/**
 * POSTs a card and retries what is worth retrying (429, 408, 5xx, a 2xx whose body reports a throttle, a dropped
 * connection), honouring Retry-After. Resolves on acceptance (2xx): accepted, not delivered — see TEAMS_MAX_BYTES.
 */
export async function postTeamsCard(webhookUrl: string, envelope: TeamsEnvelope, opts: TeamsPostOptions = {}): Promise<{ status: number; attempts: number }> {
  const body = JSON.stringify(envelope);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > TEAMS_MAX_BYTES) throw new TeamsSendError(`Teams card is ${bytes} bytes, over the ${TEAMS_MAX_BYTES}-byte limit: not sent`, null, 0);
  const maxAttempts = opts.maxAttempts ?? 5;
  const sleep = opts.sleep ?? defaultSleep;
  const spacer = opts.spacer ?? teamsSpacer;
  let last = 'no attempt made';
  let lastStatus: number | null = null;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await spacer.take(sleep);
    opts.counter?.add('teams');
    let retryAfterMs: number | null = null;
    try {
      const res = await post(webhookUrl, body, opts);
      lastStatus = res.status;
      // Old connectors answered 200 with the throttle in the body; treat it as the 429 it is.
      const throttledInBody = res.status < 300 && /HTTP error 429/i.test(res.body);
      if (res.status >= 200 && res.status < 300 && !throttledInBody) return { status: res.status, attempts: attempt };
      last = throttledInBody ? 'throttled (429 reported in the body)' : `answered ${res.status}`;
      if (!throttledInBody && !(res.status === 429 || res.status === 408 || res.status >= 500)) {
        throw new TeamsSendError(`Teams webhook ${last}: not retried`, res.status, attempt);
      }
      retryAfterMs = parseRetryAfter(res.retryAfter);
    } catch (e) {
      if (e instanceof TeamsSendError) throw e;
      last = `request failed (${(e as NodeJS.ErrnoException).code ?? 'network error'})`;
      lastStatus = null;
      // Refused before connecting: nothing reached the webhook, retry. After connecting: it may have posted the card.
      if ((e as { connected?: boolean }).connected) throw new TeamsSendError(`Teams webhook ${last} after the request reached it: the card may have been posted`, null, attempt, true);
    }
    if (attempt === maxAttempts) break;
    if (retryAfterMs !== null && retryAfterMs > (opts.maxRetryAfterMs ?? 60_000)) {
      throw new TeamsSendError(`Teams webhook ${last} and asked to wait ${Math.round(retryAfterMs / 1000)} s: left for the next run`, lastStatus, attempt);
    }
    const base = opts.retryDelayMs ?? 1000;
    const backoff = Math.min(opts.maxRetryDelayMs ?? 30_000, base * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
    await sleep(retryAfterMs ?? backoff);
  }
  throw new TeamsSendError(`Teams webhook ${last} after ${maxAttempts} attempts`, lastStatus, maxAttempts);
}

function post(url: string, body: string, opts: TeamsPostOptions): Promise<{ status: number; body: string; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'http:' ? http : https;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body, 'utf8') },
        ca: opts.caCert,
        timeout: opts.timeoutMs ?? TEAMS_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 64_000) chunks.push(c); // an answer is a status; never hold a large body
        });
        res.on('end', () => {
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: Array.isArray(ra) ? ra[0] : (ra ?? null) });
        });
        res.on('error', reject);
      },
    );
    // Whether the request reached the webhook: a socket that connected (or a kept-alive one, already connected).
    let connected = false;
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once(u.protocol === 'http:' ? 'connect' : 'secureConnect', () => { connected = true; });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => reject(Object.assign(e, { connected })));
    req.end(body);
  });
}

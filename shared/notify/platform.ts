// Sends the platform notices waiting in tbmonplatform (shared/state/platform.ts): per recipient one message — an
// email to each TBMON_ALERT_FALLBACK_TO address, a card to the Teams channel — telling what broke in tbmon itself and
// what recovered, and the checks an upgrade introduced with how many hosts each fails. Claimed before the send,
// marked sent after, released for the next run when the send fails.
import { createHash } from 'node:crypto';
import type { PlatformNotice } from '../platform';
import type { PlatformRow, PlatformStore } from '../state/platform';
import type { EmailChannel, TeamsChannel } from './alert';
import { escapeHtml, type RenderedEmail } from './email';
import type { TeamsEnvelope } from './teams';

export interface PlatformSendDeps {
  store: Pick<PlatformStore, 'pending' | 'claim' | 'markSent' | 'release'>;
  email: EmailChannel | null;
  teams: TeamsChannel | null;
  log: (line: string) => void;
}

export interface PlatformSendResult {
  sent: number;
  failed: number;
  /** Recipients whose channel is not configured: left pending. */
  heldBack: number;
  errors: string[];
}

/** new-checks notices of several batches, summed per check. */
function newChecks(notices: readonly PlatformNotice[]): [string, { hosts: number; failing: number }][] {
  const sum = new Map<string, { hosts: number; failing: number }>();
  for (const n of notices) {
    for (const [id, c] of Object.entries(n.newChecks ?? {})) {
      const s = sum.get(id) ?? { hosts: 0, failing: 0 };
      sum.set(id, { hosts: s.hosts + c.hosts, failing: s.failing + c.failing });
    }
  }
  return [...sum].sort((a, b) => b[1].failing - a[1].failing || a[0].localeCompare(b[0]));
}

interface Section {
  title: string;
  lines: string[];
  good: boolean;
}

function sections(notices: readonly PlatformNotice[]): Section[] {
  const out: Section[] = [];
  for (const n of notices) if (n.condition !== 'new-checks') out.push({ title: n.title, lines: n.details, good: n.state === 'cleared' });
  const added = newChecks(notices.filter((n) => n.condition === 'new-checks'));
  if (added.length) {
    out.push({
      title: `tbmon has ${added.length} new check${added.length === 1 ? '' : 's'}: their first results are the baseline, so owners were not alerted`,
      lines: [
        ...added.map(([id, c]) => `${id}: fails on ${c.failing} of ${c.hosts} host${c.hosts === 1 ? '' : 's'}`),
        'Owners hear of a new check only when it starts failing after a pass (set TBMON_ALERT_NEW_CHECKS=true to alert on first results). The hosts are on the status page, filtered by check.',
      ],
      good: true,
    });
  }
  return out;
}

function subject(s: readonly Section[]): string {
  const bad = s.filter((x) => !x.good);
  const lead = (bad[0] ?? s[0]).title;
  return `tbmon itself: ${s.length === 1 ? lead : `${lead} (and ${s.length - 1} more)`}`;
}

export function renderPlatformEmail(notices: readonly PlatformNotice[]): RenderedEmail {
  const s = sections(notices);
  const subj = subject(s);
  const plainText = [subj, '', ...s.flatMap((x) => [`${x.good ? '✓' : '✗'} ${x.title}`, ...x.lines.map((l) => `    ${l}`), ''])].join('\n');
  const html = `<!doctype html><html><body style="font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#1b1b1b">`
    + `<h2 style="font-size:18px">${escapeHtml(subj)}</h2>`
    + s.map((x) => `<h3 style="font-size:15px;color:${x.good ? '#107c10' : '#a4262c'}">${escapeHtml(x.title)}</h3>`
      + x.lines.map((l) => (/^tbmon |^az /.test(l) ? `<pre style="background:#f3f2f1;padding:6px">${escapeHtml(l)}</pre>` : `<p>${escapeHtml(l)}</p>`)).join('')).join('')
    + '<p style="color:#605e5c;font-size:12px">Sent by tbmon about itself to TBMON_ALERT_FALLBACK_TO and the Teams channel.</p></body></html>';
  return { subject: subj, html, plainText };
}

export function renderPlatformCard(notices: readonly PlatformNotice[]): TeamsEnvelope {
  const s = sections(notices);
  const body: Record<string, unknown>[] = [{ type: 'TextBlock', text: subject(s), weight: 'Bolder', size: 'Medium', wrap: true }];
  for (const x of s) {
    body.push({ type: 'TextBlock', text: x.title, wrap: true, weight: 'Bolder', color: x.good ? 'Good' : 'Attention', spacing: 'Medium' });
    for (const l of x.lines) body.push({ type: 'TextBlock', text: l, wrap: true, spacing: 'Small', ...(/^tbmon |^az /.test(l) ? { fontType: 'Monospace' } : {}) });
  }
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body } }],
  };
}

/** UUID-shaped and derived from the rows, so a message rebuilt after a crash carries the same ACS Operation-Id. */
function operationId(recipient: string, rows: readonly PlatformRow[]): string {
  const h = createHash('sha256').update(`platform\n${recipient}\n${rows.map((r) => r.notice.id).sort().join('\n')}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function sendPlatformNotices(deps: PlatformSendDeps): Promise<PlatformSendResult> {
  const result: PlatformSendResult = { sent: 0, failed: 0, heldBack: 0, errors: [] };
  const pending = await deps.store.pending();
  for (const [recipient, rows] of pending) {
    const teams = recipient.startsWith('teams:');
    if (teams ? !deps.teams?.hasChannel(recipient) : !deps.email) {
      result.heldBack++;
      continue;
    }
    if (!(await deps.store.claim(rows))) continue; // another alert run has them
    const notices = rows.map((r) => r.notice);
    try {
      if (teams) await deps.teams!.post(recipient, renderPlatformCard(notices));
      else await deps.email!.send(recipient, renderPlatformEmail(notices), operationId(recipient, rows));
    } catch (e) {
      result.failed++;
      const why = `platform notice${rows.length === 1 ? '' : 's'} (${rows.length}) to ${teams ? recipient : 'a fallback address'} not sent, left for the next run: ${(e as Error).message}`;
      result.errors.push(why);
      deps.log(`tbmon alert: ${why}`);
      for (const r of rows) await deps.store.release(r);
      continue;
    }
    await deps.store.markSent(rows);
    result.sent++;
  }
  if (result.sent || result.failed) deps.log(`tbmon alert: platform messages sent ${result.sent}, failed ${result.failed}`);
  return result;
}

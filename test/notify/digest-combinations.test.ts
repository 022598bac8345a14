// Every notice that is marked sent was rendered: digests built from every combination of notice kinds on one host
// (a regression to fail, one to warn, a recovery, a data gap, a gone — the gone older or newer than the rest) go
// through runAlerts, and at the moment a row is marked sent its notice must appear in the email's text and HTML and
// in the Teams card that went out — or be superseded (an older change of the same host) by a notice that did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAlerts, type AlertOutbox, type EmailChannel, type TeamsChannel } from '../../shared/notify/alert';
import { buildDigest } from '../../shared/notify/digest';
import { renderEmail, type RenderedEmail } from '../../shared/notify/email';
import { renderTeamsCard, type TeamsEnvelope } from '../../shared/notify/teams';
import { MemoryPacingStore } from '../../shared/notify/pacing';
import { TEAMS_RECIPIENT, type Notice } from '../../shared/notices';
import type { OutboxRow } from '../../shared/state/outbox';
import { host, notice } from './fixtures';

type Kind = 'regression-fail' | 'regression-warn' | 'recovery' | 'data-gap' | 'gone';
const KINDS: Kind[] = ['regression-fail', 'regression-warn', 'recovery', 'data-gap', 'gone'];
/** Each kind on its own check, so what the renderers show can be found by check id. */
const CHECK: Record<Exclude<Kind, 'gone'>, string> = {
  'regression-fail': 'network.tensorboard-port', 'regression-warn': 'resource.cpu-saturation', recovery: 'resource.vm-size', 'data-gap': 'script.not-running',
};

function noticesFor(name: string, kinds: Kind[], goneNewest: boolean): Notice[] {
  const h = host(name, ['owner@contoso.com']);
  return kinds.map((k) => {
    const observedAt = k === 'gone' ? (goneNewest ? '2026-11-26T07:00:00Z' : '2026-11-26T05:00:00Z') : '2026-11-26T06:00:00Z';
    if (k === 'gone') return notice(h, 'gone', undefined, { observedAt });
    if (k === 'regression-warn') return notice(h, 'regression', CHECK[k], { to: 'warn', observedAt });
    return notice(h, k === 'regression-fail' ? 'regression' : k, CHECK[k], { observedAt });
  });
}

function subsets<T>(xs: T[]): T[][] {
  return Array.from({ length: (1 << xs.length) - 1 }, (_, m) => xs.filter((_, i) => ((m + 1) >> i) & 1));
}

/** Where a notice shows: its check id, or for a gone host the words the renderers use. */
function mark(n: Notice): string {
  return n.kind === 'gone' ? 'no longer found' : n.checkId ?? '';
}

function cardText(envelope: TeamsEnvelope): string {
  return JSON.stringify(envelope.attachments[0].content);
}

class RecordingOutbox implements AlertOutbox {
  readonly marked: { row: OutboxRow; shownIn: string[] }[] = [];
  constructor(private readonly rows: OutboxRow[], private readonly lastSent: () => Map<string, string[]>) {}
  async listPending(): Promise<OutboxRow[]> {
    return this.rows.filter((r) => r.state === 'pending');
  }
  async claimMany(rows: readonly OutboxRow[]) {
    for (const r of rows) r.state = 'sending';
    return { all: true, won: [...rows] };
  }
  async markSentMany(rows: readonly OutboxRow[]) {
    // What went out to this recipient, at the moment its rows are marked.
    for (const row of rows) {
      row.state = 'sent';
      this.marked.push({ row, shownIn: this.lastSent().get(row.recipient) ?? [] });
    }
    return { sent: rows.length, failures: [] };
  }
  async release(row: OutboxRow): Promise<void> {
    row.state = 'pending';
  }
}

async function sendAndCheck(notices: Notice[], what: string): Promise<number> {
  const rows: OutboxRow[] = notices.flatMap((n) => ['owner@contoso.com', TEAMS_RECIPIENT].map((recipient) => ({
    recipient, id: n.id, notice: n, state: 'pending' as const, attempts: 0, claimedBy: null, claimedAt: null, sentAt: null, lastError: null, attemptId: null, maybeSent: false, resent: false, etag: '*',
  })));
  const sent = new Map<string, string[]>();
  const email: EmailChannel = {
    async send(to: string, rendered: RenderedEmail, operationId: string) {
      sent.set(to, [rendered.plainText, rendered.html]);
      return { operationId, status: 'Succeeded' };
    },
  };
  const teams: TeamsChannel = {
    hasChannel: () => true,
    async post(partition: string, envelope: TeamsEnvelope) {
      sent.set(partition, [cardText(envelope)]);
      return { status: 202, attempts: 1 };
    },
  };
  const outbox = new RecordingOutbox(rows, () => sent);
  const result = await runAlerts('s-1', { outbox, email, teams, pacing: { limits: { perMinute: 1000, perHour: 1000 }, store: new MemoryPacingStore() } });
  assert.deepEqual(result.errors, [], what);
  assert.equal(outbox.marked.length, rows.length, `${what}: every row is marked`);

  const digest = buildDigest('owner@contoso.com', 's-1', notices);
  const superseded = new Set(digest.hosts.flatMap((h) => h.superseded.map((n) => n.id)));
  const shownSomewhere = digest.hosts.flatMap((h) => [...h.regressions, ...h.recoveries, ...h.dataGaps, ...(h.gone ? [h.gone] : [])]);
  let checked = 0;
  for (const { row, shownIn } of outbox.marked) {
    assert.equal(shownIn.length, row.recipient === TEAMS_RECIPIENT ? 1 : 2, `${what}: something went out to ${row.recipient} before its rows were marked`);
    if (superseded.has(row.id)) {
      assert.ok(shownSomewhere.some((n) => n.host.id === row.notice.host.id), `${what}: a superseded ${row.notice.kind} has a newer notice of its host that is shown`);
      continue;
    }
    for (const text of shownIn) assert.ok(text.includes(mark(row.notice)), `${what}: ${row.notice.kind} ${mark(row.notice)} is in what went to ${row.recipient} (${text.slice(0, 120)}…)`);
    checked++;
  }
  return checked;
}

test('every combination of notice kinds on one host: each notice is in the email text, the HTML and the card before its row is marked sent', async () => {
  let checked = 0;
  for (const kinds of subsets(KINDS)) {
    for (const goneNewest of kinds.includes('gone') ? [false, true] : [false]) {
      checked += await sendAndCheck(noticesFor('ci-1', kinds, goneNewest), `${kinds.join(' + ')}${kinds.includes('gone') ? (goneNewest ? ' (gone newest)' : ' (gone oldest)') : ''}`);
    }
  }
  assert.ok(checked > 100, `rendered notices checked: ${checked}`);
});

test('every combination side by side in one digest: the hosts are told apart, none loses a notice', async () => {
  const all = subsets(KINDS).flatMap((kinds, i) => noticesFor(`host-${String(i).padStart(2, '0')}`, kinds, i % 2 === 0));
  await sendAndCheck(all, 'all combinations in one digest');
  const digest = buildDigest('owner@contoso.com', 's-1', all);
  const { plainText, html } = renderEmail(digest);
  const card = cardText(renderTeamsCard(digest).envelope);
  for (const h of digest.hosts) {
    // The host's own line or block names each of its shown notices.
    const shown = [...h.regressions, ...h.recoveries, ...h.dataGaps, ...(h.gone ? [h.gone] : [])];
    const cardItem = card.split('"type":"Container"').find((c) => c.includes(`**${h.host.name}**`)) ?? '';
    const textLine = plainText.split('\n== ').find((b) => b.startsWith(`${h.host.name} — `)) ?? plainText.split('\n').find((l) => l.includes(`- ${h.host.name}:`)) ?? '';
    const htmlPart = html.split('<div style="border-left').find((b) => b.includes(`>${h.host.name} — `)) ?? html.split('<li>').find((l) => l.includes(`>${h.host.name}</a>`) || l.includes(`${h.host.name}:`)) ?? '';
    for (const n of shown) {
      assert.ok(cardItem.includes(mark(n)), `card: ${h.host.name} shows ${mark(n)}`);
      assert.ok(textLine.includes(mark(n)), `text: ${h.host.name} shows ${mark(n)}`);
      assert.ok(htmlPart.includes(mark(n)), `html: ${h.host.name} shows ${mark(n)}`);
    }
  }
});

test('a recovery and a data gap on one host: both told, the host listed once under "No data"', () => {
  const digest = buildDigest('owner@contoso.com', 's-1', noticesFor('ci-1', ['recovery', 'data-gap'], false));
  assert.deepEqual(digest.hosts.map((h) => h.group), ['no-data']);
  const { plainText, html } = renderEmail(digest);
  const card = cardText(renderTeamsCard(digest).envelope);
  for (const text of [plainText, html, card]) {
    assert.ok(text.includes(CHECK.recovery), 'the recovery is told');
    assert.ok(text.includes(CHECK['data-gap']), 'the data gap is told');
  }
});

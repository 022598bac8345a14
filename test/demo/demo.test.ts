// `npm run demo` in-process: runDemo on contoso (Azurite + sandbox + the app's handlers on the dev host) exits 0,
// its printed table shows every cause contoso is designed to have (`_expect`), and its out dir holds what people
// look at — report.json (schema v1), report.html, status.html, one email (.html + .eml) per recipient, Teams cards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS } from '../../shared/checks/registry';
import { hostAnchor } from '../../shared/notify/words';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../../cli/demo';
import { plainSentence } from '../../shared/checks/registry';
import type { Report } from '../../shared/model';
import { inWords } from '../../shared/report/table';
import { validateReport } from '../../shared/schemas';
import { expectations } from '../support/app';
import { loadTenant } from '../support/sandbox';

const FALLBACK = 'ml-platform@contoso.com'; // the demo's TBMON_ALERT_FALLBACK_TO
let outDir: string;
let code: number;
let printed = '';
const logged: string[] = [];

before(async () => {
  outDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbmon-demo-')), 'out');
  code = await runDemo({ outDir, log: (l) => logged.push(l), print: (t) => { printed += t; }, colour: false });
});
after(() => rmSync(path.dirname(outDir), { recursive: true, force: true }));

/** The printed table's host blocks (failing and warning hosts): host name → the lines under it. */
function hostBlocks(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const head = /^(WARN|FAIL) (\S+) — /.exec(line);
    if (head) blocks.set(head[2], (current = []));
    else if (line === '') current = undefined;
    else current?.push(line);
  }
  return blocks;
}

test('exits 0 and prints every designed cause as FAIL under its host, in its plain sentence', () => {
  assert.equal(code, 0, logged.join('\n'));
  const blocks = hostBlocks(printed);
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  const norm = (t: string) => t.replace(/\s+/g, ' ').trim();
  const missing: string[] = [];
  for (const [host, checks] of Object.entries(expectations(loadTenant('contoso')))) {
    const lines = blocks.get(host);
    if (!Object.values(checks).includes('fail')) continue; // passing hosts are one summary line each
    if (!lines) {
      missing.push(`${host}: no block`);
      continue;
    }
    for (const [check, status] of Object.entries(checks)) {
      if (status !== 'fail') continue;
      const h = report.hosts.find((x) => x.host.name === host)!;
      const result = h.checks.find((k) => k.id === check)!;
      const sentence = norm(inWords(plainSentence(result, h.host), new Date(report.generatedAt)));
      const block = norm(lines.join(' '));
      if (!block.includes(`FAIL${result.suppressed ? '*' : ''} ${sentence}`)) missing.push(`${host} ${check}`);
    }
  }
  assert.deepEqual(missing, [], printed);
  assert.match(printed, /demo: \d+ hosts evaluated through the queues, in two sweeps; [1-9]\d* email digest\(s\) and [1-9]\d* Teams card\(s\)/);
});

test('report.json validates against report.v1.json and agrees with the design', () => {
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  const v = validateReport(report);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('; '));
  for (const [host, checks] of Object.entries(expectations(loadTenant('contoso')))) {
    const h = report.hosts.find((x) => x.host.name === host);
    assert.ok(h, host);
    for (const [check, status] of Object.entries(checks)) assert.equal(h.checks.find((k) => k.id === check)?.status, status, `${host} ${check}`);
  }
});

test('the out dir holds report.html, status.html, one email (.html + .eml) per recipient and the Teams cards', () => {
  for (const f of ['report.html', 'status.html']) {
    const html = readFileSync(path.join(outDir, f), 'utf8');
    assert.match(html, /^<!doctype html>/i, f);
    assert.match(html, /data-status="fail"/, f);
  }
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  const failing = report.hosts.filter((h) => h.status === 'fail');
  const expected = new Set(failing.flatMap((h) => (h.host.owners.length ? h.host.owners : [FALLBACK])));

  const emails = readdirSync(path.join(outDir, 'emails'));
  const emls = emails.filter((f) => f.endsWith('.eml'));
  assert.deepEqual(emails.filter((f) => f.endsWith('.html')).map((f) => f.replace(/\.html$/, '')).sort(), emls.map((f) => f.replace(/\.eml$/, '')).sort(), 'an .html beside each .eml');
  const recipients: string[] = [];
  const firstSweep = emls.filter((f) => f.startsWith('1-'));
  assert.deepEqual(emls.filter((f) => !f.startsWith('1-')), ['2-dana@contoso.com.eml'], 'the second sweep tells vm-tb\'s owner of its recovery, and no one else anything');
  const recovery = readFileSync(path.join(outDir, 'emails', '2-dana@contoso.com.html'), 'utf8');
  assert.match(recovery, /vm-tb/);
  assert.match(recovery, /fine again since/);
  for (const f of emls) {
    const html = readFileSync(path.join(outDir, 'emails', f.replace(/\.eml$/, '.html')), 'utf8');
    const subject = /^Subject: (.+)$/m.exec(readFileSync(path.join(outDir, 'emails', f), 'utf8'))?.[1] ?? '';
    const decoded = subject.startsWith('=?UTF-8?B?') ? Buffer.from(subject.slice(10, -2), 'base64').toString('utf8') : subject;
    for (const id of ALL_CHECKS.map((c) => c.id)) assert.ok(!decoded.includes(id), `${f}: no check id in the subject (${decoded})`);
    assert.match(html, /href="https:\/\/func-tbmon-contoso\.azurewebsites\.net\/api\/status\?host=(host-[a-z0-9-]+)#\1"/, `${f}: a link to the host's section of the status page`);
    assert.match(html, /since <b>|since \d/, `${f}: a since date`);
    assert.match(html, /tbmon-suppress/, `${f}: how to silence it`);
    assert.ok(!/&quot;(denied|decidedBy|levels|table)&quot;|"decidedBy"/.test(html), `${f}: no evidence JSON`);
  }
  for (const f of firstSweep) {
    const eml = readFileSync(path.join(outDir, 'emails', f), 'utf8');
    const to = /^To: (.+)$/m.exec(eml)?.[1] ?? '';
    assert.ok(!to.includes(','), `${f}: one recipient a digest (${to})`);
    recipients.push(to.trim());
    assert.match(eml, /^Subject: \S/m);
    assert.match(eml, /Content-Type: text\/html; charset=utf-8/);
    const html = readFileSync(path.join(outDir, 'emails', f.replace(/\.eml$/, '.html')), 'utf8');
    const theirs = failing.filter((h) => (h.host.owners.length ? h.host.owners : [FALLBACK]).includes(to.trim()));
    for (const h of theirs) assert.ok(html.includes(h.host.name), `${f} names ${h.host.name}`);
  }
  assert.deepEqual(recipients.sort(), [...new Set([...expected, 'dana@contoso.com'])].sort(), 'one email per recipient of a failing host (and vm-tb\'s owner: it failed in the first sweep)');
  const status = readFileSync(path.join(outDir, 'status.html'), 'utf8');
  assert.match(status, /<svg class="chart-svg"/, 'the status page holds the chart');
  assert.match(status, /<h3>Top causes<\/h3>/);
  for (const h of report.hosts) assert.ok(status.includes(`id="${hostAnchor(h.host)}"`), `${h.host.name}: its anchor`);

  const cards = readdirSync(path.join(outDir, 'teams')).filter((f) => f.endsWith('.json'));
  assert.ok(cards.length >= 1);
  const first = readFileSync(path.join(outDir, 'teams', cards.find((f) => f.startsWith('1-'))!), 'utf8');
  for (const h of failing) {
    assert.ok(first.includes(`?host=${hostAnchor(h.host)}`), `the card has a status-page action for ${h.host.name}`);
    const fix = h.checks.find((k) => k.status === 'fail' && k.remediation)?.remediation ?? '';
    assert.ok(first.includes(JSON.stringify(fix.split('\n')[0].slice(0, 40)).slice(1, -1)), `the card holds a fix of ${h.host.name}`);
  }
  for (const f of cards) {
    const card = JSON.parse(readFileSync(path.join(outDir, 'teams', f), 'utf8')) as { type: string; attachments: { contentType: string; content: { type: string } }[] };
    assert.equal(card.type, 'message');
    assert.equal(card.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.attachments[0].content.type, 'AdaptiveCard');
  }
  assert.ok(existsSync(path.join(outDir, 'devhost.log')));
});

test('the instance restarted without a relaunch and the failing job service: each FAIL with its fix in the report, the HTML report, its owner\'s email and the Teams card', () => {
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  const html = readFileSync(path.join(outDir, 'report.html'), 'utf8');
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const cards = readdirSync(path.join(outDir, 'teams')).filter((f) => f.startsWith('1-') && f.endsWith('.json')).map((f) => readFileSync(path.join(outDir, 'teams', f), 'utf8')).join('\n');
  const cases: [host: string, check: string, owner: string, fix: RegExp][] = [
    ['ci-restarted', 'script.not-relaunched', 'dana@contoso.com', /startup script/i],
    ['tb-sweep-bert', 'job.tensorboard-service', 'frank@contoso.com', /az ml job/],
  ];
  for (const [name, check, owner, fix] of cases) {
    const h = report.hosts.find((x) => x.host.name === name);
    assert.ok(h, name);
    assert.equal(h.status, 'fail', name);
    const r = h.checks.find((c) => c.id === check);
    assert.equal(r?.status, 'fail', `${name} ${check}`);
    const remediation = r?.remediation ?? '';
    assert.match(remediation, fix, `${name}: the fix says how`);
    const head = remediation.split('\n')[0].slice(0, 60);
    assert.ok(html.includes(escape(head)) || html.includes(head), `report.html holds ${name}'s fix`);
    const email = readFileSync(path.join(outDir, 'emails', `1-${owner}.html`), 'utf8');
    assert.ok(email.includes(name), `${owner}'s email names ${name}`);
    assert.ok(email.includes(escape(head)) || email.includes(head), `${owner}'s email holds ${name}'s fix`);
    assert.ok(cards.includes(JSON.stringify(head).slice(1, -1)), `a Teams card holds ${name}'s fix`);
    assert.match(printed, new RegExp(`FAIL ${name} — `), `the printed table has a block for ${name}`);
  }
  // The job is judged on its compute (cpu-cluster) too; its script checks are skipped, never unknown.
  const job = report.hosts.find((x) => x.host.name === 'tb-sweep-bert')!;
  assert.equal(job.checks.find((c) => c.id === 'resource.vm-size')?.status, 'pass');
  assert.ok(job.checks.filter((c) => c.class === 'script').every((c) => c.status === 'skipped'));
});

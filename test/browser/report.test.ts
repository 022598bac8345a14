// The demo's HTML report and status page in headless Chromium (Debian's `chromium`, driven by playwright-core): the
// failing hosts and their fixes are on screen, the pages load nothing from anywhere else, and screenshots land in
// test-out/screenshots/ for a person to look at. Without chromium the test fails under CI and skips elsewhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { runDemo } from '../../cli/demo';
import { renderReportHtml } from '../../shared/report/html';
import { renderFleetStatusPage } from '../../shared/report/status-page';
import type { Report } from '../../shared/model';
import { expectations, failingHostNames } from '../support/app';
import { chromiumAvailable, CHROMIUM, launchBrowser, needsChromium, SCREENSHOTS, type TestBrowser } from '../support/browser';
import { loadTenant } from '../support/sandbox';

const available = chromiumAvailable;
const skip = needsChromium;

let browser: TestBrowser | undefined;
let outDir: string;
let server: http.Server;
let base: string;
let context: BrowserContext;
const tenant = loadTenant('contoso');

before(async () => {
  if (!available) return;
  browser = await launchBrowser('tbmon-browser-');
  context = browser.context;
  outDir = path.join(browser.tmp, 'demo-out');
  const code = await runDemo({ outDir, log: () => {}, print: () => {}, colour: false });
  assert.equal(code, 0, 'the demo ran');
  server = http.createServer((req, res) => {
    const file = path.join(outDir, path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(outDir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => browser?.close(server));

test('chromium is available (required under CI)', { skip: process.env.CI ? false : skip }, () => {
  assert.ok(available, `the browser test needs chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
});

/** Opens a page of the demo, failing on any script error or any request that is not to this loopback server. */
async function open(name: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`request to ${r.url()}`); });
  const res = await page.goto(`${base}/${name}`);
  assert.equal(res?.status(), 200, name);
  return { page, problems };
}

/** Every failing host of the design is shown failing, each designed failing check with a visible fix. */
async function assertFailuresShown(page: Page): Promise<void> {
  const designed = expectations(tenant);
  for (const host of failingHostNames(tenant)) {
    const section = page.locator(`section[data-host="${host}"]`);
    assert.equal(await section.count(), 1, `${host} shown once`);
    assert.equal(await section.getAttribute('data-status'), 'fail', host);
    assert.ok(await section.isVisible(), `${host} visible`);
    for (const [check, status] of Object.entries(designed[host])) {
      if (status !== 'fail') continue;
      const row = section.locator(`tr[data-check="${check}"]`);
      assert.equal(await row.count(), 1, `${host} ${check} listed`);
      assert.match((await row.locator('.badge').first().innerText()).toLowerCase(), /fail/, `${host} ${check} marked failing`);
      const fix = row.locator('.fix');
      assert.match(await fix.innerText(), /^fix:/, `${host} ${check}: "fix:"`);
      const pre = fix.locator('pre');
      assert.ok(await pre.isVisible(), `${host} ${check}: the fix is visible`);
      assert.ok((await pre.innerText()).trim().length > 10, `${host} ${check}: the fix says something`);
    }
  }
}

test('the HTML report shows each failing host and its fixes', { skip }, async () => {
  const { page, problems } = await open('report.html');
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  assert.equal(await page.locator('section.host').count(), report.hosts.length);
  assert.equal(await page.locator('.count.fail b').innerText(), String(report.summary.fail));
  await assertFailuresShown(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'report.png'), fullPage: true });
  // Passing checks and evidence are there but folded away until asked for.
  const passing = page.locator('section.host.fail details.passing').first();
  assert.equal(await passing.locator('tr.check.pass').first().isVisible(), false);
  await passing.locator(':scope > summary').click();
  assert.equal(await passing.locator('tr.check.pass').first().isVisible(), true);
  const details = page.locator('section.host.fail tr.check.fail details').first();
  assert.equal(await details.locator('pre').isVisible(), false);
  await details.locator('summary').click();
  assert.equal(await details.locator('pre').isVisible(), true);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'report-narrow.png') });
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
  assert.deepEqual(problems, []);
  await page.close();
});

/** At 1,280 and 390 px: no sideways scrolling, and none hidden by overflow-x on html/body; a screenshot of each. */
async function assertReadableWidths(page: Page, name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    const m = await page.evaluate(`({ sw: document.documentElement.scrollWidth, vw: window.innerWidth,
      hidden: [document.documentElement, document.body].map((e) => getComputedStyle(e).overflowX).filter((v) => v === 'hidden' || v === 'clip') })`) as { sw: number; vw: number; hidden: string[] };
    assert.ok(m.sw <= m.vw, `${name} at ${width} px: scrollWidth ${m.sw} > ${m.vw}`);
    assert.deepEqual(m.hidden, [], `${name} at ${width} px: overflow-x hidden on html/body`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: width === 1280 });
  }
}

/** Every link: an anchor on this page, a filter link to the page itself (?…), or an https URL; never a key. */
async function assertLinks(page: Page): Promise<number> {
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const ids = new Set(await page.locator('[id]').evaluateAll((es) => es.map((e) => e.id)));
  for (const href of hrefs) {
    if (href.startsWith('#')) assert.ok(ids.has(href.slice(1)), `anchor ${href} is on the page`);
    else if (href.startsWith('?')) assert.ok(!/(^|[?&])code=/.test(href), `filter link ${href} carries no key`);
    else assert.match(href, /^https:\/\//, `link ${href} is https`);
  }
  return hrefs.length;
}

test('the status page: counts, the chart, top causes, per-host anchors; each failing host with cause, fix and since', { skip }, async () => {
  const { page, problems } = await open('status.html');
  assert.equal(await page.locator('svg.chart-svg').count(), 1, 'the chart');
  assert.equal(await page.locator('svg.chart-svg g').count(), 2, 'one bar per sweep (the demo leaves two)');
  assert.ok(await page.locator('.causes li a').count() > 0, 'top causes');
  for (const host of failingHostNames(tenant)) {
    const section = page.locator(`section[data-host="${host}"]`);
    assert.equal(await section.count(), 1, `${host} shown once`);
    assert.equal(await section.getAttribute('data-status'), 'fail', host);
    assert.match(await section.getAttribute('id') ?? '', /^host-[a-z0-9-]+-[0-9a-f]{10}$/, `${host} has its anchor`);
    assert.ok((await section.locator('.cause').innerText()).includes(host), `${host}: its cause names it`);
    assert.match(await section.locator('.meta').first().innerText(), /failing since/, `${host}: since`);
    assert.ok(await section.locator('pre').first().isVisible(), `${host}: a fix is visible`);
  }
  const vm = page.locator('section[data-host="vm-tb"]');
  assert.match(await vm.locator('.meta').first().innerText(), /last change/, 'the recovery of vm-tb is its last change');
  assert.equal(await vm.locator('.strip i.f').count(), 1, 'its strip shows the failing sweep');
  assert.equal(await page.locator('form.filters select[name="check"]').count(), 1);
  assert.ok(await assertLinks(page) > 20);
  await assertReadableWidths(page, 'status');
  // The fleet's coverage is its own section (shared/report/coverage.ts), whatever the layout around it.
  const coverage = page.locator('section.coverage');
  assert.equal(await coverage.count(), 1);
  assert.match(await coverage.innerText(), /launch log seen from \d+ of \d+ hosts/);
  assert.match(await coverage.innerText(), /kernel collection proven on \d+ of \d+ hosts/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the check endpoint's HTML answer for one failing host", { skip }, async () => {
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  const first = report.hosts.find((h) => h.status === 'fail')!;
  const slug = first.host.name.toLowerCase().replace(/[^a-z0-9@.-]+/g, '-');
  const { page, problems } = await open(`check-${slug}.html`);
  assert.equal(await page.title(), `tbmon: ${first.host.name} fails`);
  assert.equal(await page.locator(`section[data-host="${first.host.name}"][data-status="fail"]`).count(), 1);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'check.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

const HOSTILE = ['<script>window.__pwned=1</script>', '"><img src=x onerror="window.__pwned=1">', "'><svg onload=window.__pwned=1>", '</pre><iframe src="javascript:window.__pwned=1"></iframe>'];

test('text from Azure is shown as text: hostile tags, owners, findings and errors run no script', { skip }, async () => {
  const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as Report;
  const h = structuredClone(report.hosts.find((x) => x.status === 'fail')!);
  const k = h.checks.find((c) => c.status === 'fail')!;
  const [a, b, c, d] = HOSTILE;
  h.host.owners = [`${b}@contoso.com`];
  h.host.workspace = c;
  k.summary = a;
  k.remediation = d;
  k.evidence = { line: a };
  k.notes = [b];
  k.suppressed = true;
  k.suppressReason = c;
  const hostile: Report = { ...report, hosts: [h], summary: { hosts: 1, pass: 0, warn: 0, fail: 1, unknown: 0 }, errors: [{ scope: a, code: b, message: d }] };
  const statusPage = renderFleetStatusPage({
    generatedAt: report.generatedAt, hosts: [{ report: h, timeline: { recent: 'pf', failingSince: report.generatedAt, lastChangeAt: null } }],
    matching: { hosts: 1, fail: 1, warn: 0, unknown: 0, pass: 0 }, sweeps: [], topCauses: [{ checkId: k.id, hosts: 1 }],
    filters: { subscription: c }, page: 1, pageSize: 50, historyDays: 30, selfPath: '/api/status', keep: { code: b },
  });
  for (const html of [renderReportHtml(hostile), statusPage]) {
    const page = await context.newPage();
    let dialogs = 0;
    page.on('dialog', (dlg) => { dialogs++; void dlg.dismiss(); });
    await page.setContent(html);
    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'no injected script ran');
    assert.equal(await page.locator('main script, main img, main svg:not(.chart-svg), main iframe').count(), 0, 'no injected element');
    assert.equal(dialogs, 0);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(a) && text.includes(d), 'hostile text shown literally');
    await page.close();
  }
});

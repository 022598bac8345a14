// The status page as the HTTP handler serves it, in headless Chromium: a top cause and the filter form are plain GET
// links that narrow the host list; every link stays on the page (an anchor, a filter link) or is https and carries
// no key; more hosts than a page holds are paged. The hosts' results are the checks' own example outcomes (each
// check's rule run on example evidence), not a demo run, so this file stays quick.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { makeStatusHandler, STATUS_PAGE_SIZE } from '../../functions/status';
import { ALL_CHECKS } from '../../shared/checks/registry';
import { hostStatus, hostOf, type CheckResult, type HostReport } from '../../shared/model';
import { chromiumAvailable, launchBrowser, needsChromium, SCREENSHOTS, type TestBrowser } from '../support/browser';
import { host, settings } from '../support/evidence';

const available = chromiumAvailable;
const skip = needsChromium;
const SUB = '11111111-1111-1111-1111-111111111111';

/** A compute instance whose checks are each check's passing example — except `failing`, its failing example. */
function reportFor(name: string, failing: string | null): HostReport {
  const h = host({ kind: 'compute-instance', name, id: `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1/computes/${name}` });
  const checks: CheckResult[] = ALL_CHECKS.filter((c) => c.appliesTo.includes('compute-instance')).map((c) => {
    const ex = c.examples(h, settings);
    const o = (c.id === failing ? ex.fail?.[0] ?? ex.warn?.[0] : ex.pass?.[0]) ?? ex.pass?.[0] ?? ex.skipped?.[0] ?? ex.unknown![0];
    return { id: c.id, class: c.class, ...o, severity: o.severity ?? c.severity };
  });
  return { host: hostOf(h), evaluatedAt: '2026-11-26T06:00:00.000Z', status: hostStatus(checks), checks };
}

const failingChecks = ALL_CHECKS.filter((c) => c.appliesTo.includes('compute-instance') && c.examples(host(), settings).fail).map((c) => c.id);
// Two hosts per failing check, and enough passing ones to need a second page.
const reports = [
  ...failingChecks.flatMap((id, i) => [reportFor(`ci-fail-${i}-a`, id), reportFor(`ci-fail-${i}-b`, id)]),
  ...Array.from({ length: STATUS_PAGE_SIZE + 5 }, (_, i) => reportFor(`ci-ok-${String(i).padStart(2, '0')}`, null)),
];

let browser: TestBrowser | undefined;
let server: http.Server;
let url: string;
let context: BrowserContext;

before(async () => {
  if (!available) return;
  const handler = makeStatusHandler(async () => ({
    reports: { async *listLatest() { for (const report of reports) yield { report, timeline: { recent: 'pf', failingSince: report.status === 'fail' ? report.evaluatedAt : null, lastChangeAt: null }, checkStates: {}, sweepId: 's', etag: '' }; } },
    now: () => new Date('2026-11-26T06:00:00Z'),
  }));
  server = http.createServer((req, res) => {
    void handler(new HttpRequest({ method: 'GET', url: `http://127.0.0.1${req.url ?? '/'}` }), new InvocationContext()).then((r) => {
      res.writeHead(r.status ?? 200, { 'content-type': 'text/html; charset=utf-8' }).end(typeof r.body === 'string' ? r.body : JSON.stringify(r.jsonBody));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/status`;
  browser = await launchBrowser('tbmon-status-');
  context = browser.context;
});

after(() => browser?.close(server));

/** Every link: an anchor on this page, a filter link to the page itself, or an https URL; never a key. */
async function assertLinks(page: Page): Promise<void> {
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const ids = new Set(await page.locator('[id]').evaluateAll((es) => es.map((e) => e.id)));
  assert.ok(hrefs.length > 10);
  for (const href of hrefs) {
    if (href.startsWith('#')) assert.ok(ids.has(href.slice(1)), `anchor ${href} is on the page`);
    else if (href.startsWith('?')) assert.ok(!/(^|[?&])code=/.test(href), `filter link ${href} carries no key`);
    else assert.match(href, /^https:\/\//, `link ${href} is https`);
  }
}

const hostsShown = (page: Page) => page.locator('section.host').evaluateAll((ss) => ss.map((x) => x.getAttribute('data-host') ?? ''));

test('a top cause and the filter form narrow the list; the list is paged; every link stays on the page or is https', { skip }, async () => {
  const page = await context.newPage();
  await page.goto(`${url}?code=k3y`);
  assert.equal((await hostsShown(page)).length, STATUS_PAGE_SIZE, 'one page of hosts');
  assert.equal(await page.locator('nav.pager').first().locator('a').count(), 1, 'a link to the next page');
  await assertLinks(page);
  const cause = page.locator('.causes li a').first();
  await cause.click();
  await page.waitForURL(/check=/);
  const checkId = new URL(page.url()).searchParams.get('check')!;
  const narrowed = await hostsShown(page);
  assert.equal(narrowed.length, 2, `the cause ${checkId} narrows ${reports.length} hosts to its 2`);
  for (const name of narrowed) assert.equal(reports.find((r) => r.host.name === name)!.checks.find((k) => k.id === checkId)?.status, 'fail', `${name} fails ${checkId}`);
  await assertLinks(page);

  await page.goto(`${url}?code=k3y`);
  await page.locator('form.filters select[name="status"]').selectOption('pass');
  await page.locator('form.filters button[type="submit"]').click();
  await page.waitForURL(/status=pass/);
  assert.match(page.url(), /code=k3y/, 'the form keeps the key it came with');
  assert.equal((await hostsShown(page)).length, STATUS_PAGE_SIZE);
  assert.equal(await page.locator('section.host:not([data-status="pass"])').count(), 0);
  await page.locator('nav.pager a').first().click();
  await page.waitForURL(/page=2/);
  assert.equal((await hostsShown(page)).length, reports.filter((r) => r.status === 'pass').length - STATUS_PAGE_SIZE, 'the rest on page 2');
  await page.setViewportSize({ width: 390, height: 844 });
  const sw = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  assert.ok(sw <= 0, `${sw}px too wide at 390 px`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'status-filtered-390.png') });
  await page.close();
});

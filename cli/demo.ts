// `npm run demo` / `tbmon demo`: the whole cycle on the built-in sandbox tenant (sandbox/tenants/contoso.json).
// Starts Azurite and the sandbox, runs the app's own handlers on the dev host — sweep (timer) → evaluate (queue) →
// alert (queue) — then reads the status page and the check endpoint over HTTP like a person would, prints the
// report, and writes what people look at to demo-out/: the HTML report, the status page, each email (.html, .eml)
// and each Teams card (.json).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appRegistrations } from './app-functions';
import { appEnvironment, type AppEnvironment } from '../shared/app';
import type { Report } from '../shared/model';
import { renderReportHtml } from '../shared/report/html';
import { renderTable } from '../shared/report/table';
import { buildReport } from '../shared/report/build';
import { emptyRequestCounts, type HostReport } from '../shared/model';

export interface DemoOptions {
  outDir?: string;
  log: (line: string) => void;
  print: (text: string) => void;
  colour: boolean;
}

const DEMO_TENANT = path.join(__dirname, '..', 'sandbox', 'tenants', 'contoso.json');
const TEAMS_CHANNEL = 'ml-alerts';
const EARLIER_MS = 15 * 60_000;
/** Where the demo's links point: the status page of the Function App the sandbox tenant would deploy. */
const DEMO_HOSTNAME = 'func-tbmon-contoso.azurewebsites.net';

/** The tenant of the first sweep: vm-tb on a size too small, so the second sweep sees it recover. */
function tenantBefore<T extends { resources: { name?: string; properties?: Record<string, unknown> }[] }>(tenant: T): T {
  const before = structuredClone(tenant);
  const vm = before.resources.find((r) => r.name === 'vm-tb');
  const hw = vm?.properties?.hardwareProfile as { vmSize?: string } | undefined;
  if (hw) hw.vmSize = 'Standard_D2_v2';
  return before;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9@.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}

/** An RFC 5322 message with text and HTML alternatives: opens in any mail client. */
export function toEml(mail: { senderAddress: string; to: string[]; subject: string; plainText?: string; html?: string; operationId?: string }, date: Date): string {
  const boundary = `tbmon-${(mail.operationId ?? 'x').replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}`;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  const subject = /^[\x20-\x7e]*$/.test(mail.subject) ? mail.subject : `=?UTF-8?B?${Buffer.from(mail.subject, 'utf8').toString('base64')}?=`;
  return [
    `From: ${mail.senderAddress}`,
    `To: ${mail.to.join(', ')}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(mail.plainText ?? ''),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(mail.html ?? ''),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

async function fetchText(url: string, ca: string): Promise<{ status: number; text: string }> {
  // The dev host serves plain http on loopback; `ca` is unused there but kept for symmetry with https routes.
  void ca;
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

export async function runDemo(opts: DemoOptions): Promise<number> {
  const outDir = path.resolve(opts.outDir ?? 'demo-out');
  const started = Date.now();
  const { startAzurite } = require('../devhost/azurite') as typeof import('../devhost/azurite');
  const { startDevHost } = require('../devhost/host') as typeof import('../devhost/host');
  const { readTenantFile } = require('../sandbox/tenant') as typeof import('../sandbox/tenant');
  const { startSandbox } = require('../sandbox/server') as typeof import('../sandbox/server');
  const { metricsOf } = require('../sandbox/ingestion') as typeof import('../sandbox/ingestion');

  const tenant = readTenantFile(DEMO_TENANT);
  const now = new Date(tenant.now);
  // Two sweeps leave history for the status page (its chart, a "failing since", a recovery): the first a quarter of
  // an hour earlier, when vm-tb still ran on a size too small (Standard_D2_v2); the second on the tenant as it is.
  const earlier = new Date(now.getTime() - EARLIER_MS);
  let clock = earlier;
  opts.log(`demo: starting Azurite and the sandbox tenant ${path.relative(process.cwd(), DEMO_TENANT)} (clock ${tenant.now})`);
  const [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox({ tenant })]);
  let host: Awaited<ReturnType<typeof startDevHost>> | undefined;
  try {
    const teamsUrl = sandbox.teamsWebhooks[TEAMS_CHANNEL] ?? Object.values(sandbox.teamsWebhooks)[0];
    const env: Record<string, string | undefined> = {
      AzureWebJobsStorage: azurite.connectionString,
      TBMON_SCOPE: 'all',
      TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com',
      TBMON_ALERT_FALLBACK_TO: 'ml-platform@contoso.com',
      ACS_CONNECTION_STRING: sandbox.acsConnectionString,
      TEAMS_WEBHOOK_URL: teamsUrl,
      TBMON_SWEEP_SCHEDULE: '0 */15 * * * *',
      // Sweep metrics go to the sandbox's Application Insights ingestion endpoint (Statsbeat and remote config off).
      APPLICATIONINSIGHTS_CONNECTION_STRING: sandbox.applicationInsightsConnectionString,
      WEBSITE_HOSTNAME: DEMO_HOSTNAME,
    };
    const retry = { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 200 };
    const app: AppEnvironment = appEnvironment(env, { sandbox: { baseUrl: sandbox.baseUrl, caCert: sandbox.caCert }, now: () => clock, retry });

    // The app's own handlers, built from the same wiring as in Azure, with the sandbox as "Azure".
    const registrations = appRegistrations(app);
    const lines: string[] = [];
    host = await startDevHost({
      registrations, storage: app.settings.storage!, timers: 'manual', env,
      queues: { maxPollingIntervalMs: 200, visibilityTimeoutMs: 500 },
      log: (line) => lines.push(line),
    });

    opts.log('demo: two sweeps, 15 minutes apart: sweep (timer) → evaluate (tb-evaluate) → alert (tb-alerts) on the dev host …');
    sandbox.setTenant(tenantBefore(tenant));
    sandbox.setClock(earlier.toISOString());
    await host.runTimer('sweep');
    await host.drain({ timeoutMs: 120_000 });
    const firstMails = sandbox.outbox().emails.length;
    const firstCards = sandbox.outbox().teams.length;
    sandbox.setTenant(tenant);
    sandbox.setClock(now.toISOString());
    clock = now;
    await host.runTimer('sweep');
    await host.drain({ timeoutMs: 120_000 });

    const key = host.keys?.functionKeys.status ?? host.keys?.hostKey ?? '';
    const statusJson = await fetchText(`${host.httpUrl}/api/status?format=json&code=${encodeURIComponent(key)}`, sandbox.caCert);
    if (statusJson.status !== 200) throw new Error(`status page answered ${statusJson.status}: ${statusJson.text.slice(0, 200)}`);
    const stored = JSON.parse(statusJson.text) as Report;
    const statusHtml = await fetchText(`${host.httpUrl}/api/status?code=${encodeURIComponent(key)}`, sandbox.caCert);
    const failing = stored.hosts.find((h) => h.status === 'fail');
    const checkKey = host.keys?.functionKeys.check ?? host.keys?.hostKey ?? '';
    const checkHtml = failing ? await fetchText(`${host.httpUrl}/api/check?host=${encodeURIComponent(failing.host.id)}&format=html&code=${encodeURIComponent(checkKey)}`, sandbox.caCert) : null;

    const outbox = sandbox.outbox();
    const requests = emptyRequestCounts();
    for (const r of sandbox.requests()) if (r.api !== 'ingestion') requests[r.api]++;
    const report = buildReport(stored.hosts as HostReport[], { stats: { durationMs: Date.now() - started, requests }, generatedAt: now });

    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(path.join(outDir, 'emails'), { recursive: true });
    mkdirSync(path.join(outDir, 'teams'), { recursive: true });
    writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(outDir, 'report.html'), renderReportHtml(report));
    writeFileSync(path.join(outDir, 'status.html'), statusHtml.text);
    if (checkHtml && failing) writeFileSync(path.join(outDir, `check-${slug(failing.host.name)}.html`), checkHtml.text);
    // Named by sweep: 1-<recipient> for the first sweep's digests, 2-<recipient> for the second's.
    outbox.emails.forEach((mail, i) => {
      const sweep = i < firstMails ? 1 : 2;
      const base = path.join(outDir, 'emails', `${sweep}-${slug(mail.to.join('+'))}`);
      writeFileSync(`${base}.html`, mail.html ?? '');
      writeFileSync(`${base}.eml`, toEml(mail, sweep === 1 ? earlier : now));
    });
    outbox.teams.forEach((card, i) => writeFileSync(path.join(outDir, 'teams', `${i < firstCards ? 1 : 2}-${slug(card.channel)}.json`), `${JSON.stringify(card.card, null, 2)}\n`));
    writeFileSync(path.join(outDir, 'devhost.log'), `${lines.join('\n')}\n`);
    const metrics = metricsOf(sandbox.ingestion());
    writeFileSync(path.join(outDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);

    opts.print(renderTable(report, { colour: opts.colour }));
    opts.print([
      '',
      `demo: ${report.summary.hosts} hosts evaluated through the queues, in two sweeps; ${outbox.emails.length} email digest(s) and ${outbox.teams.length} Teams card(s) sent to the sandbox`,
      `demo: requests — Resource Graph ${requests.resourceGraph}, ARM ${requests.arm}, Log Analytics ${requests.logAnalytics}, email ${requests.email}, Teams ${requests.teams}`,
      `demo: ${metrics.length} metric point(s) exported to the sandbox's Application Insights (metrics.json)`,
      `demo: wrote ${path.relative(process.cwd(), outDir) || '.'}/ — report.html, status.html, metrics.json, emails/<sweep>-<recipient>.html|.eml, teams/<sweep>-<channel>.json`,
      '',
    ].join('\n'));
    return 0;
  } finally {
    await host?.stop().catch(() => {});
    await Promise.all([sandbox.close(), azurite.stop()]);
  }
}

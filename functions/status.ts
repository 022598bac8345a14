// status — HTTP GET /api/status (authLevel function): every host's latest report from Table storage, as a
// self-contained HTML page (failing hosts first, each failure with its evidence and fix) or as JSON (?format=json,
// report schema v1). Filters: ?subscription=<guid>, ?status=fail|warn|unknown|pass. Hosts the inventory says are gone
// (two successful sweeps of their subscription without them) are left out: their last report would show a host that
// no longer exists — and perhaps as passing.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appEnvironment, statusDeps } from '../shared/app';
import { isGuid } from '../shared/config';
import { emptyRequestCounts, type HostReport, type HostStatus } from '../shared/model';
import { buildReport } from '../shared/report/build';
import { renderStatusPage } from '../shared/report/html';
import type { HostInventory } from '../shared/state/inventory';
import type { ReportStore } from '../shared/state/reports';
import type { SweepLedger, SweepRecord } from '../shared/state/sweeps';
import { buildOnce } from './once';
import { register } from './registration';

export interface StatusDeps {
  reports: Pick<ReportStore, 'listLatest'>;
  /** Without it every stored report is shown. */
  inventory?: Pick<HostInventory, 'list'>;
  /** The latest sweep's run problems (reach, unresolved secrets) shown above the hosts; without it none are. */
  ledger?: Pick<SweepLedger, 'listSweeps'>;
  now?: () => Date;
  /** TBMON_HOST_TAG, for the coverage fixes (default: the setting's default). */
  hostTag?: string;
}

/** How far back the page looks for the latest sweep (a sweep runs every 15 minutes by default). */
const LAST_SWEEP_LOOKBACK_MS = 2 * 86_400_000;

const STATUSES: readonly HostStatus[] = ['fail', 'warn', 'unknown', 'pass'];

function bad(message: string): HttpResponseInit {
  return { status: 400, jsonBody: { error: { code: 'BadRequest', message } } };
}

export function makeStatusHandler(build: () => Promise<StatusDeps>) {
  const deps = buildOnce(build);
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    if (request.method !== 'GET') return { status: 405, headers: { allow: 'GET' }, jsonBody: { error: { code: 'MethodNotAllowed', message: 'use GET' } } };
    const subscription = request.query.get('subscription') || undefined;
    const status = request.query.get('status') || undefined;
    const format = request.query.get('format') ?? 'html';
    if (subscription !== undefined && !isGuid(subscription)) return bad('"subscription" must be a subscription id (GUID)');
    if (status !== undefined && !STATUSES.includes(status as HostStatus)) return bad('"status" must be fail, warn, unknown or pass');
    if (format !== 'html' && format !== 'json') return bad('"format" must be html or json');
    let hosts: HostReport[];
    let d: StatusDeps;
    let lastSweep: SweepRecord | null;
    try {
      d = await deps();
      const now = d.now?.() ?? new Date();
      lastSweep = d.ledger ? ((await d.ledger.listSweeps(new Date(now.getTime() - LAST_SWEEP_LOOKBACK_MS))).find((s) => s.state !== 'discovering') ?? null) : null;
      const gone = new Set((d.inventory ? await d.inventory.list() : []).filter((h) => h.goneAt).map((h) => h.host.id.toLowerCase()));
      hosts = [];
      for await (const latest of d.reports.listLatest(subscription)) {
        if (gone.has(latest.report.host.id.toLowerCase())) continue;
        if (!status || latest.report.status === status) hosts.push(latest.report);
      }
    } catch (e) {
      context.error(`status: ${(e as Error).message}`);
      return { status: 503, jsonBody: { error: { code: 'StorageUnavailable', message: 'the stored reports could not be read; try again' } } };
    }
    const now = d.now?.() ?? new Date();
    // The latest sweep's run problems (a scope that reads one subscription, listed subscriptions unreadable, an
    // unresolved Key Vault reference) belong to what the page shows: its hosts are that sweep's.
    const report = buildReport(hosts, { stats: { durationMs: 0, requests: emptyRequestCounts() }, generatedAt: now, errors: lastSweep?.errors ?? [], hostTag: d.hostTag });
    if (format === 'json') return { status: 200, jsonBody: report, headers: { 'cache-control': 'no-store' } };
    // The function key rides along in the filter form only when the caller put it in the URL (they hold it there
    // already; the page is no-store and loads or links nothing, so no Referer carries it). A header key is not echoed.
    const code = request.query.get('code');
    const html = renderStatusPage(report, { generatedAt: now.toISOString(), filters: { subscription, status }, selfPath: new URL(request.url).pathname, keep: code ? { code } : {}, lastSweep: d.ledger ? lastSweep : undefined });
    return { status: 200, body: html, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } };
  };
}

export const statusDepsFromAppSettings = (): Promise<StatusDeps> => statusDeps(appEnvironment());

export const status = makeStatusHandler(statusDepsFromAppSettings);

export const registration = register({
  name: 'status',
  trigger: { type: 'http', methods: ['GET'], authLevel: 'function', route: 'status' },
  handler: status,
});

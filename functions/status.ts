// status — HTTP GET /api/status (authLevel function): the fleet over time as a self-contained HTML page (counts and
// the change since the sweep before, a chart per sweep from the sweeps' summary rows, top causes, the hosts paged,
// each with its cause, fix, since and links; shared/report/status-page.ts) or every matching host's latest report as
// JSON (?format=json, report schema v1). Filters, as plain GET links: ?subscription=<guid>, ?workspace=<name>,
// ?status=fail|warn|unknown|pass, ?check=<check id>, ?host=<anchor>, ?page=N.
//
// Authentication stays the function key: App Service Authentication (Entra ID) would let the page be anonymous at the
// Functions level, but the Flex Consumption plan this app deploys to does not support it — "EasyAuth isn't currently
// supported. Unauthenticated callers currently aren't blocked when EasyAuth is enabled in a Flex Consumption plan
// app." (learn.microsoft.com/azure/azure-functions/flex-consumption-plan, Considerations). Links in emails and cards
// point at the page without a key. Hosts the inventory says are gone
// (two successful sweeps of their subscription without them) are left out: their last report would show a host that
// no longer exists — and perhaps as passing.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appFromAppSettings, statusDeps, type AppSource } from '../shared/app';
import { isGuid } from '../shared/config';
import { ALL_CHECKS } from '../shared/checks/registry';
import { emptyRequestCounts, type HostReport, type HostStatus, canonicalId } from '../shared/model';
import { hostAnchor } from '../shared/notify/words';
import { buildReport } from '../shared/report/build';
import { renderCoverageHtml } from '../shared/report/coverage';
import { errorsHtml, lastSweepBanner } from '../shared/report/html';
import { renderFleetStatusPage, type StatusFilters, type StatusPageInput } from '../shared/report/status-page';
import type { HostInventory } from '../shared/state/inventory';
import type { LatestHostState, ReportStore } from '../shared/state/reports';
import type { SweepLedger, SweepRecord } from '../shared/state/sweeps';
import { buildOnce } from './once';
import { register, type HttpRegistration } from './registration';

export interface StatusDeps {
  reports: Pick<ReportStore, 'listLatest'>;
  /** Without it every stored report is shown. */
  inventory?: Pick<HostInventory, 'list'>;
  /**
   * The sweep ledger: its summary rows draw the chart and the change since the sweep before, and the latest sweep's
   * run problems (reach, unresolved secrets) are shown above the hosts; without it neither is.
   */
  ledger?: Pick<SweepLedger, 'listSweeps'>;
  /** TBMON_HISTORY_DAYS: how far back the chart reaches. */
  historyDays?: number;
  tenantId?: string | null;
  now?: () => Date;
  /** TBMON_HOST_TAG, for the coverage fixes (default: the setting's default). */
  hostTag?: string;
}

const STATUSES: readonly HostStatus[] = ['fail', 'warn', 'unknown', 'pass'];
const ORDER: Record<HostStatus, number> = { fail: 0, warn: 1, unknown: 2, pass: 3 };
const CHECK_IDS = new Set(ALL_CHECKS.map((c) => c.id));
export const STATUS_PAGE_SIZE = 50;
/** How far back the page looks for the latest sweep (a sweep runs every 15 minutes by default). */
const LAST_SWEEP_LOOKBACK_MS = 2 * 86_400_000;
const TOP_CAUSES = 8;

function bad(message: string): HttpResponseInit {
  return { status: 400, jsonBody: { error: { code: 'BadRequest', message } } };
}

/** The filters a GET asks for, validated (a bad one names its parameter and changes nothing). */
function readFilters(q: URLSearchParams): { ok: true; filters: StatusFilters; page: number } | { ok: false; message: string } {
  const get = (k: string) => q.get(k) || undefined;
  const filters: StatusFilters = { subscription: get('subscription'), workspace: get('workspace'), status: get('status'), check: get('check'), host: get('host') };
  if (filters.subscription !== undefined && !isGuid(filters.subscription)) return { ok: false, message: '"subscription" must be a subscription id (GUID)' };
  if (filters.workspace !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(filters.workspace)) return { ok: false, message: '"workspace" must be an ML workspace name (letters, digits, - and _)' };
  if (filters.status !== undefined && !STATUSES.includes(filters.status as HostStatus)) return { ok: false, message: '"status" must be fail, warn, unknown or pass' };
  if (filters.check !== undefined && !CHECK_IDS.has(filters.check)) return { ok: false, message: '"check" must be a check id (docs/checks.md), e.g. network.tensorboard-port' };
  if (filters.host !== undefined && !/^host-[a-z0-9-]{1,40}-[0-9a-f]{10}$/.test(filters.host)) return { ok: false, message: '"host" must be a host anchor from a tbmon link (host-<name>-<hash>)' };
  const rawPage = get('page');
  const page = rawPage === undefined ? 1 : Number(rawPage);
  if (!Number.isInteger(page) || page < 1 || page > 100_000) return { ok: false, message: '"page" must be a whole number from 1' };
  return { ok: true, filters, page };
}

/** A check that needs attention on the host: failing (or warning) and not silenced. */
function failingChecks(r: HostReport): string[] {
  return r.checks.filter((k) => k.status === 'fail' && !k.suppressed).map((k) => k.id);
}

function matches(latest: LatestHostState, f: StatusFilters): boolean {
  const r = latest.report;
  if (f.workspace && (r.host.workspace ?? '').toLowerCase() !== f.workspace.toLowerCase()) return false;
  if (f.status && r.status !== f.status) return false;
  if (f.check && !r.checks.some((k) => k.id === f.check && (k.status === 'fail' || k.status === 'warn') && !k.suppressed)) return false;
  if (f.host && hostAnchor(r.host) !== f.host) return false;
  return true;
}

export function makeStatusHandler(build: () => Promise<StatusDeps>) {
  const deps = buildOnce(build);
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    if (request.method !== 'GET') return { status: 405, headers: { allow: 'GET' }, jsonBody: { error: { code: 'MethodNotAllowed', message: 'use GET' } } };
    const format = request.query.get('format') ?? 'html';
    const read = readFilters(request.query);
    if (!read.ok) return bad(read.message);
    if (format !== 'html' && format !== 'json') return bad('"format" must be html or json');
    const { filters, page } = read;
    let d: StatusDeps;
    const counts: Record<HostStatus, number> & { hosts: number } = { hosts: 0, fail: 0, warn: 0, unknown: 0, pass: 0 };
    const causes = new Map<string, number>();
    // Memory stays at one page of hosts whatever the fleet: the matching hosts are counted as they stream by, and
    // only the best PAGE_SIZE × page (by status, then name) are kept.
    const keepCount = STATUS_PAGE_SIZE * page;
    let kept: LatestHostState[] = [];
    const all: HostReport[] = [];
    let sweeps: StatusPageInput['sweeps'] = [];
    let lastSweep: SweepRecord | null = null;
    try {
      d = await deps();
      const now = d.now?.() ?? new Date();
      const gone = new Set((d.inventory ? await d.inventory.list() : []).filter((h) => h.goneAt).map((h) => canonicalId(h.host.id)));
      for await (const latest of d.reports.listLatest(filters.subscription)) {
        if (gone.has(canonicalId(latest.report.host.id))) continue;
        if (!matches(latest, filters)) continue;
        counts.hosts++;
        counts[latest.report.status]++;
        for (const id of failingChecks(latest.report)) causes.set(id, (causes.get(id) ?? 0) + 1);
        all.push(latest.report);
        if (format === 'json') continue;
        kept.push(latest);
        if (kept.length > keepCount * 2) kept = sortLatest(kept).slice(0, keepCount);
      }
      if (d.ledger) {
        // One read of the ledger: the chart's summary rows and the latest sweep's line and run problems.
        const since = new Date(now.getTime() - Math.max((d.historyDays ?? 30) * 86_400_000, LAST_SWEEP_LOOKBACK_MS));
        const records = await d.ledger.listSweeps(since);
        lastSweep = records.filter((r) => Date.parse(r.startedAt) >= now.getTime() - LAST_SWEEP_LOOKBACK_MS).find((r) => r.state !== 'discovering') ?? null;
        const chartSince = now.getTime() - (d.historyDays ?? 30) * 86_400_000;
        sweeps = records
          .filter((r) => r.state === 'complete' && r.tally && Date.parse(r.startedAt) >= chartSince)
          .map((r) => ({ sweepId: r.sweepId, at: r.startedAt, tally: r.tally as NonNullable<typeof r.tally> }))
          .sort((a, b) => a.at.localeCompare(b.at));
      }
    } catch (e) {
      context.error(`status: ${(e as Error).message}`);
      return { status: 503, jsonBody: { error: { code: 'StorageUnavailable', message: 'the stored reports could not be read; try again' } } };
    }
    const now = d.now?.() ?? new Date();
    if (format === 'json') {
      // The latest sweep's run problems (a scope that reads one subscription, listed subscriptions unreadable, an
      // unresolved Key Vault reference) belong to what the page shows: its hosts are that sweep's.
      const report = buildReport(all, { stats: { durationMs: 0, requests: emptyRequestCounts() }, generatedAt: now, errors: lastSweep?.errors ?? [], hostTag: d.hostTag });
      return { status: 200, jsonBody: report, headers: { 'cache-control': 'no-store' } };
    }
    // The fleet's coverage (shared/report/coverage.ts) over the matching hosts, as the JSON report computes it.
    const coverage = buildReport(all, { stats: { durationMs: 0, requests: emptyRequestCounts() }, generatedAt: now, hostTag: d.hostTag }).coverage;
    const pageHosts = sortLatest(kept).slice(STATUS_PAGE_SIZE * (page - 1), STATUS_PAGE_SIZE * page);
    const topCauses = [...causes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_CAUSES).map(([checkId, hosts]) => ({ checkId, hosts }));
    // The function key rides along in links and the form only when the caller put it in the URL (they hold it there
    // already; the page is no-store and loads nothing, so no Referer carries it). A header key is not echoed.
    const code = request.query.get('code');
    const html = renderFleetStatusPage({
      generatedAt: now.toISOString(), hosts: pageHosts.map((l) => ({ report: l.report, timeline: l.timeline })), matching: counts, sweeps, topCauses,
      filters, page, pageSize: STATUS_PAGE_SIZE, historyDays: d.historyDays ?? 30, keep: code ? { code } : {}, selfPath: new URL(request.url).pathname,
      links: { tenantId: d.tenantId ?? null },
      sections: [
        lastSweepBanner(d.ledger ? lastSweep : undefined), errorsHtml({ errors: lastSweep?.errors ?? [] }),
        coverage ? renderCoverageHtml(coverage) : '',
      ].filter(Boolean),
    });
    return { status: 200, body: html, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } };
  };
}

function sortLatest(list: LatestHostState[]): LatestHostState[] {
  return [...list].sort((a, b) => ORDER[a.report.status] - ORDER[b.report.status] || a.report.host.name.localeCompare(b.report.host.name) || a.report.host.id.localeCompare(b.report.host.id));
}

/** The status function of an app (the Functions app's own: from app settings; the demo and tests pass theirs). */
export function statusFunction(app: AppSource): HttpRegistration {
  return {
    name: 'status',
    trigger: { type: 'http', methods: ['GET'], authLevel: 'function', route: 'status' },
    handler: makeStatusHandler(() => statusDeps(app())),
  };
}

export const registration = register(statusFunction(appFromAppSettings));
export const status = registration.handler;

// The status page: the fleet over time (the report stays the result of one run). A header with the counts now and the
// change since the sweep before; an inline SVG chart of hosts by status per sweep, drawn from the one summary row
// each sweep's completion writes (never from per-host history); the causes failing on most hosts, each a filtered
// view; filters by subscription, workspace, status and check as plain GET links; the host list paged, each host with
// its status, cause in one sentence, failing since, last change, a strip of its last sweeps and its links.
// Self-contained (no script, font or image from anywhere); readable from 390 px to wide screens. Each part is one
// function (header, chart, causes, filters, one host, pager) so other sections slot in between.
import { type CheckResult, type HostReport, type HostStatus, canonicalId } from '../model';
import { ALL_CHECKS, plainSentence } from '../checks/registry';
import type { HostTimeline } from '../state/reports';
import type { SweepTally } from '../state/sweeps';
import { hostLink, type LinkOptions } from '../notify/links';
import { decidingResources, hostAnchor, portalLink, tensorboardUrl, when } from '../notify/words';
import { escapeHtml, page } from './html';

export interface StatusHost {
  report: HostReport;
  timeline: HostTimeline;
}

export interface StatusFilters {
  subscription?: string;
  workspace?: string;
  status?: string;
  check?: string;
  /** A host's anchor (hostAnchor): the link emails and cards give. */
  host?: string;
}

export interface StatusPageInput {
  generatedAt: string;
  /** The hosts of this page (already filtered, sorted and sliced). */
  hosts: StatusHost[];
  /** Hosts matching the filters, per status (all pages). */
  matching: Record<HostStatus, number> & { hosts: number };
  /** Completed sweeps in TBMON_HISTORY_DAYS, oldest first, each with its summary row. */
  sweeps: { sweepId: string; at: string; tally: SweepTally }[];
  /** Checks failing on most matching hosts. */
  topCauses: { checkId: string; hosts: number }[];
  filters: StatusFilters;
  page: number;
  pageSize: number;
  historyDays: number;
  /**
   * Hidden fields of the filter form (the function key `code` when the caller put it in the URL). Links never carry
   * them: no link anywhere holds a key.
   */
  keep?: Record<string, string>;
  /** Path of the page itself, for the form (links are relative: `?status=fail`). */
  selfPath?: string;
  links?: LinkOptions;
  /** Extra sections after the chart (coverage, …), already rendered. */
  sections?: string[];
}

const STATUSES: HostStatus[] = ['fail', 'warn', 'unknown', 'pass'];
const COLORS: Record<HostStatus, string> = { fail: '#b42318', warn: '#b54708', unknown: '#6941c6', pass: '#067647' };
const WORDS: Record<HostStatus, string> = { fail: 'failing', warn: 'warning', unknown: 'unknown', pass: 'passing' };
const CHECK_ORDER: Record<string, number> = { fail: 0, warn: 1, unknown: 2, pass: 3, skipped: 4 };
const TITLES = new Map(ALL_CHECKS.map((c) => [c.id, c.title]));

export const STATUS_STYLE = `
.fleet{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0 12px}.fleet a{text-decoration:none;color:inherit}
.fleet .count{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:8px 12px;min-width:86px}
.fleet .delta{display:block;font-size:12px;color:#475467}
.chart{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:10px 12px;margin:0 0 12px}
.chart svg{display:block;width:100%;height:140px}.chart .axis{display:flex;justify-content:space-between;color:#475467;font-size:12px}
.legend{display:flex;gap:10px;flex-wrap:wrap;font-size:12px;color:#475467}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.causes{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:8px 16px;margin:0 0 12px}.causes ol{margin:4px 0;padding-left:20px}
.cause{font-weight:600;margin:4px 0}.strip{display:inline-flex;gap:2px;vertical-align:middle;flex-wrap:wrap}
.strip i{display:inline-block;width:8px;height:12px;border-radius:2px;background:var(--skipped)}
.strip i.f{background:var(--fail)}.strip i.w{background:var(--warn)}.strip i.u{background:var(--unknown)}.strip i.p{background:var(--pass)}
.links{font-size:13px;margin:4px 0}.links a{margin-right:10px;display:inline-block}
.finding{margin:8px 0 0}.finding .meta{margin-top:2px}.pager{display:flex;gap:12px;margin:12px 0;flex-wrap:wrap}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#475467}form.filters input,form.filters select{font:inherit;max-width:100%}
@media (max-width:640px){form.filters label{width:100%}form.filters input,form.filters select{width:100%}}
`;

/** `?a=1&b=2` from the filters (empty values dropped); relative, so it is the page itself. Never a key. */
export function filterHref(filters: StatusFilters & { page?: number }): string {
  const q = Object.entries({ ...filters, page: filters.page && filters.page > 1 ? String(filters.page) : undefined })
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `?${q.join('&')}`;
}

function delta(now: number, before: number | undefined): string {
  if (before === undefined) return '';
  const d = now - before;
  return `<span class="delta">${d === 0 ? 'no change' : `${d > 0 ? '+' : '−'}${Math.abs(d)}`} since the sweep before</span>`;
}

/** Counts now (the matching hosts) and, when unfiltered, the change since the sweep before. */
export function renderFleetHeader(input: StatusPageInput): string {
  const filtered = Object.values(input.filters).some(Boolean);
  const [prev, last] = input.sweeps.length >= 2 ? input.sweeps.slice(-2).map((s) => s.tally) : [undefined, undefined];
  const items = STATUSES.map((s) => {
    const href = escapeHtml(filterHref({ ...input.filters, status: s, host: undefined })) ;
    return `<a class="count ${s}" href="${href}"><b>${input.matching[s]}</b>${WORDS[s]}${!filtered && last && prev ? delta(last[s], prev[s]) : ''}</a>`;
  });
  items.push(`<span class="count"><b>${input.matching.hosts}</b>hosts${filtered ? ' matching' : ''}</span>`);
  return `<div class="fleet">${items.join('')}</div>`;
}

/** Hosts by status per sweep, stacked bars, from the sweeps' summary rows. */
export function renderChart(input: StatusPageInput): string {
  const sweeps = input.sweeps;
  if (!sweeps.length) return `<div class="chart"><p class="meta">No completed sweep in the last ${input.historyDays} days yet: the chart starts with the first.</p></div>`;
  const W = 600;
  const H = 120;
  const max = Math.max(1, ...sweeps.map((s) => STATUSES.reduce((n, k) => n + s.tally[k], 0)));
  const slot = W / sweeps.length;
  const bar = Math.max(1, Math.min(24, slot * 0.8));
  const rects: string[] = [];
  sweeps.forEach((s, i) => {
    let y = H;
    const x = (i * slot + (slot - bar) / 2).toFixed(2);
    const total = STATUSES.reduce((n, k) => n + s.tally[k], 0);
    const label = `${when(s.at)}: ${STATUSES.map((k) => `${s.tally[k]} ${WORDS[k]}`).join(', ')}`;
    const parts: string[] = [];
    for (const k of ['pass', 'unknown', 'warn', 'fail'] as HostStatus[]) {
      const h = (s.tally[k] / max) * H;
      if (h <= 0) continue;
      y -= h;
      parts.push(`<rect x="${x}" y="${y.toFixed(2)}" width="${bar.toFixed(2)}" height="${h.toFixed(2)}" fill="${COLORS[k]}"/>`);
    }
    rects.push(`<g><title>${escapeHtml(label)}</title>${parts.join('')}${total === 0 ? '' : ''}</g>`);
  });
  const legend = STATUSES.map((k) => `<span><i style="background:${COLORS[k]}"></i>${WORDS[k]}</span>`).join('');
  const first = sweeps[0].at;
  const last = sweeps[sweeps.length - 1].at;
  return `<div class="chart"><div class="legend"><b>Hosts by status, per sweep (last ${input.historyDays} days)</b>${legend}</div>
<svg class="chart-svg" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="hosts by status per sweep, ${sweeps.length} sweeps, at most ${max} hosts">${rects.join('')}</svg>
<div class="axis"><span>${escapeHtml(when(first))}</span><span>${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'}</span><span>${escapeHtml(when(last))}</span></div></div>`;
}

/** The checks failing on most matching hosts, each a link to the hosts it fails on. */
export function renderTopCauses(input: StatusPageInput): string {
  if (!input.topCauses.length) return '';
  const items = input.topCauses.map((c) => {
    const href = escapeHtml(filterHref({ ...input.filters, check: c.checkId, status: 'fail', host: undefined })) ;
    return `<li><a href="${href}">${escapeHtml(TITLES.get(c.checkId) ?? c.checkId)}</a> — failing on ${c.hosts} host${c.hosts === 1 ? '' : 's'}</li>`;
  });
  return `<div class="causes"><h3>Top causes</h3><ol>${items.join('')}</ol></div>`;
}

/** The filter form (GET, so every view is a plain link). */
export function renderFilters(input: StatusPageInput): string {
  const f = input.filters;
  const keep = Object.entries(input.keep ?? {}).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const statusOptions = ['', ...STATUSES].map((s) => `<option value="${s}"${f.status === s ? ' selected' : ''}>${s ? WORDS[s as HostStatus] : 'any status'}</option>`).join('');
  const checkOptions = ['', ...ALL_CHECKS.map((c) => c.id)].map((id) => `<option value="${escapeHtml(id)}"${f.check === id ? ' selected' : ''}>${id ? escapeHtml(TITLES.get(id) ?? id) : 'any check'}</option>`).join('');
  const reset = Object.values(f).some(Boolean) ? ` <a href="${escapeHtml(filterHref({}))}">show every host</a>` : '';
  return `<form class="filters" method="get" action="${escapeHtml(input.selfPath ?? '')}">${keep}
<label>subscription <input name="subscription" value="${escapeHtml(f.subscription ?? '')}" size="38" placeholder="subscription id"></label>
<label>workspace <input name="workspace" value="${escapeHtml(f.workspace ?? '')}" size="20" placeholder="ML workspace"></label>
<label>status <select name="status">${statusOptions}</select></label>
<label>failing check <select name="check">${checkOptions}</select></label>
<button type="submit">filter</button>${reset}</form>`;
}

function stripHtml(recent: string): string {
  const name: Record<string, string> = { p: 'pass', w: 'warn', f: 'fail', u: 'unknown' };
  if (!recent) return '';
  return `<span class="strip" title="last ${recent.length} sweeps, oldest first" aria-label="last ${recent.length} sweeps: ${[...recent].map((c) => name[c] ?? '?').join(', ')}">${[...recent].map((c) => `<i class="${escapeHtml(c)}"></i>`).join('')}</span>`;
}

/** One finding: the plain sentence, the fix, the check id in small print. */
function findingHtml(k: CheckResult, h: HostReport): string {
  let html = `<div class="finding"><span class="badge ${escapeHtml(k.status)}">${escapeHtml(k.status)}</span> ${escapeHtml(plainSentence(k, h.host))}`;
  if (k.remediation && (k.status === 'fail' || k.status === 'warn')) html += `<pre>${escapeHtml(k.remediation)}</pre>`;
  if (k.status === 'unknown' && k.hint) html += `<div class="meta">to find out: ${escapeHtml(k.hint)}</div>`;
  html += `<div class="meta">${escapeHtml(k.summary)}</div><div class="meta">${escapeHtml(k.id)}${k.suppressed ? ` · silenced (${escapeHtml(k.suppressReason ?? 'tbmon-suppress')})` : ''}</div></div>`;
  return html;
}

/** One host: status, cause, failing since, last change, its last sweeps, its links and its findings. */
export function renderStatusHost(s: StatusHost, links: LinkOptions = {}): string {
  const h = s.report;
  const host = h.host;
  const checks = [...h.checks].sort((a, b) => CHECK_ORDER[a.status] - CHECK_ORDER[b.status]);
  const attention = checks.filter((k) => (k.status === 'fail' || k.status === 'warn' || k.status === 'unknown') && !k.suppressed);
  // Silenced findings are listed too (marked), so a person sees what the tag hides; they are never the cause.
  const listed = checks.filter((k) => k.status === 'fail' || k.status === 'warn' || k.status === 'unknown');
  const worst = attention[0];
  const cause = worst ? plainSentence(worst, host) : `TensorBoard on ${host.name} passes every check`;
  const meta = [
    h.status === 'fail' && s.timeline.failingSince ? `failing since <b>${escapeHtml(when(s.timeline.failingSince))}</b>` : null,
    s.timeline.lastChangeAt ? `last change ${escapeHtml(when(s.timeline.lastChangeAt))}` : 'no change seen',
    `checked ${escapeHtml(when(h.evaluatedAt))}`,
    stripHtml(s.timeline.recent),
  ].filter(Boolean).join(' · ');
  const open = hostLink(host, links);
  const linkList = [`<a href="${escapeHtml(open.url)}">${escapeHtml(open.title)}</a>`];
  const tb = tensorboardUrl(host);
  if (tb) linkList.push(`<a href="${escapeHtml(tb)}">TensorBoard</a>`);
  const seen = new Set<string>();
  for (const k of attention) for (const r of decidingResources(k)) {
    if (seen.has(canonicalId(r.id))) continue;
    seen.add(canonicalId(r.id));
    linkList.push(`<a href="${escapeHtml(portalLink(r.id, links))}">${escapeHtml(`${r.kind} ${r.name}`)}</a>`);
  }
  const where = [host.kind, host.workspace ? `workspace ${host.workspace}` : null, `resource group ${host.resourceGroup}`, `subscription ${host.subscriptionId}`,
    host.owners.length ? `owners ${host.owners.join(', ')}` : 'no owner'].filter(Boolean).map((m) => escapeHtml(m)).join(' · ');
  const findings = listed.length
    ? `<details${h.status === 'fail' || attention.length < listed.length ? ' open' : ''}><summary>${listed.length} finding${listed.length === 1 ? '' : 's'} and fixes</summary>${listed.map((k) => findingHtml(k, h)).join('')}</details>`
    : '';
  const anchor = hostAnchor(host);
  return `<section class="host ${escapeHtml(h.status)}" id="${escapeHtml(anchor)}" data-host="${escapeHtml(host.name)}" data-status="${escapeHtml(h.status)}">
<h2><a href="#${escapeHtml(anchor)}"><span class="badge ${escapeHtml(h.status)}">${escapeHtml(h.status)}</span></a> ${escapeHtml(host.name)}</h2>
<p class="cause">${escapeHtml(cause)}</p><div class="meta">${meta}</div><div class="links">${linkList.join('')}</div>${findings}<div class="meta">${where}</div>
</section>`;
}

function pagerHtml(input: StatusPageInput): string {
  const pages = Math.max(1, Math.ceil(input.matching.hosts / input.pageSize));
  if (pages <= 1) return '';
  const link = (p: number, label: string) => `<a href="${escapeHtml(filterHref({ ...input.filters, page: p })) }">${label}</a>`;
  const parts = [input.page > 1 ? link(input.page - 1, '← previous') : '', `<span>page ${input.page} of ${pages}</span>`, input.page < pages ? link(input.page + 1, 'next →') : ''];
  return `<nav class="pager">${parts.filter(Boolean).join('')}</nav>`;
}

export function renderFleetStatusPage(input: StatusPageInput): string {
  const body = [
    renderFleetHeader(input),
    renderChart(input),
    ...(input.sections ?? []),
    renderTopCauses(input),
    renderFilters(input),
    pagerHtml(input),
    input.hosts.length ? input.hosts.map((h) => renderStatusHost(h, input.links)).join('\n') : '<p>No host matches.</p>',
    pagerHtml(input),
  ].join('\n');
  const last = input.sweeps[input.sweeps.length - 1];
  const subtitle = `every TensorBoard host over time · ${last ? `last sweep ${when(last.at)}` : 'no sweep completed yet'} · page generated ${when(input.generatedAt)}`;
  return page('tbmon status', subtitle, body, STATUS_STYLE);
}

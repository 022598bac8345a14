// Self-contained HTML (no external scripts, fonts or images) for the report (CLI --format html, HTTP check) and the
// status page. Everything that comes from Azure is escaped.
import type { CheckResult, Host, HostReport, Report, RunError } from '../model';
import { plainSentence } from '../checks/registry';
import { hostAnchor } from '../notify/words';
import { renderCoverageHtml } from './coverage';

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

const STYLE = `
:root{--fail:#b42318;--warn:#b54708;--unknown:#6941c6;--pass:#067647;--skipped:#667085;--bg:#f9fafb;--fg:#101828}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:var(--bg);color:var(--fg)}
header{background:#101828;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#d0d5dd}
main{padding:16px 24px;max-width:1200px}
.sweep{color:#475467;margin:0 0 8px}.sweep p{margin:4px 0}.scope-warning{background:#fffaeb;border:1px solid #fedf89;border-radius:8px;padding:8px 12px;color:var(--fg)}
.counts{display:flex;gap:12px;margin:8px 0 16px;flex-wrap:wrap}.count{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:8px 14px;min-width:90px}
.count b{display:block;font-size:22px}.count.fail b{color:var(--fail)}.count.warn b{color:var(--warn)}.count.unknown b{color:var(--unknown)}.count.pass b{color:var(--pass)}
.host{background:#fff;border:1px solid #eaecf0;border-left:6px solid var(--skipped);border-radius:8px;margin:12px 0;padding:12px 16px}
.host.fail{border-left-color:var(--fail)}.host.warn{border-left-color:var(--warn)}.host.unknown{border-left-color:var(--unknown)}.host.pass{border-left-color:var(--pass)}
.host h2{margin:0 0 4px;font-size:16px}.meta{color:#475467;font-size:12px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--skipped);text-transform:uppercase;white-space:nowrap}
.badge.fail{background:var(--fail)}.badge.warn{background:var(--warn)}.badge.unknown{background:var(--unknown)}.badge.pass{background:var(--pass)}
table{border-collapse:collapse;width:100%;margin-top:8px}td,th{text-align:left;vertical-align:top;padding:6px 8px;border-top:1px solid #eaecf0}
th{font-size:12px;color:#475467}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f2f4f7;padding:8px;border-radius:6px;white-space:pre-wrap;word-break:break-word;margin:6px 0 0}
details summary{cursor:pointer;color:#475467;font-size:12px}.coverage{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:8px 16px;margin:12px 0}.coverage h2{font-size:16px;margin:4px 0}details.gap{margin:6px 0}
.errors{background:#fef3f2;border:1px solid #fecdca;border-radius:8px;padding:8px 16px}
form.filters{display:flex;gap:8px;align-items:center;margin:8px 0;flex-wrap:wrap}form.filters input{max-width:100%}
footer{color:#667085;font-size:12px;padding:16px 24px}
.meta,code{overflow-wrap:anywhere}td{overflow-wrap:anywhere}th.status{width:72px}th.check{width:230px}td.check code{white-space:nowrap}
details.passing{margin-top:8px}details.passing table{margin-top:4px}.allpass{color:var(--pass);margin:8px 0 0}
@media (max-width:640px){header,main{padding-left:12px;padding-right:12px}.host{padding:10px}.count{min-width:70px}
thead{display:none}table,tbody,tr,td{display:block;width:100%}tr{border-top:1px solid #eaecf0;padding:6px 0}td{border-top:none;padding:2px 0}
td.check code{white-space:normal}}
`;

function checkRow(k: CheckResult, host: Host): string {
  const parts = [`<td><span class="badge ${escapeHtml(k.status)}">${escapeHtml(k.status)}</span>${k.suppressed ? '<br><span class="meta">suppressed</span>' : ''}</td>`];
  parts.push(`<td class="check"><code>${escapeHtml(k.id)}</code><br><span class="meta">${escapeHtml(k.severity)}</span></td>`);
  let body = `<div class="sentence"><b>${escapeHtml(plainSentence(k, host))}</b></div><div class="summary meta">${escapeHtml(k.summary)}</div>`;
  if (k.suppressed && k.suppressReason) body += `<div class="meta">suppressed: ${escapeHtml(k.suppressReason)}</div>`;
  if (k.hint) body += `<div class="meta">hint: ${escapeHtml(k.hint)}</div>`;
  if (k.remediation && (k.status === 'fail' || k.status === 'warn')) body += `<div class="fix">fix:<pre>${escapeHtml(k.remediation)}</pre></div>`;
  if (k.notes?.length) body += `<ul class="meta">${k.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  if (k.evidence && Object.keys(k.evidence).length) body += `<details><summary>evidence</summary><pre>${escapeHtml(JSON.stringify(k.evidence, null, 2))}</pre></details>`;
  parts.push(`<td>${body}</td>`);
  return `<tr class="check ${escapeHtml(k.status)}" data-check="${escapeHtml(k.id)}">${parts.join('')}</tr>`;
}

/** `2026-11-26T06:00:00.000Z` → `2026-11-26 06:00:00 UTC` (anything else as given). */
function when(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

const VERDICT: Record<HostReport['status'], string> = { fail: 'fails', warn: 'has warnings', unknown: 'cannot be judged (evidence missing)', pass: 'passes' };

const CHECK_ORDER: Record<string, number> = { fail: 0, warn: 1, unknown: 2, pass: 3, skipped: 4 };

function checksTable(checks: readonly CheckResult[], host: Host): string {
  return `<table><thead><tr><th class="status">status</th><th class="check">check</th><th>finding</th></tr></thead><tbody>${checks.map((k) => checkRow(k, host)).join('\n')}</tbody></table>`;
}

/** What needs attention in a table; passing and skipped checks folded away (or left out: the status page). */
function hostChecksHtml(h: HostReport, showPassing: boolean): string {
  const checks = [...h.checks].sort((a, b) => CHECK_ORDER[a.status] - CHECK_ORDER[b.status]);
  const attention = checks.filter((k) => k.status !== 'pass' && k.status !== 'skipped');
  const rest = checks.filter((k) => k.status === 'pass' || k.status === 'skipped');
  let html = attention.length ? checksTable(attention, h.host) : `<p class="allpass">all checks pass</p>`;
  if (showPassing && rest.length) {
    const passing = rest.filter((k) => k.status === 'pass').length;
    const label = [`${passing} passing`, rest.length > passing ? `${rest.length - passing} skipped` : null].filter(Boolean).join(', ');
    html += `<details class="passing"><summary>${label} check${rest.length === 1 ? '' : 's'}</summary>${checksTable(rest, h.host)}</details>`;
  }
  return html;
}

export function renderHostHtml(h: HostReport, opts: { showPassing?: boolean } = {}): string {
  const host = h.host;
  const meta = [host.kind, `port ${host.publishedPort}${host.port !== host.publishedPort ? ` → ${host.port}` : ''}`, host.location,
    `subscription ${host.subscriptionId}`, `resource group ${host.resourceGroup}`, host.workspace ? `workspace ${host.workspace}` : null,
    host.owners.length ? `owners ${host.owners.join(', ')}` : 'no owner'].filter(Boolean).map((m) => escapeHtml(m)).join(' · ');
  return `<section class="host ${escapeHtml(h.status)}" id="${escapeHtml(hostAnchor(host))}" data-host="${escapeHtml(host.name)}" data-status="${escapeHtml(h.status)}">
<h2><span class="badge ${escapeHtml(h.status)}">${escapeHtml(h.status)}</span> ${escapeHtml(host.name)}</h2>
<div class="meta">${meta}</div><div class="meta">evaluated ${escapeHtml(when(h.evaluatedAt))} · <code>${escapeHtml(host.id)}</code></div>
${hostChecksHtml(h, opts.showPassing !== false)}
</section>`;
}

function countsHtml(summary: Report['summary']): string {
  return `<div class="counts">${(['fail', 'warn', 'unknown', 'pass'] as const).map((s) => `<div class="count ${s}"><b>${summary[s]}</b>${s}</div>`).join('')}<div class="count"><b>${summary.hosts}</b>hosts</div></div>`;
}

export function page(title: string, subtitle: string, body: string, extraStyle = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${STYLE}${extraStyle}</style></head><body>
<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header><main>${body}</main>
<footer>tbmon — why TensorBoard on Azure ML answers 502. Statuses: fail &gt; warn &gt; unknown &gt; pass; unknown means the evidence was missing, never healthy.</footer></body></html>`;
}

export function errorsHtml(report: Pick<Report, 'errors'>): string {
  if (!report.errors.length) return '';
  return `<div class="errors"><h3>Run errors</h3><ul>${report.errors.map((e) => `<li><code>${escapeHtml(e.scope)}</code> ${escapeHtml(e.code)}: ${escapeHtml(e.message)}</li>`).join('')}</ul></div>`;
}

/** The verdict first: which hosts fail or warn, and why, each a link to its section below. */
export function renderVerdict(report: Report): string {
  const bad = report.hosts.filter((h) => h.status === 'fail' || h.status === 'warn');
  if (!report.hosts.length) return '<div class="verdict"><p>No TensorBoard host was found.</p></div>';
  if (!bad.length) {
    const unknown = report.summary.unknown;
    return `<div class="verdict"><p><b>No host fails.</b> ${report.summary.pass} pass${unknown ? `; ${unknown} cannot be judged (evidence missing — see below)` : ''}.</p></div>`;
  }
  const items = bad.map((h) => {
    const worst = [...h.checks].sort((a, b) => CHECK_ORDER[a.status] - CHECK_ORDER[b.status]).find((k) => (k.status === 'fail' || k.status === 'warn') && !k.suppressed);
    const why = worst ? plainSentence(worst, h.host) : VERDICT[h.status];
    return `<li><a href="#${escapeHtml(hostAnchor(h.host))}"><b>${escapeHtml(h.host.name)}</b></a> <span class="badge ${escapeHtml(h.status)}">${escapeHtml(h.status)}</span> — ${escapeHtml(why)}</li>`;
  });
  const fails = report.summary.fail;
  const head = `${fails} of ${report.summary.hosts} host${report.summary.hosts === 1 ? '' : 's'} fail${fails === 1 ? 's' : ''}${report.summary.warn ? `, ${report.summary.warn} warn` : ''}`;
  return `<div class="verdict"><h2>${escapeHtml(head)}</h2><ul>${items.join('')}</ul></div>`;
}

function statsHtml(report: Pick<Report, 'stats' | 'generatedAt'>): string {
  const r = report.stats.requests;
  return `<p class="meta stats">Run: generated ${escapeHtml(when(report.generatedAt))} in ${report.stats.durationMs} ms · requests: Resource Graph ${r.resourceGraph}, ARM ${r.arm}, Log Analytics ${r.logAnalytics}, email ${r.email}, Teams ${r.teams}</p>`;
}

/** What the banner shows of a sweep (the sweep ledger's record has these fields). */
export interface LastSweep {
  startedAt: string;
  state: string;
  hostCount: number | null;
  subscriptionsRead: number | null;
  subscriptionsFailed: number | null;
  errors: RunError[];
}

/**
 * One line above the hosts: when the latest sweep ran and what it read, and — leading, when there is one — what
 * limits its reach (a scope that resolved to one subscription, subscriptions it could not read).
 */
export function lastSweepBanner(sweep: LastSweep | null | undefined): string {
  if (sweep === undefined) return '';
  if (sweep === null) return '<p class="sweep">No sweep has run in the last 2 days.</p>';
  const reach = sweep.errors.filter((e) => e.code === 'ScopeIsOneSubscription' || e.code === 'ScopeNotReadable');
  const line = `Last sweep ${when(sweep.startedAt)} (${escapeHtml(sweep.state)}): ${sweep.hostCount ?? 0} host(s), ${sweep.subscriptionsRead ?? 0} subscription(s) read${sweep.subscriptionsFailed ? `, ${sweep.subscriptionsFailed} not readable` : ''}.`;
  const warn = reach.map((e) => `<p class="scope-warning"><strong>Reach:</strong> ${escapeHtml(e.message)}</p>`).join('');
  return `<div class="sweep">${warn}<p>${line}</p></div>`;
}

/** The result of one run: verdict first, then each host, run errors, and the run's statistics at the bottom. */
export function renderReportHtml(report: Report): string {
  const only = report.hosts.length === 1 ? { name: report.hosts[0].host.name, status: report.hosts[0].status } : null;
  return renderReportHtmlSections(report, report.hosts.map((h) => renderHostHtml(h)), only, renderVerdict(report));
}

/**
 * The report page around host sections already rendered (renderHostHtml), in the order given: the verdict (when the
 * caller has it), counts, coverage, the hosts, run errors, and the run's statistics at the bottom.
 */
export function renderReportHtmlSections(report: Omit<Report, 'hosts' | 'schemaVersion'>, sections: readonly string[], only: { name: string; status: HostReport['status'] } | null, verdict = ''): string {
  const subtitle = `result of one run · ${when(report.generatedAt)}`;
  const body = verdict + countsHtml(report.summary) + (report.coverage ? renderCoverageHtml(report.coverage) : '') + sections.join('\n') + errorsHtml(report) + statsHtml(report);
  return page(only ? `tbmon: ${only.name} ${VERDICT[only.status]}` : 'tbmon report', subtitle, body, '.verdict{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:8px 16px;margin:0 0 12px}.verdict h2{font-size:16px;margin:4px 0}.verdict ul{margin:4px 0;padding-left:20px}.verdict li{margin:4px 0}');
}

// Terminal rendering of a report: one block per host, one line per check that is not a pass, the fix underneath.
import type { CheckResult, Report } from '../model';
import { renderCoverageTable } from './coverage';

const ICON: Record<string, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: '????', skipped: 'skip' };

function colour(enabled: boolean, status: string, text: string): string {
  if (!enabled) return text;
  const code = status === 'fail' ? 31 : status === 'warn' ? 33 : status === 'unknown' ? 35 : status === 'pass' ? 32 : 90;
  return `\u001b[${code}m${text}\u001b[0m`;
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}

/** Unknown checks that miss the same evidence (same summary and hint) are shown once, with all their ids. */
function groupUnknowns(checks: readonly CheckResult[]): CheckResult[][] {
  const groups: CheckResult[][] = [];
  const byKey = new Map<string, CheckResult[]>();
  for (const k of checks) {
    if (k.status !== 'unknown' || k.suppressed) {
      groups.push([k]);
      continue;
    }
    const key = `${k.summary}\u0000${k.hint ?? ''}`;
    const existing = byKey.get(key);
    if (existing) existing.push(k);
    else {
      const g = [k];
      byKey.set(key, g);
      groups.push(g);
    }
  }
  return groups;
}

export interface TableOptions {
  colour?: boolean;
  /** Show passing and skipped checks too. */
  all?: boolean;
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const c = opts.colour ?? false;
  const out: string[] = [];
  const s = report.summary;
  out.push(`tbmon: ${s.hosts} host${s.hosts === 1 ? '' : 's'} — ${s.fail} fail, ${s.warn} warn, ${s.unknown} unknown, ${s.pass} pass`);
  for (const h of report.hosts) {
    out.push('');
    const where = h.host.workspace ? `${h.host.subscriptionId}/${h.host.resourceGroup}/${h.host.workspace}` : `${h.host.subscriptionId}/${h.host.resourceGroup}`;
    out.push(`${colour(c, h.status, ICON[h.status])}  ${h.host.name}  (${h.host.kind}, port ${h.host.publishedPort}${h.host.port !== h.host.publishedPort ? `→${h.host.port}` : ''}, ${where})`);
    const shown = h.checks.filter((k: CheckResult) => opts.all || (k.status !== 'pass' && k.status !== 'skipped'));
    for (const group of groupUnknowns(shown)) {
      const k = group[0];
      const tag = k.suppressed ? ' [suppressed]' : '';
      const ids = group.length === 1 ? k.id : `${group.map((g) => g.id).join(', ')}`;
      out.push(`  ${colour(c, k.status, ICON[k.status])}  ${ids}${tag}: ${k.summary}`);
      if (k.status === 'unknown' && k.hint) out.push(indent(`hint: ${k.hint}`, '          '));
      if ((k.status === 'fail' || k.status === 'warn') && k.remediation) out.push(indent(`fix: ${k.remediation}`, '          '));
    }
    if (!shown.length) out.push('        all checks pass');
  }
  if (report.coverage) out.push('', renderCoverageTable(report.coverage).trimEnd());
  if (report.errors.length) {
    out.push('', 'errors:');
    for (const e of report.errors) out.push(`  ${e.scope}: ${e.code}: ${e.message}`);
  }
  const r = report.stats.requests;
  out.push('', `${report.stats.durationMs} ms · requests: Resource Graph ${r.resourceGraph}, ARM ${r.arm}, Log Analytics ${r.logAnalytics}, email ${r.email}, Teams ${r.teams}`);
  return out.join('\n') + '\n';
}

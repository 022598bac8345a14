// The fleet coverage as a section of its own, for every layout: the terminal table (`tbmon scan`, `tbmon coverage`),
// the report HTML and the status page call these and place the result where they like.
import { FAMILY_LABELS } from '../coverage/host';
import type { FleetCoverage } from '../model';

/** As html.ts escapes (that module imports this one, so the few characters are escaped here too). */
function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/** "launch log seen from 12 of 40 hosts" per family (kernel: "collection proven"), not-applicable hosts left out. */
export function coverageSentences(c: FleetCoverage): string[] {
  return c.families.map((f) => {
    const of = f.seen + f.missing;
    const label = FAMILY_LABELS[f.family];
    const what = f.family === 'kernel' ? `kernel collection proven on ${f.seen} of ${of} hosts` : `${label} seen from ${f.seen} of ${of} hosts`;
    return f.notApplicable ? `${what} (${f.notApplicable} without ${label})` : what;
  });
}

const LEVEL: Record<FleetCoverage['gaps'][number]['level'], string> = {
  'ml-workspace': 'ML workspace',
  'log-analytics-workspace': 'Log Analytics workspace',
  'data-collection-rule': 'data collection rule',
  'virtual-network': 'virtual network',
  'resource-group': 'resource group',
  subscription: 'subscription',
  host: 'hosts of kind',
};

function indent(text: string, prefix: string): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}

/** Wrapping to a terminal's width (shared/report/table.ts coverageWrap): prose at spaces, commands with ` \`. */
export interface CoverageWrap {
  prose: (text: string, first: string, indent: number) => string[];
  command: (text: string, first: string, indent: number) => string[];
}

export interface CoverageTableOptions {
  /** Print each gap's Bicep snippet too (`tbmon coverage`); the scan table shows the command only. */
  bicep?: boolean;
  /** Fit the lines to a terminal; without it each line is whole (a file, a pipe). The Bicep snippet is never wrapped. */
  wrap?: CoverageWrap;
}

/** Plain-text coverage: the counts, then one block per gap with its fix. */
export function renderCoverageTable(c: FleetCoverage, opts: CoverageTableOptions = {}): string {
  const prose = opts.wrap?.prose ?? ((text: string, first: string) => [first + text]);
  const command = opts.wrap?.command ?? ((text: string, first: string) => [indent(text, first)]);
  const out: string[] = [`coverage: what tbmon can see on ${c.hosts} host${c.hosts === 1 ? '' : 's'}`];
  for (const s of coverageSentences(c)) out.push(...prose(s, '  ', 4));
  if (!c.gaps.length) out.push('  no gap: every family is visible');
  for (const g of c.gaps) {
    out.push('', ...prose(`${g.families.map((f) => FAMILY_LABELS[f]).join(', ')} on ${g.hosts} host${g.hosts === 1 ? '' : 's'} (e.g. ${g.example}) — ${LEVEL[g.level]} ${g.target}`, 'gap: ', 4));
    out.push(...prose(g.fix.summary, '    fix: ', 9));
    out.push(...command(g.fix.command, '      ', 8));
    if (opts.bicep && g.fix.bicep) out.push(indent('bicep:', '    '), indent(g.fix.bicep, '      '));
  }
  return out.join('\n') + '\n';
}

/** The coverage section of the report HTML and the status page (self-contained; every value escaped). */
export function renderCoverageHtml(c: FleetCoverage): string {
  const items = coverageSentences(c).map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  const gaps = c.gaps.map((g) => `<details class="gap" data-gap="${escapeHtml(g.kind)}"><summary><b>${escapeHtml(g.families.map((f) => FAMILY_LABELS[f]).join(', '))}</b> on ${g.hosts} host${g.hosts === 1 ? '' : 's'} — ${escapeHtml(LEVEL[g.level])} <code>${escapeHtml(g.target)}</code></summary>
<p>${escapeHtml(g.fix.summary)} (e.g. ${escapeHtml(g.example)})</p><pre>${escapeHtml(g.fix.command)}</pre>${g.fix.bicep ? `<pre>${escapeHtml(g.fix.bicep)}</pre>` : ''}</details>`).join('\n');
  return `<section class="coverage" id="coverage"><h2>Coverage</h2><ul class="meta">${items}</ul>${gaps || '<p class="allpass">no gap: every family is visible</p>'}</section>`;
}

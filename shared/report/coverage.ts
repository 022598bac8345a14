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

export interface CoverageTableOptions {
  /** Print each gap's Bicep snippet too (`tbmon coverage`); the scan table shows the command only. */
  bicep?: boolean;
}

/** Plain-text coverage: the counts, then one block per gap with its fix. */
export function renderCoverageTable(c: FleetCoverage, opts: CoverageTableOptions = {}): string {
  const out: string[] = [`coverage: what tbmon can see on ${c.hosts} host${c.hosts === 1 ? '' : 's'}`];
  for (const s of coverageSentences(c)) out.push(`  ${s}`);
  if (!c.gaps.length) out.push('  no gap: every family is visible');
  for (const g of c.gaps) {
    out.push('', `gap: ${g.families.map((f) => FAMILY_LABELS[f]).join(', ')} on ${g.hosts} host${g.hosts === 1 ? '' : 's'} (e.g. ${g.example}) — ${LEVEL[g.level]} ${g.target}`);
    out.push(indent(`fix: ${g.fix.summary}`, '    '));
    out.push(indent(g.fix.command, '      '));
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

// The check catalogue as Markdown, generated from the registry's metadata so the docs never drift from the code
// (docs/checks.md; a test fails when it is stale — regenerate with `npm run docs:checks`).
import { ALL_CHECKS } from './registry';

const KINDS = { 'compute-instance': 'instance', 'compute-cluster': 'cluster', vm: 'VM', 'job-service': 'job service' } as const;

export function renderCatalogue(): string {
  const lines = [
    '# Check catalogue',
    '',
    'Generated from `shared/checks/` (`npm run docs:checks`); do not edit by hand. Ids are stable: reports, alerts and',
    '`tbmon-suppress` tags refer to them. Each check reports `pass`, `warn`, `fail`, `unknown` (evidence missing — the',
    '`hint` says how to enable it) or `skipped` (not applicable to the host kind, or the host is stopped).',
    '',
  ];
  for (const cls of ['resource', 'network', 'script', 'job'] as const) {
    lines.push(`## ${cls}`, '', '| id | what it verifies | severity | applies to |', '|---|---|---|---|');
    for (const c of ALL_CHECKS.filter((k) => k.class === cls)) {
      lines.push(`| \`${c.id}\` | ${c.title} | ${c.severity} | ${c.appliesTo.map((k) => KINDS[k]).join(', ')} |`);
    }
    lines.push('');
  }
  const sourced = ALL_CHECKS.filter((c) => c.sources?.length);
  if (sourced.length) {
    lines.push('## Sources', '', 'The facts a rule relies on, where they come from.', '');
    for (const c of sourced) lines.push(`- ${c.id}: ${(c.sources ?? []).join('; ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

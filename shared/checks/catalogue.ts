// The check catalogue as Markdown, generated from the registry's metadata so the docs never drift from the code
// (docs/checks.md; a test fails when it is stale — regenerate with `npm run docs:checks`).
import { ALL_CHECKS, runsOnJobCompute } from './registry';
import { AML_JOB_COMPUTE, AML_JOB_LOGS_DOC, AML_SERVERLESS_DOC } from './sources';

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
      const kinds: string[] = c.appliesTo.map((k) => KINDS[k]);
      if (runsOnJobCompute(c) && c.appliesTo.some((k) => k === 'compute-instance' || k === 'compute-cluster')) kinds.push('job service (its compute)');
      lines.push(`| \`${c.id}\` | ${c.title} | ${c.severity} | ${kinds.join(', ')} |`);
    }
    lines.push('');
  }
  lines.push(
    '## Job services',
    '',
    'A job-service host (an AzureML job\'s TensorBoard service) is judged on the compute its job runs on, the compute',
    '`properties.computeId` names: resource.vm-size, resource.cluster-nodes and the network checks run on that',
    'compute\'s evidence (its size, its cluster events, its subnet\'s NSG, route table and private endpoints), and say',
    'so in `evidence.jobCompute`. The compute is read in bulk: a host of the same batch, else one Resource Graph query per',
    'batch (the ML workspace\'s compute list where Graph lacks it), ARM on demand. The script checks are `skipped`: a',
    'job\'s output does not reach Syslog. A job whose compute cannot be read — serverless compute (no `computeId`), a',
    'compute not found, a compute of another type — leaves those checks `unknown` with the reason, never `pass`.',
    '',
    `Sources: ${AML_JOB_COMPUTE}; ${AML_SERVERLESS_DOC}; ${AML_JOB_LOGS_DOC}`,
    '',
  );
  const sourced = ALL_CHECKS.filter((c) => c.sources?.length);
  if (sourced.length) {
    lines.push('## Sources', '', 'The facts a rule relies on, where they come from.', '');
    for (const c of sourced) lines.push(`- ${c.id}: ${(c.sources ?? []).join('; ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

// Validators for everything that crosses a process boundary, compiled once from schemas/*.json: the report, the
// `hosts --format json` output and the two queue messages. Errors are readable paths (`hosts[0].checks[2].status
// must be one of …`), never the offending value, which may be a secret or a whole payload.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import reportSchema from '../schemas/report.v1.json';
import hostsSchema from '../schemas/hosts.v1.json';
import evaluateSchema from '../schemas/tb-evaluate.v1.json';
import alertsSchema from '../schemas/tb-alerts.v1.json';
import { hostStatus, type Host, type Report, type RunError, type RunStats } from './model';

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export interface EvaluateMessage { sweepId: string; batchKey: string }
export interface AlertsMessage { sweepId: string }
export interface HostsOutput { schemaVersion: 1; hosts: Host[]; errors: RunError[]; stats: RunStats }

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
ajv.addSchema(reportSchema);
const compiled = {
  report: ajv.getSchema(reportSchema.$id) as ValidateFunction,
  hosts: ajv.compile(hostsSchema),
  evaluate: ajv.compile(evaluateSchema),
  alerts: ajv.compile(alertsSchema),
};

/** `/hosts/0/checks/2` → `hosts[0].checks[2]`; the root is `(root)`. */
function pathOf(instancePath: string): string {
  if (!instancePath) return '(root)';
  return instancePath.split('/').slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : `${i === 0 ? '' : '.'}${seg}`))
    .join('');
}

function describe(e: ErrorObject): string {
  const at = pathOf(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return `${at} is missing "${String(p.missingProperty)}"`;
    case 'additionalProperties': return `${at} has an unexpected property "${String(p.additionalProperty)}"`;
    case 'enum': return `${at} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const': return `${at} must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern': return `${at} has a form that is not allowed (must match ${String(p.pattern)})`;
    case 'dependencies': return `${at} has "${String(p.property)}" without "${String(p.missingProperty)}"`;
    default: return `${at} ${e.message ?? 'is not valid'}`;
  }
}

function run<T>(validate: ValidateFunction, value: unknown, extra?: (v: T) => string[]): Validation<T> {
  if (!validate(value)) return { ok: false, errors: [...new Set((validate.errors ?? []).map(describe))] };
  const more = extra ? extra(value as T) : [];
  return more.length ? { ok: false, errors: more } : { ok: true, value: value as T };
}

/** Rules of DESIGN.md § Contracts that a JSON Schema cannot say: the summary counts, the worst-of host status, id vs class. */
function reportRules(r: Report): string[] {
  const problems: string[] = [];
  const counts = { pass: 0, warn: 0, fail: 0, unknown: 0 };
  r.hosts.forEach((h, i) => {
    counts[h.status]++;
    const expected = hostStatus(h.checks);
    if (h.status !== expected) problems.push(`hosts[${i}].status is "${h.status}" but the worst of its checks is "${expected}"`);
    h.checks.forEach((c, j) => {
      if (!c.id.startsWith(`${c.class}.`)) problems.push(`hosts[${i}].checks[${j}].id "${c.id}" does not start with its class "${c.class}."`);
    });
  });
  if (r.summary.hosts !== r.hosts.length) problems.push(`summary.hosts is ${r.summary.hosts} but the report has ${r.hosts.length} host(s)`);
  for (const s of ['pass', 'warn', 'fail', 'unknown'] as const) {
    if (r.summary[s] !== counts[s]) problems.push(`summary.${s} is ${r.summary[s]} but ${counts[s]} host(s) have status "${s}"`);
  }
  return problems;
}

export function validateReport(value: unknown): Validation<Report> {
  return run<Report>(compiled.report, value, reportRules);
}

export function validateHostsOutput(value: unknown): Validation<HostsOutput> {
  return run<HostsOutput>(compiled.hosts, value);
}

export function validateEvaluateMessage(value: unknown): Validation<EvaluateMessage> {
  return run<EvaluateMessage>(compiled.evaluate, value);
}

export function validateAlertsMessage(value: unknown): Validation<AlertsMessage> {
  return run<AlertsMessage>(compiled.alerts, value);
}

// The demo tenant's ground truth: every contoso TensorBoard host, through the product's own pipeline (discoverHosts →
// evaluateHosts, batch and on demand, against the sandbox over HTTPS), gives exactly the status `_expect` names for
// every registered check — no more, no less — and the report validates against schemas/report.v1.json. A mismatch
// prints one line per host × check (expected → actual, with the check's summary), so a changed check or a changed
// tenant shows what moved.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS } from '../../shared/checks/registry';
import { loadSettings } from '../../shared/config';
import { discoverHosts } from '../../shared/discovery/discover';
import { evaluateHosts, type EvaluateResult } from '../../shared/evaluate';
import { KERNEL_COVERAGE_MS, RESTART_HORIZON_MS, RESTART_READ_BACK_MS } from '../../shared/evidence/logs-queries';
import type { CheckStatus, HostRecord, HostReport } from '../../shared/model';
import { buildReport } from '../../shared/report/build';
import { validateReport } from '../../shared/schemas';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

type Expectations = Record<string, Record<string, CheckStatus>>;

const STATUSES: ReadonlySet<string> = new Set(['pass', 'warn', 'fail', 'unknown', 'skipped']);
const HEALTHY = ['ci-ok', 'ci-private', 'vm-tb', 'cluster-tb'];
const HOUR_MS = 3_600_000;

const tenant: Tenant = loadTenant('contoso');
const expected = (tenant as unknown as { _expect: Expectations })._expect;
const now = new Date(tenant.now);
const settings = loadSettings({});
const checkIds = ALL_CHECKS.map((c) => c.id);

/** One line per disagreement between `_expect` and the reports, in `_expect`'s host order and registry order. */
function differences(reports: readonly HostReport[]): string[] {
  const lines: string[] = [];
  const byName = new Map(reports.map((r) => [r.host.name, r]));
  for (const name of Object.keys(expected)) if (!byName.has(name)) lines.push(`${name}: in _expect, not evaluated`);
  for (const name of byName.keys()) if (!(name in expected)) lines.push(`${name}: evaluated, not in _expect`);
  for (const [name, want] of Object.entries(expected)) {
    const report = byName.get(name);
    if (!report) continue;
    const got = new Map(report.checks.map((c) => [c.id, c]));
    for (const id of new Set([...Object.keys(want), ...got.keys()])) {
      const c = got.get(id);
      if (want[id] === c?.status) continue;
      const detail = c ? ` (${c.summary}${c.hint ? ` — hint: ${c.hint}` : ''})` : '';
      lines.push(`${name.padEnd(18)} ${id.padEnd(30)} expected ${want[id] ?? '(not in _expect)'} → got ${c?.status ?? '(not run)'}${detail}`);
    }
  }
  return lines;
}

function assertMatchesExpect(result: EvaluateResult, mode: string): void {
  const diff = differences(result.reports);
  assert.ok(diff.length === 0, `contoso ${mode}: ${diff.length} host × check statuses differ from _expect:\n${diff.join('\n')}`);
}

function assertValidReport(result: EvaluateResult): void {
  const report = buildReport(result.reports, { errors: result.errors, stats: result.stats, generatedAt: now });
  const validation = validateReport(JSON.parse(JSON.stringify(report)));
  assert.ok(validation.ok, `report.v1.json: ${validation.ok ? '' : validation.errors.join('; ')}`);
  assert.equal(report.summary.hosts, Object.keys(expected).length);
}

describe('contoso: the product decides exactly what the demo tenant is built to show', () => {
  let sandbox: RunningSandbox;
  let hosts: HostRecord[];

  before(async () => {
    sandbox = await startTestSandbox(tenant);
    const errors: { scope: string; code: string; message: string }[] = [];
    hosts = (await discoverHosts({ azure: azureContextFor(sandbox), settings, errors, now })).hosts;
    assert.deepEqual(errors, [], 'discovery reads the whole tenant');
  });
  after(() => sandbox?.close());

  it('_expect is complete: every TensorBoard host discovered, every registered check, a valid status each', () => {
    assert.deepEqual(hosts.map((h) => h.name).sort(), Object.keys(expected).sort());
    for (const [name, want] of Object.entries(expected)) {
      assert.deepEqual(Object.keys(want).sort(), [...checkIds].sort(), `${name}: _expect names every registered check`);
      for (const [id, status] of Object.entries(want)) assert.ok(STATUSES.has(status), `${name} ${id}: '${status}' is not a status`);
    }
  });

  it('every log row lies within the hour before the tenant\'s now (the default look-back), kern rows within the kernel coverage period', () => {
    // An instance (re)started within the restart horizon is read back 7 days before its start (script.not-relaunched).
    const restarted = new Set(tenant.resources.filter((r) => {
      const t = Date.parse(String((r.properties as { properties?: { lastOperation?: { operationTime?: string } } } | undefined)?.properties?.lastOperation?.operationTime));
      return Number.isFinite(t) && now.getTime() - t <= RESTART_HORIZON_MS;
    }).map((r) => r.name.toLowerCase()));
    for (const [ws, { tables }] of Object.entries(tenant.logAnalytics ?? {})) {
      for (const [table, rows] of Object.entries(tables)) {
        for (const row of rows) {
          const at = Date.parse(String(row.TimeGenerated));
          // A boot message days ago is how a host proves its facility kern is collected (shared/evidence/logs-queries.ts).
          const span = table === 'Syslog' && restarted.has(String(row.Computer).toLowerCase()) ? RESTART_HORIZON_MS + RESTART_READ_BACK_MS
            : table === 'Syslog' && row.Facility === 'kern' ? KERNEL_COVERAGE_MS : HOUR_MS;
          assert.ok(at <= now.getTime() && at > now.getTime() - span, `${ws} ${table}: TimeGenerated ${String(row.TimeGenerated)}`);
        }
      }
    }
  });

  it('batch (the sweep\'s evaluate): every host × check equals _expect, no run errors, the report validates', async () => {
    const result = await evaluateHosts(hosts, { azure: azureContextFor(sandbox), settings, mode: 'batch', now });
    assert.deepEqual(result.errors, []);
    assertMatchesExpect(result, 'batch');
    assertValidReport(result);
    for (const name of HEALTHY) assert.equal(result.reports.find((r) => r.host.name === name)?.status, 'pass', `${name} is healthy`);
  });

  it('on demand (fresh ARM reads): the same statuses, and the report validates', async () => {
    sandbox.clearRequests();
    const result = await evaluateHosts(hosts, { azure: azureContextFor(sandbox), settings, mode: 'on-demand', now });
    assert.deepEqual(result.errors, []);
    assertMatchesExpect(result, 'on-demand');
    assertValidReport(result);
    assert.ok(sandbox.requests().some((r) => r.api === 'arm'), 'on demand reads ARM');
  });

  it('a changed outcome is reported as a readable difference', () => {
    const ciOk = { host: { name: 'ci-ok' }, checks: Object.entries(expected['ci-ok']).map(([id, status]) => ({ id, status, summary: 's' })) } as unknown as HostReport;
    const others = Object.keys(expected).filter((n) => n !== 'ci-ok').map((name) => ({
      host: { name }, checks: Object.entries(expected[name]).map(([id, status]) => ({ id, status, summary: 's' })),
    })) as unknown as HostReport[];
    assert.deepEqual(differences([ciOk, ...others]), []);
    const changed = { ...ciOk, checks: ciOk.checks.map((c) => (c.id === 'resource.vm-size' ? { ...c, status: 'fail' as const, summary: 'too small' } : c)) };
    const dropped = others[0].host.name;
    assert.deepEqual(differences([changed, ...others.slice(1)]), [
      `${dropped}: in _expect, not evaluated`,
      `${'ci-ok'.padEnd(18)} ${'resource.vm-size'.padEnd(30)} expected pass → got fail (too small)`,
    ]);
  });
});

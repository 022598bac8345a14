// `tbmon coverage` as people run it — the bin as a subprocess — on a generated tenant with evidence gaps: the table
// says per family how many hosts tbmon sees it from and gives one fix per gap (az command and Bicep with the tenant's
// names); --format json is the fleet coverage object; `scan --format json` carries the same coverage and validates.
import { after, before, test } from 'node:test';
import { runTbmon } from '../support/bin';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTenant } from '../../sandbox/generate';
import type { FleetCoverage, Report } from '../../shared/model';
import { validateReport } from '../../shared/schemas';

const tenant = generateTenant({ subscriptions: 2, mlWorkspaces: 3, hosts: 40, logAnalyticsWorkspaces: 1, seed: 8, gaps: true });
tenant.resourceGraph = { quota: { limit: 10_000, windowMs: 5000 } };
let dir: string;
let file: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-coverage-'));
  file = path.join(dir, 'gaps.json');
  writeFileSync(file, JSON.stringify(tenant));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tbmon = (args: string[]) => runTbmon(args);

test('tbmon coverage prints the counts and one fix per gap; --format json is the same coverage scan reports', async () => {
  const [table, json, scan] = await Promise.all([
    tbmon(['coverage', '--sandbox', file, '--format', 'table']),
    tbmon(['coverage', '--sandbox', file, '--format', 'json']),
    tbmon(['scan', '--sandbox', file, '--format', 'json']),
  ]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^coverage: what tbmon can see on 40 hosts$/m);
  assert.match(table.stdout, /launch log seen from \d+ of 40 hosts/);
  assert.match(table.stdout, /kernel collection proven on \d+ of 40 hosts/);
  // Fitted to 100 columns (no terminal, no $COLUMNS) but for the Bicep, a quoted argument or an id longer than a line
  // (on a line of its own); each command pastes back once its ` \` continuations are joined.
  for (const l of table.stdout.split('\n')) if (!/^ {6}(?:param|resource| {2}|\}|\/\/)/.test(l) && !l.includes("'") && !/^\s*\S+\\?$/.test(l)) assert.ok(l.length <= 100, l);
  const pasted = table.stdout.replace(/([^ ])\\\n/g, '$1').replace(/ \\\n +/g, ' ');
  const la = tenant.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces')!;
  // The data collection rule for the workspace, with its real names: resource group, ARM id, rule id.
  assert.ok(pasted.includes(`az deployment group create --subscription ${la.id.split('/')[2]} --resource-group rg-monitor --name tbmon-syslog-perf-${la.name}`), table.stdout);
  assert.ok(table.stdout.toLowerCase().includes(`param workspaceresourceid string = '${la.id.toLowerCase()}'`), 'Bicep names the workspace');
  assert.match(table.stdout, /facilityNames: \[ 'user', 'kern' \]/);
  assert.match(pasted, /az monitor diagnostic-settings create --subscription \S+ --resource-group \S+ --name tbmon-to-log-analytics --resource \/subscriptions\/.+\/workspaces\/mlw-\d/);

  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { schemaVersion: number; coverage: FleetCoverage };
  assert.equal(out.schemaVersion, 1);
  assert.equal(out.coverage.hosts, 40);
  const report = JSON.parse(scan.stdout) as Report;
  const v = validateReport(report);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('; '));
  assert.deepEqual(report.coverage, out.coverage);
  assert.ok(report.hosts.every((h) => h.coverage?.families.length === 8), 'every host report carries its coverage');
});

test('tbmon coverage takes no html and no argument (exit 2, nothing ran)', async () => {
  const html = await tbmon(['coverage', '--format', 'html']);
  assert.equal(html.code, 2);
  assert.match(html.stderr, /coverage supports --format table or json/);
  const arg = await tbmon(['coverage', 'ci-1']);
  assert.equal(arg.code, 2);
  assert.match(arg.stderr, /coverage takes no argument "ci-1"/);
});

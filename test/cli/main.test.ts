// `tbmon scan | check | hosts` in-process (main(argv, io) with a capturing io) against sandbox tenants started by
// --sandbox: the JSON validates against the schemas, and the exit codes of DESIGN.md § Running it hold —
// 0 nothing fails, 1 a host fails, 2 usage/configuration/not found/ambiguous, 3 part of the scope unreadable
// (the report still written, with errors).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../../cli/main';
import type { Report } from '../../shared/model';
import { validateHostsOutput, validateReport } from '../../shared/schemas';
import type { Tenant } from '../../sandbox/tenant-types';
import { ambiguousTenant, expectations, failingHostNames, healthyTenant } from '../support/app';
import { loadTenant } from '../support/sandbox';

const contoso = loadTenant('contoso');
const SUB1 = contoso.subscriptions[0].subscriptionId;
let dir: string;
const files: Record<string, string> = {};

function tenantFile(name: string, tenant: Tenant): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(tenant));
  return file;
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-cli-'));
  files.contoso = tenantFile('contoso', contoso);
  files.healthy = tenantFile('healthy', healthyTenant(contoso));
  files.twin = tenantFile('twin', ambiguousTenant(contoso, 'ci-ok'));
  files.graphDown = tenantFile('graph-down', { ...contoso, faults: [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 500 }] });
  files.graphRefused = tenantFile('graph-refused', { ...contoso, faults: [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 403, error: { code: 'AuthorizationFailed', message: 'no access' } }] });
  // Resource Graph without the computes (as when it lags), so they come from ARM; one workspace's list fails.
  const workspace = contoso.resources.find((r) => r.type === 'Microsoft.MachineLearningServices/workspaces' && r.id.includes(SUB1))!;
  files.subDown = tenantFile('sub-down', {
    ...contoso,
    resourceGraph: { ...contoso.resourceGraph, excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] },
    faults: [{ method: 'GET', path: `${workspace.id}/computes`, status: 403, error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action' } }],
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number; stdout: string; stderr: string }

async function tbmon(argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, stdoutIsTty: false, stderrIsTty: false, env };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function validReport(text: string): Report {
  const report = JSON.parse(text) as Report;
  const v = validateReport(report);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('; '));
  return report;
}

test('scan of contoso: exit 1 (hosts fail); the JSON validates and shows every designed cause', async () => {
  const r = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const report = validReport(r.stdout);
  assert.deepEqual(report.errors, []);
  const designed = expectations(contoso);
  for (const [name, checks] of Object.entries(designed)) {
    const h = report.hosts.find((x) => x.host.name === name);
    assert.ok(h, `${name} found`);
    for (const [check, status] of Object.entries(checks)) assert.equal(h.checks.find((k) => k.id === check)?.status, status, `${name} ${check}`);
  }
  assert.ok(report.stats.requests.resourceGraph > 0 && report.stats.requests.arm > 0 && report.stats.requests.logAnalytics > 0, 'stats count the calls');
  assert.equal(r.stderr, '', 'no progress on a stderr that is not a terminal');
});

test('scan of a tenant whose hosts all pass (contoso without its designed failures): exit 0', async () => {
  const r = await tbmon(['scan', '--sandbox', files.healthy, '--format', 'json']);
  const report = validReport(r.stdout);
  assert.equal(r.code, 0, `${r.stderr}\n${report.hosts.filter((h) => h.status === 'fail').map((h) => `${h.host.name}: ${h.checks.filter((k) => k.status === 'fail').map((k) => k.id).join(', ')}`).join('\n')}`);
  assert.ok(report.hosts.length > 0);
  for (const name of failingHostNames(contoso)) assert.ok(!report.hosts.some((h) => h.host.name === name), `${name} removed`);
});

test('--output FILE writes the report there and nothing to stdout; --format html and table render it', async () => {
  const out = path.join(dir, 'scan.json');
  const r = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'json', '--output', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const written = validReport(readFileSync(out, 'utf8'));
  const s = written.summary;
  assert.ok(s.hosts > 0);
  assert.equal(r.stderr, `tbmon: wrote ${out} (json): ${s.hosts} hosts — ${s.fail} fail, ${s.warn} warn, ${s.unknown} unknown, ${s.pass} pass\n`);

  const html = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'html']);
  assert.match(html.stdout, /^<!doctype html>/i);
  for (const name of failingHostNames(contoso)) assert.match(html.stdout, new RegExp(`data-host="${name}" data-status="fail"`));
  const table = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'table']);
  for (const name of failingHostNames(contoso)) assert.match(table.stdout, new RegExp(`^FAIL +${name} +mlw-`, "m"), name);
  assert.doesNotMatch(table.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
  // The report's summaries say "in the last PT1H" and carry ISO times (JSON stays exactly the report); the terminal says them in words.
  const all = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'table', '--all']);
  assert.match(written.hosts.flatMap((h) => h.checks.map((k) => k.summary)).join('\n'), /PT\d/, 'the JSON keeps ISO durations');
  for (const [name, text] of [['table', table.stdout], ['table --all', all.stdout]]) {
    assert.doesNotMatch(text, /PT\d/, `${name}: durations in words`);
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, `${name}: times in words`);
  }
});

test('check: a job\'s studio URL and a restarted instance — the failing job service and the instance not relaunched, each with its fix', async () => {
  const ws = '/subscriptions/1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod';
  const job = await tbmon(['check', `https://ml.azure.com/runs/tb-sweep-bert?wsid=${ws}`, '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(job.code, 1, job.stderr);
  const jr = validReport(job.stdout).hosts[0];
  assert.equal(jr.host.kind, 'job-service');
  const svc = jr.checks.find((c) => c.id === 'job.tensorboard-service');
  assert.equal(svc?.status, 'fail');
  assert.match(svc?.summary ?? '', /log_dir does not exist/);
  assert.match(svc?.remediation ?? '', /az ml job show-services --name tb-sweep-bert/);
  const ci = await tbmon(['check', 'ci-restarted', '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(ci.code, 1, ci.stderr);
  const relaunch = validReport(ci.stdout).hosts[0].checks.find((c) => c.id === 'script.not-relaunched');
  assert.equal(relaunch?.status, 'fail');
  assert.match(relaunch?.remediation ?? '', /startup script/);
});

test('check: a failing host exit 1, a passing one 0, both by name and id; JSON validates', async () => {
  const failing = failingHostNames(contoso)[0];
  const r = await tbmon(['check', failing, '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const report = validReport(r.stdout);
  assert.equal(report.hosts.length, 1);
  assert.equal(report.hosts[0].status, 'fail');
  const byId = await tbmon(['check', report.hosts[0].host.id, '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(byId.code, 1);
  assert.equal(validReport(byId.stdout).hosts[0].host.id, report.hosts[0].host.id);

  const healthy = Object.entries(expectations(contoso)).find(([, checks]) => !Object.values(checks).includes('fail'))![0];
  const ok = await tbmon(['check', healthy, '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(validReport(ok.stdout).hosts[0].host.name, healthy);
});

test('check of a URL: the report says whether its port is the one TensorBoard is reachable on, and which one is', async () => {
  const wrong = await tbmon(['check', 'https://ci-ok-6007.eastus2.instances.azureml.ms/#scalars', '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(wrong.code, 1, wrong.stderr);
  const finding = validReport(wrong.stdout).hosts[0].checks.find((k) => k.id === 'network.url-port');
  assert.equal(finding?.status, 'fail');
  assert.match(finding.summary, /asks ci-ok for port 6007, but TensorBoard is reachable on port 8706/);
  assert.equal(finding.evidence?.reachableUrl, 'https://ci-ok-8706.eastus2.instances.azureml.ms/');
  const table = await tbmon(['check', 'ci-ok-6007.eastus2.instances.azureml.ms', '--sandbox', files.contoso, '--format', 'table']);
  assert.match(table.stdout.replace(/\s+/g, ' '), /port 6007, but TensorBoard is reachable on port 8706/);
  assert.match(table.stdout, /https:\/\/ci-ok-8706\.eastus2\.instances\.azureml\.ms\//);
  const right = await tbmon(['check', 'https://ci-ok.eastus2.instances.azureml.ms/proxy/8706/', '--sandbox', files.contoso, '--format', 'html']);
  assert.match(right.stdout, /the port TensorBoard is reachable on/);
});

test('an unknown TBMON_* setting is warned on stderr with the nearest known name; the run goes on', async () => {
  const r = await tbmon(['hosts', '--sandbox', files.contoso, '--format', 'json'], { TBMON_SCOPES: 'subscriptions:x', TBMON_LOOKBAKC: 'PT1H', TBMON_WHATEVER_ELSE: '1' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^tbmon: warning: TBMON_LOOKBAKC is not a tbmon setting and is ignored — did you mean TBMON_LOOKBACK\?$/m);
  assert.match(r.stderr, /^tbmon: warning: TBMON_SCOPES is not a tbmon setting and is ignored — did you mean TBMON_SCOPE\?$/m);
  assert.match(r.stderr, /^tbmon: warning: TBMON_WHATEVER_ELSE is not a tbmon setting and is ignored \(the settings are listed in README\.md/m);
  assert.ok(Array.isArray((JSON.parse(r.stdout) as { hosts: unknown[] }).hosts), 'stdout stays exactly the JSON');
});

test('check --scope looks the host up there instead of TBMON_SCOPE', async () => {
  const other = contoso.subscriptions[1].subscriptionId;
  const r = await tbmon(['check', 'ci-ok', '--sandbox', files.contoso, '--scope', `subscriptions:${other}`, '--format', 'json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no TensorBoard host matches name "ci-ok"/);
});

test('hosts --format json validates against hosts.v1.json and lists every designed host; exit 0', async () => {
  const r = await tbmon(['hosts', '--sandbox', files.contoso, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as unknown;
  const v = validateHostsOutput(out);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('; '));
  if (v.ok) for (const name of Object.keys(expectations(contoso))) assert.ok(v.value.hosts.some((h) => h.name === name), name);
});

const USAGE_CASES: { what: string; argv: () => string[]; env?: Record<string, string>; stderr: RegExp }[] = [
  { what: 'an unknown command', argv: () => ['frobnicate'], stderr: /unknown command[\s\S]*usage:/ },
  { what: 'a bad --format', argv: () => ['scan', '--sandbox', files.contoso, '--format', 'xml'], stderr: /--format/ },
  { what: 'check without a host', argv: () => ['check', '--sandbox', files.contoso], stderr: /exactly one host/ },
  { what: 'a bad TBMON_SCOPE', argv: () => ['scan', '--sandbox', files.contoso], env: { TBMON_SCOPE: 'subscriptions:not-a-guid' }, stderr: /TBMON_SCOPE/ },
  { what: 'a bad --scope', argv: () => ['scan', '--sandbox', files.contoso, '--scope', 'tenant:everything'], stderr: /--scope/ },
  { what: 'a bad TBMON_LOOKBACK', argv: () => ['scan', '--sandbox', files.contoso], env: { TBMON_LOOKBACK: 'an hour' }, stderr: /TBMON_LOOKBACK/ },
  { what: '--output into a directory that does not exist', argv: () => ['scan', '--sandbox', files.contoso, '--output', path.join(dir, 'no-dir', 'r.json')], stderr: /does not exist/ },
  { what: 'a tenant file that does not exist', argv: () => ['scan', '--sandbox', path.join(dir, 'nope.json')], stderr: /nope\.json/ },
  { what: 'check of a host that does not exist', argv: () => ['check', 'no-such-host', '--sandbox', files.contoso], stderr: /no TensorBoard host matches name "no-such-host"/ },
  { what: 'check of a malformed host', argv: () => ['check', "ci-ok' | take 1", '--sandbox', files.contoso], stderr: /the host "ci-ok' \| take 1" is not an ARM resource id/ },
  { what: 'check of a host outside TBMON_SCOPE', argv: () => ['check', contoso.resources.find((x) => x.name === 'ci-ok')!.id, '--sandbox', files.contoso], env: { TBMON_SCOPE: 'subscriptions:00000000-0000-0000-0000-0000000000ff' }, stderr: /outside TBMON_SCOPE/ },
  { what: 'an unknown management group (--scope)', argv: () => ['scan', '--sandbox', files.contoso, '--scope', 'managementGroup:no-such-mg'], stderr: /management group "no-such-mg" was not found/ },
  { what: 'an unknown management group (TBMON_SCOPE, hosts)', argv: () => ['hosts', '--sandbox', files.contoso], env: { TBMON_SCOPE: 'managementGroup:no-such-mg' }, stderr: /no-such-mg/ },
];

for (const c of USAGE_CASES) {
  test(`exit 2: ${c.what}`, async () => {
    const r = await tbmon(c.argv(), c.env);
    assert.equal(r.code, 2, `${r.stderr}\n${r.stdout.slice(0, 300)}`);
    assert.match(r.stderr, c.stderr);
    assert.equal(r.stdout, '', 'no report for a run that did not happen');
  });
}

test('exit 2: check of an ambiguous name lists the candidates', async () => {
  const r = await tbmon(['check', 'ci-ok', '--sandbox', files.twin]);
  assert.equal(r.code, 2, r.stderr);
  const ids = ambiguousTenant(contoso, 'ci-ok').resources.filter((x) => x.name === 'ci-ok').map((x) => x.id);
  assert.equal(ids.length, 2);
  for (const id of ids) assert.ok(r.stderr.includes(id.toLowerCase()), `${id} listed (canonical, lower case) in: ${r.stderr}`);
});

test('a management group that exists scopes the scan (exit 1, its hosts)', async () => {
  const mg = contoso.managementGroups?.[0];
  assert.ok(mg, 'contoso has a management group');
  const r = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'json', '--scope', `managementGroup:${mg.name}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(validReport(r.stdout).hosts.length > 0);
});

for (const [what, file] of [['Resource Graph answers 500 for the whole run', 'graphDown'], ["one subscription's ARM list of computes answers 403", 'subDown']] as const) {
  test(`exit 3 when part of the scope is unreadable (${what}): the report is still written, with errors`, async () => {
    const out = path.join(dir, `${file}.json`);
    const r = await tbmon(['scan', '--sandbox', files[file], '--format', 'json', '--output', out]);
    assert.equal(r.code, 3, r.stderr);
    const report = validReport(readFileSync(out, 'utf8'));
    assert.ok(report.errors.length > 0, 'errors say what could not be read');
    if (file === 'subDown') {
      assert.ok(report.errors.some((e) => e.code === 'ComputeListFailed'), JSON.stringify(report.errors));
      assert.ok(report.hosts.some((h) => h.host.subscriptionId !== SUB1), 'the readable subscription is still reported');
    }
    if (file === 'graphDown') return; // (the SDK's retries of the 500s take seconds; once is enough)
    const hosts = await tbmon(['hosts', '--sandbox', files[file], '--format', 'json']);
    assert.equal(hosts.code, 3, hosts.stderr);
    const v = validateHostsOutput(JSON.parse(hosts.stdout));
    assert.ok(v.ok && v.value.errors.length > 0, 'hosts: errors listed');
  });
}

test('exit 3, not "not found" (2): check by name while Resource Graph refuses', async () => {
  const r = await tbmon(['check', 'ci-small', '--sandbox', files.graphRefused, '--format', 'json']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /lookup is incomplete/);
  assert.equal(r.stdout, '');
});

test('exit 3: a TBMON_SCOPE subscription this identity cannot read; the report says so', async () => {
  const r = await tbmon(['scan', '--sandbox', files.contoso, '--format', 'json'], { TBMON_SCOPE: 'subscriptions:00000000-0000-0000-0000-0000000000ff' });
  assert.equal(r.code, 3, r.stderr);
  const report = validReport(r.stdout);
  assert.deepEqual(report.errors.map((e) => e.code), ['SubscriptionNotReadable']);
});

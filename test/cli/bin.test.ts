// The `tbmon` command as people run it: bin/tbmon.js in a subprocess, built (tsc into dist/, as `npm run build`
// does) and unbuilt (the TypeScript source through tsx), and before `npm ci`. Each layout is a temporary copy of the
// package (bin/, package.json, node_modules and the sources or dist/ linked in), so a dist/ in this checkout does not
// decide which one runs. The loopback guard rides along in NODE_OPTIONS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../../shared/model';
import { loadTenant, startTestSandbox } from '../support/sandbox';

const root = path.resolve(__dirname, '..', '..');
const contosoFile = path.join(root, 'sandbox', 'tenants', 'contoso.json');
const contoso = loadTenant('contoso');
const CI_OK = contoso.resources.find((r) => r.name === 'ci-ok' && r.type.endsWith('/computes'))!.id;
const version = (require(path.join(root, 'package.json')) as { version: string }).version;
let dir: string;
const layouts: Record<'built' | 'unbuilt' | 'uninstalled', string> = { built: '', unbuilt: '', uninstalled: '' };

function layout(name: string, links: string[]): string {
  const at = path.join(dir, name);
  mkdirSync(at);
  cpSync(path.join(root, 'bin'), path.join(at, 'bin'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(at, 'package.json'));
  for (const l of links) symlinkSync(path.join(root, l), path.join(at, l), 'dir');
  return at;
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-bin-'));
  layouts.unbuilt = layout('unbuilt', ['node_modules', 'cli', 'shared', 'sandbox', 'schemas']);
  layouts.uninstalled = layout('uninstalled', []);
  layouts.built = layout('built', ['node_modules']);
  // The build of `npm run build` (tsconfig.build.json); types are checked by the typecheck step.
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--noCheck', '--outDir', path.join(layouts.built, 'dist')], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string }

function tbmon(where: string, argv: string[], base: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...base, NODE_OPTIONS: `--require ${path.join(root, 'scripts', 'loopback-guard.cjs')}`, NO_COLOR: '1' };
    for (const k of Object.keys(env)) if (k.startsWith('TBMON_') || k.startsWith('AZURE_')) delete env[k];
    const child = spawn(process.execPath, [path.join(where, 'bin', 'tbmon.js'), ...argv], { cwd: where, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('unbuilt: --help prints the usage (exit 0); built: --version prints the version (exit 0)', async () => {
  const help = await tbmon(layouts.unbuilt, ['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^tbmon — why is my TensorBoard/);
  assert.match(help.stdout, /usage:\n {2}tbmon scan/);
  const v = await tbmon(layouts.built, ['--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, `tbmon ${version}\n`);
});

test('built: scan of contoso prints the JSON report and exits 1 (hosts fail)', async () => {
  const r = await tbmon(layouts.built, ['scan', '--sandbox', contosoFile, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(report.hosts.some((h) => h.status === 'fail'));
  assert.ok(report.hosts.some((h) => h.host.name === 'ci-ok'));
});

const STUDIO = `https://ml.azure.com/compute/ci-ok/details?wsid=${CI_OK.replace(/\/computes\/ci-ok$/, '')}&tid=00000000-0000-0000-0000-000000000001`;
// Every form a person pastes for one host: its name, its ARM id with a trailing `/`, its custom-application URL, its
// Jupyter proxy URL with a fragment, its studio URL — each finds the same compute instance.
const FORMS: [string, string][] = [
  ['its name', 'ci-ok'],
  ['its ARM id with a trailing /', `${CI_OK}/`],
  ['its custom-application URL', 'https://ci-ok-8706.eastus2.instances.azureml.ms/'],
  ['its Jupyter proxy URL with #scalars', 'https://ci-ok.eastus2.instances.azureml.ms/proxy/8706/#scalars'],
  ['its studio URL', STUDIO],
];
async function checkFinds(how: 'built' | 'unbuilt', input: string, sandbox: string[] = ['--sandbox', contosoFile]): Promise<void> {
  const r = await tbmon(layouts[how], ['check', input, ...sandbox, '--format', 'json']);
  assert.ok(r.code === 0 || r.code === 1, `${input}: ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.hosts.map((h) => h.host.id), [CI_OK.toLowerCase()], `${input}: ids are canonical, lower case`);
}
test(`built: check finds ci-ok by ${FORMS.map(([what]) => what).join(', ')}`, async () => {
  // One sandbox for the five (a running one, as --sandbox-url uses it): each run then only starts the CLI.
  const sandbox = await startTestSandbox(contoso);
  try {
    for (const [, input] of FORMS) await checkFinds('built', input, ['--sandbox-url', sandbox.baseUrl, '--sandbox-ca', sandbox.caCertPath]);
  } finally {
    await sandbox.close();
  }
});
test('unbuilt: check of its studio URL finds ci-ok', () => checkFinds('unbuilt', STUDIO));

test('built: scan --output FILE writes the report there, nothing on stdout, and says where and the counts', async () => {
  const file = path.join(dir, 'report.json');
  const r = await tbmon(layouts.built, ['scan', '--sandbox', contosoFile, '--format', 'json', '--output', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const s = (JSON.parse(readFileSync(file, 'utf8')) as Report).summary;
  assert.ok(s.hosts > 0 && s.fail > 0);
  assert.equal(r.stderr, `tbmon: wrote ${file} (json): ${s.hosts} hosts — ${s.fail} fail, ${s.warn} warn, ${s.unknown} unknown, ${s.pass} pass\n`);
});

test('before npm ci: one message saying what to run, no stack trace, exit 2', async () => {
  const r = await tbmon(layouts.uninstalled, ['hosts']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /npm packages are not installed/);
  assert.match(r.stderr, /npm ci/);
  assert.match(r.stderr, /npm run tbmon -- …/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '');
});

test('not signed in (DefaultAzureCredential with nothing configured): one line naming what was tried and az login, exit 3, no report', async () => {
  // Nothing configured: no AZURE_* variables, a home without az/azd/VS Code state, a PATH with node only (no az,
  // pwsh or azd); managed identity's IMDS address is not loopback, so the guard refuses it as Azure would not answer.
  const home = mkdtempSync(path.join(dir, 'home-'));
  const r = await tbmon(layouts.unbuilt, ['scan', '--format', 'json'], { PATH: path.dirname(process.execPath), HOME: home });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '', 'no summary, no report');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^tbmon: not signed in to Azure: tried .*managed identity.*Azure CLI \(az login\).*; none gave a token\. Run "az login" \(or set AZURE_CLIENT_ID/);
  assert.doesNotMatch(r.stderr, /ChainedTokenCredential|CredentialUnavailableError/);
});

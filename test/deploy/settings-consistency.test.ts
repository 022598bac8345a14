// Settings agree everywhere (issue 10): every setting the code reads appears in local.settings.sample.json, in the
// Bicep app settings and in the README settings table, and nothing is listed there that the code does not read —
// apart from an explicit allowlist of platform settings. And no secret value sits in any Bicep or JSON config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SETTING_NAMES } from '../../shared/config';

const root = path.resolve(__dirname, '..', '..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

/** Settings the platform (Functions host, identity, telemetry) reads, not tbmon's code. */
const PLATFORM = [/^FUNCTIONS_/, /^AzureWebJobs/, /^languageWorkers__/, /^APPLICATIONINSIGHTS_/, /^AZURE_(CLIENT|TENANT)_ID$/, /^WEBSITE_/];
const isPlatform = (k: string) => PLATFORM.some((re) => re.test(k));
const product = new Set<string>(SETTING_NAMES.filter((k) => !isPlatform(k)));

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

function diff(actual: Iterable<string>, expected: Set<string>) {
  const a = new Set(actual);
  return { missing: [...expected].filter((k) => !a.has(k)).sort(), extra: [...a].filter((k) => !expected.has(k)).sort() };
}

test('the product reads settings only through shared/config.ts, and only those it lists', () => {
  const offenders: string[] = [];
  for (const dir of ['shared', 'functions', 'cli']) {
    const files = walk(dir).filter((f) => f.endsWith('.ts'));
    for (const f of files) {
      const text = read(f);
      for (const m of text.matchAll(/process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([^'"]+)['"]\])/g)) {
        const name = m[1] ?? m[2];
        if (f !== path.join('shared', 'config.ts') && !isPlatform(name) && !/^(TBMON_TEST_|TBMON_SANDBOX_|NODE_|CI$|TERM$|NO_COLOR$)/.test(name)) {
          offenders.push(`${f}: process.env.${name}`);
        }
      }
    }
  }
  assert.deepEqual(offenders, [], 'product settings must be read in shared/config.ts (validated once)');
  const configText = read('shared/config.ts');
  for (const name of SETTING_NAMES) assert.ok(configText.includes(`'${name}'`), `${name} is listed and read in shared/config.ts`);
});

test('local.settings.sample.json lists exactly the product settings (plus platform ones)', () => {
  const values = (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values;
  const keys = Object.keys(values).filter((k) => !isPlatform(k));
  assert.deepEqual(diff(keys, product), { missing: [], extra: [] });
  assert.ok('AzureWebJobsStorage' in values, 'AzureWebJobsStorage is set for local runs');
});

function bicepAppSettings(): string[] {
  const text = read('infra/app/resources.bicep');
  const start = text.indexOf("resource appSettings 'config'");
  assert.ok(start > 0, 'the Function App has an appsettings config resource');
  const block = text.slice(text.indexOf('properties: {', start));
  let depth = 0;
  let end = 0;
  for (let i = 0; i < block.length; i++) {
    if (block[i] === '{') depth++;
    else if (block[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  return [...block.slice('properties: {'.length, end).matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/gm)].map((m) => m[1]);
}

test('the Bicep app settings list exactly the product settings (plus platform ones)', () => {
  const keys = bicepAppSettings();
  assert.deepEqual(diff(keys.filter((k) => !isPlatform(k)), product), { missing: [], extra: [] });
  // Host storage is identity-based in Azure: AzureWebJobsStorage__* instead of a connection string with a key.
  for (const k of ['AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__credential', 'AzureWebJobsStorage__clientId', 'AZURE_CLIENT_ID']) {
    assert.ok(keys.includes(k), `${k} is set`);
  }
  assert.ok(!keys.includes('AzureWebJobsStorage'), 'no storage connection string (shared keys are disabled)');
});

test("the Function App's Node worker runs under the CLI's heap limit (bin/heap.cjs)", () => {
  const { HEAP_LIMIT_ARG } = require('../../bin/heap.cjs') as { HEAP_LIMIT_ARG: string };
  assert.match(HEAP_LIMIT_ARG, /^--max-old-space-size=\d+$/);
  const m = /^\s*languageWorkers__node__arguments:\s*'([^']*)'/m.exec(read('infra/app/resources.bicep'));
  assert.ok(m, 'resources.bicep sets languageWorkers__node__arguments');
  assert.equal(m[1], HEAP_LIMIT_ARG);
});

test('the README settings table lists exactly the product settings', () => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Settings'));
  assert.ok(section.length > 0, 'README has a Settings section');
  const table = section.slice(0, section.indexOf('\n## ', 5) > 0 ? section.indexOf('\n## ', 5) : undefined);
  const names = new Set<string>();
  for (const line of table.split('\n').filter((l) => l.startsWith('|'))) {
    const first = line.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) names.add(m[1]);
  }
  assert.deepEqual(diff([...names].filter((k) => !isPlatform(k)), product), { missing: [], extra: [] });
  assert.ok(names.has('AzureWebJobsStorage'), 'README documents AzureWebJobsStorage');
});

test('no secret value sits in any Bicep or JSON config file', () => {
  const files = [...walk('infra'), 'azure.yaml', 'host.json', 'local.settings.sample.json', 'package.json'];
  const secretPatterns: [string, RegExp][] = [
    ['storage account key', /AccountKey=[A-Za-z0-9+/=]{20,}/i],
    ['ACS access key', /accesskey=[A-Za-z0-9+/=]{20,}/i],
    ['SAS signature', /[?&]sig=[A-Za-z0-9%+/=]{20,}/i],
    ['bearer token', /Bearer\s+[A-Za-z0-9._-]{40,}/],
    ['Teams/Workflows webhook URL', /https:\/\/[^\s'"]*(webhook\.office\.com|logic\.azure\.com|powerplatform\.com|powerautomate)[^\s'"]*/i],
    ['instrumentation key', /InstrumentationKey=[0-9a-f-]{36}/i],
  ];
  const found: string[] = [];
  for (const f of files) {
    const text = read(f);
    for (const [what, re] of secretPatterns) if (re.test(text)) found.push(`${f}: ${what}`);
  }
  assert.deepEqual(found, []);
  // Secrets enter Bicep only as @secure() parameters and leave it only as Key Vault references.
  const resources = read('infra/app/resources.bicep');
  for (const name of ['teamsWebhookUrl', 'acsConnectionString']) {
    assert.match(resources, new RegExp(`@secure\\(\\)\\s*\\nparam ${name} string`), `${name} is a secure parameter`);
  }
  assert.match(resources, /TEAMS_WEBHOOK_URL: [^\n]*@Microsoft\.KeyVault\(SecretUri=/);
  assert.match(resources, /ACS_CONNECTION_STRING: [^\n]*@Microsoft\.KeyVault\(SecretUri=/);
});

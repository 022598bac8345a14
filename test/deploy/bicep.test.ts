// The Bicep read as text (no Bicep compiler here): what a deploy needs to survive its own secrets, a second
// environment, `azd down` and `azd provision`, and the App Service / Storage / Key Vault security baselines.
// The consistency of app settings with the code is settings-consistency.test.ts; this adds what the deploy promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateKql } from '../../sandbox/kql/validate';
import { SECRET_SETTINGS, SETTING_NAMES } from '../../shared/config';
import { METRICS } from '../../shared/metrics';

const root = path.resolve(__dirname, '..', '..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const bicepFiles = (dir = 'infra'): string[] => readdirSync(path.join(root, dir), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? bicepFiles(path.join(dir, e.name)) : e.name.endsWith('.bicep') ? [path.join(dir, e.name)] : []));

/** The `{ … }` body that starts at the first `{` at or after `from`. */
function block(text: string, from: number): string {
  const open = text.indexOf('{', from);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error(`unbalanced braces after ${from}`);
}

/** Symbolic name → body of every `resource`/`module` declaration in a file. */
function declarations(text: string, keyword: 'resource' | 'module'): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(new RegExp(`^\\s*${keyword} (\\w+) '[^']+'(?: existing)? = `, 'gm'))) out.set(m[1], block(text, m.index + m[0].length));
  return out;
}

const resources = read('infra/app/resources.bicep');
const appSettingsBody = block(resources, resources.indexOf("resource appSettings 'config'"));
const appSettingsProps = block(appSettingsBody, appSettingsBody.indexOf('properties:'));
const settingValue = (name: string): string => {
  const m = new RegExp(`^\\s*${name}: (.+)$`, 'm').exec(appSettingsProps);
  assert.ok(m, `${name} is an app setting`);
  return m[1];
};

test('every secret-backed app setting is a Key Vault reference whose secret and read role it depends on', () => {
  const dependsOn = /dependsOn: \[([^\]]*)\]\s*\}$/.exec(appSettingsBody)?.[1].split(',').map((s) => s.trim()) ?? [];
  const secrets = [...declarations(resources, 'resource')].filter(([, body]) => /^\{\s*parent: vault\b/.test(body));
  assert.ok(secrets.length >= SECRET_SETTINGS.length, 'the vault holds the secrets');
  for (const setting of SECRET_SETTINGS) {
    const ref = /@Microsoft\.KeyVault\(SecretUri=\$\{vault\.properties\.vaultUri\}secrets\/([a-z0-9-]+)\/\)/.exec(settingValue(setting));
    assert.ok(ref, `${setting} is a Key Vault reference`);
    const secret = secrets.find(([, body]) => body.includes(`name: '${ref[1]}'`));
    assert.ok(secret, `a secret resource is named ${ref[1]}`);
    assert.ok(dependsOn.includes(secret[0]), `the app settings depend on ${secret[0]} (${setting})`);
  }
  const reader = [...declarations(resources, 'resource')].find(([, body]) => body.includes('roleIds.keyVaultSecretsUser'));
  assert.ok(reader && dependsOn.includes(reader[0]), 'the app settings depend on the Key Vault Secrets User assignment');
  assert.match(resources, /keyVaultReferenceIdentity: identity\.id/);
});

test('no nested deployment has a fixed name (a second environment in another region of the subscription would collide)', () => {
  let modules = 0;
  for (const f of bicepFiles()) {
    for (const [name, body] of declarations(read(f), 'module')) {
      modules++;
      const n = /^\{\s*name: (.+)$/m.exec(body)?.[1] ?? '';
      assert.match(n, /\$\{(token|uniqueString\()/, `${f}: module ${name} is named per environment and region (${n})`);
    }
  }
  assert.ok(modules >= 4, 'the modules were found');
  assert.match(read('infra/main.bicep'), /var token = toLower\(uniqueString\(subscription\(\)\.id, environmentName, location\)\)/);
});

test('basic publishing credentials off for FTP and SCM, FTP disabled, TLS 1.2, HTTPS only', () => {
  const policies = [...resources.matchAll(/resource \w+ 'basicPublishingCredentialsPolicies' = \{\s*name: '(\w+)'\s*properties: \{ allow: (\w+) \}/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(policies.sort(), [['ftp', 'false'], ['scm', 'false']]);
  assert.match(resources, /ftpsState: 'Disabled'/);
  assert.match(resources, /minTlsVersion: '1\.2'/);
  assert.match(resources, /httpsOnly: true/);
});

test('Key Vault: RBAC, soft delete with purge protection, a name that can change after `azd down`, audit logs', () => {
  const vault = declarations(resources, 'resource').get('vault')!;
  assert.match(vault, /enablePurgeProtection: true/);
  assert.match(vault, /enableSoftDelete: true/);
  assert.match(vault, /enableRbacAuthorization: true/);
  assert.match(vault, /name: 'kv-tb-\$\{take\(token, 10\)\}\$\{take\(keyVaultSuffix, 8\)\}'/);
  assert.ok('kv-tb-'.length + 10 + 8 <= 24, 'the longest name fits Key Vault\'s 24 characters');
  assert.match(read('infra/main.parameters.json'), /"keyVaultSuffix": \{ "value": "\$\{TBMON_KEY_VAULT_SUFFIX=\}" \}/);
  const yaml = read('azure.yaml');
  for (const hook of ['preprovision', 'postprovision', 'postdown']) assert.match(yaml, new RegExp(`run: node infra/scripts/azd-hooks\\.mjs ${hook}`));
});

test('diagnostic settings to the workspace for Key Vault, the storage services and the app', () => {
  const scopes = [...resources.matchAll(/resource \w+ 'Microsoft\.Insights\/diagnosticSettings@[^']+' = \{[^}]*?scope: ([\w:]+)/g)].map((m) => m[1]).sort();
  assert.deepEqual(scopes, ['functionApp', 'storage::blobs', 'storage::queues', 'storage::tables', 'vault']);
});

test('no secret leaves a template through an output', () => {
  for (const f of bicepFiles()) {
    const text = read(f);
    const secure = [...text.matchAll(/@secure\(\)\s*(?:@\w+\([^)]*\)\s*)*param (\w+)/g)].map((m) => m[1]);
    for (const line of text.split('\n').filter((l) => /^output /.test(l))) {
      for (const p of secure) assert.ok(!new RegExp(`\\b${p}\\b`).test(line), `${f}: ${line} does not output ${p}`);
      assert.doesNotMatch(line, /listKeys|listSecrets|ConnectionString|primaryKey|secondaryKey|\.value\b/i, `${f}: ${line}`);
    }
  }
});

test('the location is a Flex Consumption region, and azd asks for it as a location', () => {
  const main = read('infra/main.bicep');
  const param = main.slice(main.indexOf("@description('Region for every resource"), main.indexOf('param location string') + 30);
  assert.match(param, /@allowed\(\[/);
  assert.match(param, /@metadata\(\{ azd: \{ type: 'location' \} \}\)/);
  for (const r of ['eastus2', 'westeurope', 'swedencentral']) assert.match(param, new RegExp(`'${r}'`));
});

test('every product setting in Bicep comes from a parameter (kept across `azd provision` by azd env) or a platform value', () => {
  const params = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
  const thresholds = params.parameters.thresholds.value as Record<string, string>;
  const main = read('infra/main.bicep');
  const mainParams = new Set([...main.matchAll(/^param (\w+) /gm)].map((m) => m[1]));
  for (const p of Object.keys(params.parameters)) assert.ok(mainParams.has(p), `main.parameters.json's ${p} is a parameter of main.bicep`);
  for (const p of [...main.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1])) assert.ok(p in params.parameters, `${p} (no default) is in main.parameters.json`);
  const fixedPlatform = new Set(['AZURE_RESOURCE_MANAGER_ENDPOINT', 'AZURE_AUTHORITY_HOST']);
  for (const name of SETTING_NAMES.filter((n) => n !== 'AzureWebJobsStorage')) {
    const value = settingValue(name);
    if (fixedPlatform.has(name)) {
      assert.match(value, /^environment\(\)\./, `${name} is the cloud's own`);
    } else if (name in thresholds) {
      assert.ok(value.includes(`thresholds.?${name}`) || value.includes(`empty(email`), `${name} reads thresholds.${name}: ${value}`);
      assert.match(thresholds[name], new RegExp(`^\\$\\{${name}=`), `main.parameters.json takes ${name} from the azd environment`);
    } else {
      assert.doesNotMatch(value, /^'[^']*'$/, `${name} is not a fixed literal: ${value}`);
    }
  }
  assert.equal(settingValue('TBMON_SWEEP_SCHEDULE'), 'sweepSchedule');
  assert.match(JSON.stringify(params.parameters.sweepSchedule), /\$\{TBMON_SWEEP_SCHEDULE=0 \*\/15 \* \* \* \*\}/);
});

test('scope wiring: the scan role on every subscription TBMON_SCOPE lists, Log Analytics Reader only (it includes */read)', () => {
  const main = read('infra/main.bicep');
  assert.match(main, /startsWith\(toLower\(scope\), 'subscriptions:'\)/);
  assert.match(main, /module subscriptionRoles 'scope\/subscription-roles\.bicep' = \[for \(sub, i\) in grantTargets:/);
  assert.match(main, /scope: subscription\(sub\)/);
  for (const f of ['infra/scope/subscription-roles.bicep', 'infra/scope/management-group-roles.bicep']) {
    const roles = [...read(f).matchAll(/roleIds\.(\w+)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(roles)], ['logAnalyticsReader'], f);
  }
});

test('the app alerts: an action group and log alerts whose queries validate against the Application Insights schemas', () => {
  const alerts = read('infra/app/alerts.bicep');
  assert.match(alerts, /resource actionGroup 'Microsoft\.Insights\/actionGroups@/);
  const queries = [...alerts.matchAll(/^var (\w+Query) = '((?:[^'\\]|\\.)*)'$/gm)].map((m) => [m[1], m[2].replace(/\\'/g, "'")] as const);
  assert.deepEqual(queries.map(([n]) => n).sort(), ['failedExecutionsQuery', 'poisonQuery', 'sweepsQuery']);
  for (const [name, q] of queries) {
    assert.deepEqual(validateKql(q, 'applicationInsights'), [], `${name}: ${q}`);
    assert.match(alerts, new RegExp(`query: ${name}\\b`), `${name} is used by a rule`);
  }
  const rules = [...alerts.matchAll(/resource (\w+) 'Microsoft\.Insights\/scheduledQueryRules@[^']+'/g)].map((m) => m[1]);
  assert.deepEqual(rules.sort(), ['failedExecutions', 'noSweep', 'poisonMessages']);
  assert.equal([...alerts.matchAll(/actions: \{ actionGroups: \[actionGroup\.id\] \}/g)].length, rules.length, 'every rule notifies the action group');
  // The metric alert on "hosts failing": tbmon's own metric, no dimension, to the same action group.
  const metricAlert = declarations(alerts, 'resource').get('hostsFailing');
  assert.ok(metricAlert && /'Microsoft\.Insights\/metricAlerts@/.test(alerts));
  assert.match(metricAlert, /metricName: 'tbmon\.hosts\.failing'/);
  assert.match(metricAlert, /metricNamespace: 'azure\.applicationinsights'/);
  assert.match(metricAlert, /actions: \[\{ actionGroupId: actionGroup\.id \}\]/);
  assert.ok('tbmon.hosts.failing' in METRICS, 'the alert watches a metric tbmon exports');
  assert.match(alerts, /var window = 'PT\$\{2 \* sweepIntervalMinutes\}M'/, 'no sweep for twice the schedule');
  // A name the validator must refuse, so the check above can fail.
  assert.ok(validateKql('requests | where nme == "sweep"', 'applicationInsights').length > 0);
});

test('the deploy package: azd zips the staged folder with production dependencies (no remote build)', () => {
  const yaml = read('azure.yaml');
  assert.match(yaml, /dist: \.deploy/);
  assert.match(yaml, /remoteBuild: false/);
  assert.match(yaml, /prepackage:[\s\S]*run: node scripts\/stage-deploy\.mjs/);
  // azd refuses remoteBuild false when .funcignore excludes node_modules (Azure/azure-dev service_target_functionapp.go).
  assert.doesNotMatch(read('.funcignore'), /^node_modules\/?$/m);
});

test('the workbook: every query validates against the Application Insights schemas and reads metrics tbmon exports', () => {
  const workbook = JSON.parse(read('infra/app/workbook.json')) as { version: string; items: { type: number; name: string; content: { query?: string; resourceType?: string } }[] };
  assert.equal(workbook.version, 'Notebook/1.0');
  const queries = workbook.items.filter((i) => i.type === 3);
  assert.deepEqual(queries.map((q) => q.name), ['fleet-status', 'top-causes', 'coverage', 'reach', 'requests', 'sweep-duration', 'notices']);
  for (const q of queries) {
    assert.equal(q.content.resourceType, 'microsoft.insights/components', q.name);
    assert.deepEqual(validateKql(q.content.query!, 'applicationInsights'), [], `${q.name}: ${q.content.query}`);
    for (const m of q.content.query!.matchAll(/name == "([^"]+)"/g)) assert.ok(m[1] in METRICS, `${q.name} reads ${m[1]}, a metric tbmon exports`);
  }
  const bicep = read('infra/app/workbook.bicep');
  assert.match(bicep, /serializedData: loadTextContent\('workbook\.json'\)/);
  assert.match(bicep, /sourceId: applicationInsightsId/);
  assert.match(read('infra/main.bicep'), /output TBMON_WORKBOOK_ID string = workbook\.outputs\.workbookId/);
  assert.match(read('README.md'), /Workbooks → \*\*tbmon fleet\*\*/);
});

test('an availability test probes GET /api/health with the key in a header (never in the URL), and an alert fires on it', () => {
  const alerts = read('infra/app/alerts.bicep');
  const webtest = alerts.slice(alerts.indexOf("resource healthTest 'Microsoft.Insights/webtests@"), alerts.indexOf('resource healthAlert'));
  assert.match(webtest, /kind: 'standard'/);
  assert.match(webtest, /RequestUrl: 'https:\/\/\$\{site\.properties\.defaultHostName\}\/api\/health'/);
  assert.doesNotMatch(webtest, /RequestUrl: [^\n]*code=/, 'no key in the URL (it would show in every result)');
  assert.match(webtest, /Headers: \[\{ key: 'x-functions-key', value: listKeys\(/);
  assert.match(webtest, /ExpectedHttpStatusCode: 200/);
  assert.match(webtest, /'hidden-link:\$\{applicationInsightsId\}': 'Resource'/);
  const alert = alerts.slice(alerts.indexOf('resource healthAlert'));
  assert.match(alert, /WebtestLocationAvailabilityCriteria/);
  assert.match(alert, /webTestId: healthTest\.id/);
  assert.match(read('infra/main.bicep'), /functionAppName: app\.outputs\.functionAppName/);
});

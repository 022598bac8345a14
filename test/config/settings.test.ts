// loadSettings: DESIGN.md's defaults, every bad setting named (all at once), the scope forms, storage forms, and
// secrets never echoed in a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadSettings, parseIsoDuration, parseScope, SETTING_NAMES } from '../../shared/config';

const SUB1 = '34adfa4f-cedf-4dc0-ba29-b6d1a69ab345';
const SUB2 = 'CFBBD179-59D2-4052-AA06-9270A38AA9D6';

function problemsOf(env: Record<string, string>, options?: Parameters<typeof loadSettings>[1]): string[] {
  try {
    loadSettings(env, options);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected the settings to be refused');
}

test('defaults when nothing is set (DESIGN.md § Settings)', () => {
  const s = loadSettings({});
  assert.deepEqual(s.scope, { kind: 'all' });
  assert.equal(s.sweepSchedule, '0 */15 * * * *');
  assert.equal(s.hostTag, 'tensorboard');
  assert.deepEqual(s.ownerTags, ['tensorboard-owner', 'owner']);
  assert.equal(s.defaultLogAnalyticsWorkspaceId, null);
  assert.equal(s.lookback, 'PT1H');
  assert.equal(s.lookbackMs, 3_600_000);
  assert.equal(s.alertEmailFrom, null);
  assert.deepEqual(s.alertFallbackTo, []);
  assert.equal(s.acsEndpoint, null);
  assert.equal(s.acsConnectionString, null);
  assert.equal(s.teamsWebhookUrl, null);
  assert.equal(s.armEndpoint, 'https://management.azure.com');
  assert.equal(s.logAnalyticsEndpoint, 'https://api.loganalytics.io/v1');
  assert.equal(s.authorityHost, null);
  assert.deepEqual(s.clientSources, ['VirtualNetwork']);
  assert.equal(s.minVcpus, 2);
  assert.equal(s.minMemoryGb, 8);
  assert.equal(s.launchLogTable, 'Syslog');
  assert.equal(s.launchLogTag, 'tensorboard');
  assert.equal(s.historyDays, 30);
  assert.equal(s.alertMinStatus, 'fail');
  assert.equal(s.alertOnFirstSight, true);
  assert.equal(s.dataGapSweeps, 4);
  assert.equal(s.emailPerMinute, 30);
  assert.equal(s.emailPerHour, 100);
  assert.deepEqual([s.diskFailPct, s.diskWarnPct, s.memoryWarnPct, s.cpuWarnPct], [10, 20, 10, 90]);
  assert.equal(s.storage, null);
});

test('blank values count as unset', () => {
  const env = Object.fromEntries(SETTING_NAMES.map((n) => [n, '  ']));
  assert.deepEqual(loadSettings(env), loadSettings({}));
});

test('values are parsed: lists, numbers, booleans, durations, endpoints', () => {
  const s = loadSettings({
    TBMON_OWNER_TAGS: 'team-owner; owner ,',
    TBMON_ALERT_FALLBACK_TO: 'a@contoso.com,b@contoso.com',
    TBMON_CLIENT_SOURCES: 'VirtualNetwork,10.0.0.0/8,AzureMachineLearning,2001:db8::/32',
    TBMON_MIN_MEMORY_GB: '7.5',
    TBMON_ALERT_ON_FIRST_SIGHT: 'no',
    TBMON_ALERT_MIN_STATUS: 'WARN',
    TBMON_LOOKBACK: 'P1DT30M',
    TBMON_LOG_ANALYTICS_WORKSPACE_ID: 'FAA080AF-C1D8-40AD-9CCE-E1A450CA5B57',
    AZURE_RESOURCE_MANAGER_ENDPOINT: 'https://management.usgovcloudapi.net/',
  });
  assert.deepEqual(s.ownerTags, ['team-owner', 'owner']);
  assert.deepEqual(s.alertFallbackTo, ['a@contoso.com', 'b@contoso.com']);
  assert.equal(s.clientSources.length, 4);
  assert.equal(s.minMemoryGb, 7.5);
  assert.equal(s.alertOnFirstSight, false);
  assert.equal(s.alertMinStatus, 'warn');
  assert.equal(s.lookbackMs, 86_400_000 + 1_800_000);
  assert.equal(s.defaultLogAnalyticsWorkspaceId, 'faa080af-c1d8-40ad-9cce-e1a450ca5b57');
  assert.equal(s.armEndpoint, 'https://management.usgovcloudapi.net');
});

test('scope forms', () => {
  assert.deepEqual(parseScope('all'), { kind: 'all' });
  assert.deepEqual(parseScope('ALL'), { kind: 'all' });
  assert.deepEqual(parseScope(`subscriptions:${SUB1}, ${SUB2},${SUB1}`), { kind: 'subscriptions', subscriptionIds: [SUB1, SUB2.toLowerCase()] });
  assert.deepEqual(parseScope('managementGroup:mg-research'), { kind: 'managementGroup', managementGroupId: 'mg-research' });
  assert.deepEqual(loadSettings({ TBMON_SCOPE: `subscriptions:${SUB1}` }).scope, { kind: 'subscriptions', subscriptionIds: [SUB1] });
  const bad: [string, RegExp][] = [
    ['subscriptions:', /lists no subscription id/],
    ['subscriptions:not-a-guid', /not GUIDs: "not-a-guid"/],
    ['managementGroup:bad/group', /management group id that is not valid/],
    ['tenant:contoso', /not one of the accepted forms/],
  ];
  for (const [raw, why] of bad) {
    const problems = problemsOf({ TBMON_SCOPE: raw });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^TBMON_SCOPE=/);
    assert.match(problems[0], why);
    assert.match(problems[0], /accepted: "all", "subscriptions:<guid>,<guid>", "managementGroup:<id>"/);
  }
});

const badOne: [string, string][] = [
  ['TBMON_SWEEP_SCHEDULE', '*/15 * * * *'],
  ['TBMON_SWEEP_SCHEDULE', '0 */15 * * * nope'],
  ['TBMON_HOST_TAG', 'tensor/board'],
  ['TBMON_LOG_ANALYTICS_WORKSPACE_ID', 'law-1'],
  ['TBMON_LOOKBACK', '1h'],
  ['TBMON_LOOKBACK', 'PT10S'],
  ['TBMON_LOOKBACK', 'P90D'],
  ['TBMON_ALERT_EMAIL_FROM', 'not-an-address'],
  ['TBMON_ALERT_FALLBACK_TO', 'a@contoso.com,bob'],
  ['ACS_ENDPOINT', 'http://acs.example'],
  ['AZURE_LOG_ANALYTICS_ENDPOINT', 'not a url'],
  ['AZURE_AUTHORITY_HOST', 'ftp://login'],
  ['TBMON_CLIENT_SOURCES', '10.0.0.0/33'],
  ['TBMON_MIN_VCPUS', '1.5'],
  ['TBMON_MIN_VCPUS', '0'],
  ['TBMON_MIN_MEMORY_GB', 'eight'],
  ['TBMON_LAUNCH_LOG_TABLE', 'Sys log'],
  ['TBMON_LAUNCH_LOG_TAG', 'tensor board'],
  ['TBMON_HISTORY_DAYS', '-1'],
  ['TBMON_ALERT_MIN_STATUS', 'unknown'],
  ['TBMON_ALERT_ON_FIRST_SIGHT', 'maybe'],
  ['TBMON_DATA_GAP_SWEEPS', '0'],
  ['TBMON_EMAIL_PER_MINUTE', 'lots'],
  ['TBMON_EMAIL_PER_HOUR', '0'],
  ['TBMON_DISK_FAIL_PCT', '101'],
  ['TBMON_MEMORY_WARN_PCT', '-5'],
  ['TBMON_CPU_WARN_PCT', 'high'],
];
for (const [name, value] of badOne) {
  test(`bad ${name}=${JSON.stringify(value)} is named`, () => {
    const problems = problemsOf({ [name]: value });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.ok(problems[0].startsWith(name), problems[0]);
  });
}

test('several problems are reported at once, each naming its setting', () => {
  const problems = problemsOf({ TBMON_SCOPE: 'tenant:x', TBMON_MIN_VCPUS: 'two', TBMON_LOOKBACK: 'hour', TBMON_ALERT_MIN_STATUS: 'pass' });
  assert.equal(problems.length, 4);
  for (const name of ['TBMON_SCOPE', 'TBMON_MIN_VCPUS', 'TBMON_LOOKBACK', 'TBMON_ALERT_MIN_STATUS']) assert.ok(problems.some((p) => p.startsWith(name)), name);
  const e = (() => { try { loadSettings({ TBMON_MIN_VCPUS: 'two', TBMON_HISTORY_DAYS: 'x' }); } catch (err) { return err as Error; } })();
  assert.match(e?.message ?? '', /these settings are invalid:\n {2}- TBMON_MIN_VCPUS.*\n {2}- TBMON_HISTORY_DAYS/);
});

test('disk thresholds must be ordered', () => {
  const problems = problemsOf({ TBMON_DISK_FAIL_PCT: '30', TBMON_DISK_WARN_PCT: '20' });
  assert.match(problems[0], /TBMON_DISK_WARN_PCT \(20\) must not be below TBMON_DISK_FAIL_PCT \(30\)/);
});

test('secrets are never echoed: ACS connection string, Teams webhook, storage connection string, bad endpoints', () => {
  const secret = 'S3cr3tK3yMaterial0123456789';
  const problems = problemsOf({
    ACS_CONNECTION_STRING: `accesskey=${secret}`,
    TEAMS_WEBHOOK_URL: `http://prod-00.westus.logic.azure.com/workflows/x?sig=${secret}`,
    AzureWebJobsStorage: `nonsense${secret}`,
    AZURE_AUTHORITY_HOST: `not a url ${secret}`,
  });
  assert.equal(problems.length, 4);
  for (const name of ['ACS_CONNECTION_STRING', 'TEAMS_WEBHOOK_URL', 'AzureWebJobsStorage', 'AZURE_AUTHORITY_HOST']) assert.ok(problems.some((p) => p.startsWith(name)), name);
  assert.ok(!problems.join('\n').includes(secret), problems.join('\n'));
  const bad = problemsOf({ TEAMS_WEBHOOK_URL: `${secret} not a url` });
  assert.ok(!bad.join('\n').includes(secret));
});

test('ACS_CONNECTION_STRING: its endpoint must be an https URL with no path, checked at start (the key is never echoed)', () => {
  const secret = 'S3cr3tK3yMaterial0123456789';
  for (const endpoint of ['http://acs.example.communication.azure.com/', 'acs.example.communication.azure.com', 'https://acs.example.communication.azure.com/emails']) {
    const problems = problemsOf({ ACS_CONNECTION_STRING: `endpoint=${endpoint};accesskey=${secret}` });
    assert.equal(problems.length, 1, endpoint);
    assert.match(problems[0], /^ACS_CONNECTION_STRING\b.*https/, endpoint);
    assert.ok(!problems[0].includes(secret), problems[0]);
  }
  const ok = 'endpoint=https://acs.example.communication.azure.com/;accesskey=a2V5';
  assert.equal(loadSettings({ ACS_CONNECTION_STRING: ok }).acsConnectionString, ok);
});

test('storage by identity: the service URIs must be https URLs and the account name a storage account name', () => {
  const problems = problemsOf({ AzureWebJobsStorage__queueServiceUri: 'http://acct.queue.core.windows.net', AzureWebJobsStorage__tableServiceUri: 'not a url' });
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^AzureWebJobsStorage__queueServiceUri\b.*https/);
  assert.match(problems[1], /^AzureWebJobsStorage__tableServiceUri\b.*https/);
  assert.match(problemsOf({ AzureWebJobsStorage__accountName: 'evil.com/x#' })[0], /^AzureWebJobsStorage__accountName\b/);
  assert.deepEqual(loadSettings({ AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net/', AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net' }).storage, {
    kind: 'identity', queueServiceUri: 'https://acct.queue.core.windows.net/', tableServiceUri: 'https://acct.table.core.windows.net', clientId: null,
  });
});

test('storage: connection string, Azurite shorthand, managed identity forms; required only when asked', () => {
  assert.deepEqual(loadSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }).storage, { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
  const cs = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
  assert.deepEqual(loadSettings({ AzureWebJobsStorage: cs }).storage, { kind: 'connectionString', connectionString: cs });
  assert.deepEqual(loadSettings({ AzureWebJobsStorage__accountName: 'acct', AzureWebJobsStorage__clientId: 'cid' }).storage, {
    kind: 'identity', queueServiceUri: 'https://acct.queue.core.windows.net', tableServiceUri: 'https://acct.table.core.windows.net', clientId: 'cid',
  });
  assert.equal(loadSettings({}, { requireStorage: false }).storage, null);
  const problems = problemsOf({}, { requireStorage: true });
  assert.match(problems[0], /^AzureWebJobsStorage is missing/);
});

test('ISO 8601 durations', () => {
  assert.equal(parseIsoDuration('PT1H'), 3_600_000);
  assert.equal(parseIsoDuration('P1W'), 7 * 86_400_000);
  assert.equal(parseIsoDuration('PT1.5S'), 1500);
  for (const bad of ['P', 'PT', 'P1H', '1H', 'PT1H2', '']) assert.equal(parseIsoDuration(bad), null, bad);
});

test('an unresolved Key Vault reference is its own problem, naming the setting and the refresh call; it does not refuse the settings', () => {
  const ref = (name: string) => `@Microsoft.KeyVault(SecretUri=https://kv-tb-x.vault.azure.net/secrets/${name}/)`;
  const cases: { env: Record<string, string>; unresolved: string[]; teams: string | null; acs: string | null }[] = [
    { env: { TEAMS_WEBHOOK_URL: ref('teams-webhook-url') }, unresolved: ['TEAMS_WEBHOOK_URL'], teams: null, acs: null },
    { env: { ACS_CONNECTION_STRING: ref('acs-connection-string') }, unresolved: ['ACS_CONNECTION_STRING'], teams: null, acs: null },
    { env: { TEAMS_WEBHOOK_URL: '@microsoft.keyvault(VaultName=kv;SecretName=teams)', ACS_CONNECTION_STRING: ref('acs') }, unresolved: ['ACS_CONNECTION_STRING', 'TEAMS_WEBHOOK_URL'], teams: null, acs: null },
    { env: { TEAMS_WEBHOOK_URL: 'https://contoso.example/hook' }, unresolved: [], teams: 'https://contoso.example/hook', acs: null },
    { env: {}, unresolved: [], teams: null, acs: null },
  ];
  for (const c of cases) {
    const s = loadSettings(c.env);
    assert.deepEqual(s.unresolvedSecrets.map((u) => u.setting).sort(), c.unresolved, JSON.stringify(c.env));
    assert.equal(s.teamsWebhookUrl, c.teams);
    assert.equal(s.acsConnectionString, c.acs);
    for (const u of s.unresolvedSecrets) {
      assert.ok(u.message.startsWith(`${u.setting} is an unresolved Key Vault reference`), u.message);
      assert.match(u.message, /az rest --method post --url "\/subscriptions\/<subscription-id>\/resourceGroups\/<resource-group>\/providers\/Microsoft\.Web\/sites\/<function-app>\/config\/configreferences\/appsettings\/refresh\?api-version=2022-03-01"/);
      assert.match(u.message, /Key Vault Secrets User/);
      assert.ok(!u.message.includes('vault.azure.net'), 'the reference is not echoed');
    }
  }
  // On App Service the platform's own settings fill in the names.
  const [u] = loadSettings({ TEAMS_WEBHOOK_URL: ref('t'), WEBSITE_SITE_NAME: 'func-tbmon-1', WEBSITE_RESOURCE_GROUP: 'rg-1', WEBSITE_OWNER_NAME: `${SUB1}+rg-1-EastUS2webspace-Linux` }).unresolvedSecrets;
  assert.match(u.message, new RegExp(`/subscriptions/${SUB1}/resourceGroups/rg-1/providers/Microsoft\\.Web/sites/func-tbmon-1/config/configreferences/appsettings/refresh`));
  // A bad setting beside an unresolved reference is still refused, and only the bad one is a problem.
  assert.deepEqual(problemsOf({ TEAMS_WEBHOOK_URL: ref('t'), TBMON_MIN_VCPUS: 'two' }), ['TBMON_MIN_VCPUS="two" must be a whole number from 1 to 1024']);
});

test('APPLICATIONINSIGHTS_CONNECTION_STRING: the component\'s connection string or nothing; the value is never echoed', () => {
  assert.equal(loadSettings({}).appInsightsConnectionString, null);
  const good = 'InstrumentationKey=00000000-0000-4000-8000-00000000a1b2;IngestionEndpoint=https://eastus2-3.in.applicationinsights.azure.com/;LiveEndpoint=https://eastus2.livediagnostics.monitor.azure.com/;ApplicationId=x';
  assert.equal(loadSettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: good }).appInsightsConnectionString, good);
  assert.deepEqual(problemsOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=abc' }), ['APPLICATIONINSIGHTS_CONNECTION_STRING must hold InstrumentationKey=<guid> (the component\'s connection string; value not shown)']);
  assert.deepEqual(problemsOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-00000000a1b2;IngestionEndpoint=http://evil.example/' }), ['APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint must be an https URL (value not shown)']);
});

test('TBMON_STATUS_URL: https without query or key; default from WEBSITE_HOSTNAME; none without either', () => {
  assert.equal(loadSettings({}).statusUrl, null);
  assert.equal(loadSettings({ WEBSITE_HOSTNAME: 'func-tbmon-x.azurewebsites.net' }).statusUrl, 'https://func-tbmon-x.azurewebsites.net/api/status');
  assert.equal(loadSettings({ TBMON_STATUS_URL: 'https://tbmon.contoso.com/status/', WEBSITE_HOSTNAME: 'x.azurewebsites.net' }).statusUrl, 'https://tbmon.contoso.com/status');
  assert.equal(loadSettings({ TBMON_STATUS_URL: 'http://127.0.0.1:7071/api/status' }).statusUrl, 'http://127.0.0.1:7071/api/status');
  for (const [value, problem] of [
    ['http://tbmon.contoso.com/api/status', /TBMON_STATUS_URL must be an https URL/],
    ['https://x.azurewebsites.net/api/status?code=abc', /TBMON_STATUS_URL must have no query, fragment or credentials/],
    ['https://x.azurewebsites.net/api/status#top', /no query, fragment/],
    ['not a url', /TBMON_STATUS_URL="not a url" is not a URL/],
  ] as const) {
    assert.throws(() => loadSettings({ TBMON_STATUS_URL: value }), (e: Error) => problem.test(e.message) && !(value.includes('code=abc') && e.message.includes('abc')), value);
  }
});

// Secrets on the failure paths: every setting that holds one (ACS access key, Teams webhook `sig`, storage SAS) is
// set, and every channel, store and API is unreachable or refuses. What the functions log, return and throw, what
// the alert run reports and what it leaves in the outbox table, and what the CLI prints must hold none of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { HttpRequest, InvocationContext } from '@azure/functions';
import { HttpRequest as Request, InvocationContext as Context } from '@azure/functions';
import { main } from '../../cli/main';
import { makeCheckHandler, depsFromAppSettings as checkDepsFromAppSettings } from '../../functions/check';
import { makeEvaluateHandler } from '../../functions/evaluate';
import { makeAlertHandler } from '../../functions/alert';
import { makeStatusHandler } from '../../functions/status';
import { makeSweepHandler } from '../../functions/sweep';
import { alertPipeline, appEnvironment, evaluatePipeline, reportStore, sweepDeps } from '../../shared/app';
import { loadSettings } from '../../shared/config';
import { runAlerts } from '../../shared/notify/alert';
import { alertDepsFromSettings } from '../../shared/notify/channels';
import { MemoryPacingStore } from '../../shared/notify/pacing';
import { recipientsOf } from '../../shared/notify/recipients';
import { Outbox } from '../../shared/state/outbox';
import { StorageClients } from '../../shared/storage';
import { testStorageConnectionString, uniqueName } from '../support/env';
import { TEST_RETRY } from '../support/sandbox';
import { host, notice } from '../notify/fixtures';

const ACS_KEY = 'QUNTa2V5U2VjcmV0TWF0ZXJpYWwwMTIzNDU2Nzg5';
const TEAMS_SIG = 'TeamsSigSecretAbCdEf0123456789';
const STORAGE_SIG = 'StorageSasSigSecret0123456789';
const SECRETS = [ACS_KEY, TEAMS_SIG, STORAGE_SIG];
const TEAMS_URL = `https://127.0.0.1:1/workflows/0123/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${TEAMS_SIG}`;
const ACS_CS = `endpoint=https://127.0.0.1:1/;accesskey=${ACS_KEY}`;
const DEAD_STORAGE = `TableEndpoint=https://127.0.0.1:1/acct;QueueEndpoint=https://127.0.0.1:1/acct;SharedAccessSignature=sv=2022-11-02&ss=qt&srt=sco&sp=rwdlacup&sig=${STORAGE_SIG}`;

/** Everything an invocation left behind: log lines, and the error it threw (message, stack, every property). */
const seen: string[] = [];
const record = (v: unknown) => seen.push(typeof v === 'string' ? v : inspect(v, { depth: 8, showHidden: true }));
function context(name: string): InvocationContext {
  return new Context({ invocationId: uniqueName('inv'), functionName: name, logHandler: (_level, ...args) => args.forEach(record) });
}
function assertNoSecret(text: string, where: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} holds a secret (${s.slice(0, 8)}…)`);
}

const saved: Record<string, string | undefined> = {};
function setEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) {
    if (!(k in saved)) saved[k] = process.env[k];
    process.env[k] = v;
  }
}

before(() => {
  setEnv({
    AzureWebJobsStorage: DEAD_STORAGE, ACS_CONNECTION_STRING: ACS_CS, TEAMS_WEBHOOK_URL: TEAMS_URL,
    TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com', TBMON_SCOPE: 'subscriptions:11111111-1111-1111-1111-111111111111',
    AZURE_RESOURCE_MANAGER_ENDPOINT: 'https://127.0.0.1:1', AZURE_LOG_ANALYTICS_ENDPOINT: 'https://127.0.0.1:1/v1', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:1',
    AZURE_CLIENT_ID: '22222222-2222-2222-2222-222222222222', AZURE_TENANT_ID: '33333333-3333-3333-3333-333333333333',
  });
});
after(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('the functions, with storage, ACS, Teams and Azure unreachable: logs, answers and thrown errors hold no secret', async () => {
  // The app's own wiring from these app settings, with test-sized retries (the SDK defaults wait seconds per call).
  const app = () => appEnvironment(process.env, { retry: { maxRetries: 0 } });
  const statusDeps = async () => {
    const reports = reportStore(app());
    await reports.ensureTables();
    return { reports };
  };
  const status = await makeStatusHandler(statusDeps)(new Request({ method: 'GET', url: 'https://func.example/api/status?format=json' }) as HttpRequest, context('status'));
  assert.equal(status.status, 503);
  record(status);

  const check = await makeCheckHandler(checkDepsFromAppSettings)(new Request({ method: 'GET', url: 'https://func.example/api/check?host=ci-1' }) as HttpRequest, context('check'));
  assert.ok((check.status ?? 0) >= 500, `check answered ${check.status}`);
  record(check);

  for (const [name, run] of [
    ['sweep', () => makeSweepHandler(async () => sweepDeps(app()))({ isPastDue: false, scheduleStatus: undefined } as never, context('sweep'))],
    ['evaluate', () => makeEvaluateHandler(() => evaluatePipeline(app()))({ sweepId: 's1', batchKey: 'b0' }, context('evaluate'))],
    ['alert', () => makeAlertHandler(() => alertPipeline(app()))({ sweepId: 's1' }, context('alert'))],
  ] as const) {
    const error = await Promise.resolve().then(run).then(() => undefined, (e: unknown) => e);
    assert.ok(error, `${name} cannot work without storage: it throws for the host to retry`);
    record(error);
  }
  assert.ok(seen.length >= 5);
  assertNoSecret(seen.join('\n'), 'a function log line, answer or error');
});

test('alert with ACS and the Teams webhook unreachable: the run\'s log, result and the outbox rows it leaves hold no secret', async () => {
  const cs = await testStorageConnectionString();
  const settings = loadSettings({ AzureWebJobsStorage: cs, ACS_CONNECTION_STRING: ACS_CS, TEAMS_WEBHOOK_URL: TEAMS_URL, TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com', TBMON_ALERT_FALLBACK_TO: 'ops@contoso.com' }, { requireStorage: true });
  const outbox = new Outbox(new StorageClients(settings.storage!, { retry: TEST_RETRY }).table(uniqueName('outbox')));
  await outbox.ensureTable();
  const h = host('ci-1', ['owner@contoso.com']);
  await outbox.writeNotices([notice(h, 'regression', 'network.tensorboard-port', { sweepId: 's1' })], recipientsOf(settings));
  const lines: string[] = [];
  const deps = alertDepsFromSettings(settings, { outbox, pacingStore: new MemoryPacingStore(), retry: { maxRetries: 0 }, teams: { maxAttempts: 2, retryDelayMs: 1, maxRetryDelayMs: 2 } });
  const result = await runAlerts('s1', { ...deps, log: (l) => lines.push(l) });
  assert.equal(result.errors.length, 2, 'both channels failed');
  const rows: unknown[] = [];
  for await (const e of outbox.table.listEntities()) rows.push(e);
  assert.ok(rows.length === 2 && rows.every((r) => (r as { state: string }).state === 'pending'), 'both rows wait for the next run');
  assertNoSecret(lines.join('\n'), 'an alert log line');
  assertNoSecret(inspect(result, { depth: 8 }), 'the alert result');
  assertNoSecret(JSON.stringify(rows), 'an outbox row');
});

test('the CLI, with Azure unreachable: its output holds no secret', async () => {
  let out = '';
  const code = await main(['hosts', '--format', 'json'], { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, stdoutIsTty: false, stderrIsTty: false, env: process.env });
  assert.equal(code, 3, out);
  assert.match(out, /ResourceGraphFailed|not signed in to Azure/, 'Azure unreachable, or (no credential here) the sign-in that comes first');
  assertNoSecret(out, 'CLI output');
});

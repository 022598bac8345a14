// The fault soak: the whole cycle (sweep → evaluate → alert) on a generated tenant, run twice side by side — once
// against a sandbox whose every API (Resource Graph, ARM, Log Analytics, ACS Email, the Teams webhook) answers a
// seeded share of requests with 503, 429 or a dropped connection, once against a fault-free twin — with tb-evaluate
// messages delivered twice, late (after the next sweep) and unknown ones mixed in. The last sweep runs without
// faults, so the picture each recipient ends with can be compared:
//   missing    a check still failing in the twin at the end that the faulty run never told its recipient; or one the
//              faulty run told failing that the twin saw recover, whose recovery it never told;
//   duplicate  a regression told again with no recovery between (per recipient, host, check), or an email or a Teams
//              card delivered twice unlabelled — a card marked "(resent after an interruption)" is not one;
//   wrongPass  a check the faulty run judged `pass` in a sweep where the twin, on the same tenant, did not;
//   poison     every message the faulty run gave up on, each with its reason.
// test/soak/fault-soak.test.ts runs it small; `npm run bench:soak -- --hosts 200 --sweeps 10` runs it large.
import type { QueueClient } from '@azure/storage-queue';
import { loadSettings, type Settings } from '../../shared/config';
import { processEvaluateMessage, SweepCaches, type EvaluatePipeline } from '../../shared/evaluate-batch';
import type { HostReport } from '../../shared/model';
import { runAlerts, type AlertOutbox } from '../../shared/notify/alert';
import { acsEmailChannel, webhookTeamsChannel } from '../../shared/notify/channels';
import { createEmailClient, createEmailOperationReader } from '../../shared/notify/email';
import { MemoryPacingStore, RequestSpacer } from '../../shared/notify/pacing';
import { RESENT_LINE } from '../../shared/notify/teams';
import { decodeQueueMessage, StorageClients } from '../../shared/storage';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox, type OutboxRow } from '../../shared/state/outbox';
import { ReportStore } from '../../shared/state/reports';
import { SweepLedger } from '../../shared/state/sweeps';
import { runSweep } from '../../shared/sweep';
import { generateTenant } from '../../sandbox/generate';
import type { SandboxApi } from '../../sandbox/server';
import type { FaultRule, Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString, testTable, uniqueName } from './env';
import { azureContextFor, shiftedTenant, startTestSandbox, TEST_RETRY, type RunningSandbox } from './sandbox';

export interface SoakOptions {
  hosts: number;
  sweeps: number;
  seed: number;
  /** Share of requests each API fails (503, 429 or dropped), before the SDKs' retries. */
  faultRate: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  missing: string[];
  duplicate: string[];
  wrongPass: string[];
  poison: { count: number; withoutReason: number; reasons: string[] };
  /** Per API: requests the faulty sandbox answered and how many of them a fault answered. */
  faults: Record<SoakApi, { requests: number; faulted: number }>;
  told: number;
  sweepsFailed: number;
}

const SWEEP_GAP_MS = 15 * 60_000;
type SoakApi = Exclude<SandboxApi, 'ingestion'>;
const APIS: SoakApi[] = ['resourceGraph', 'arm', 'logAnalytics', 'email', 'teams'];
const PATHS: Record<SoakApi, string[]> = {
  resourceGraph: ['/providers/Microsoft.ResourceGraph/resources'], arm: ['/subscriptions/**'], logAnalytics: ['/v1/workspaces/*/query'],
  email: ['/emails:send', '/emails/operations/*'], teams: ['/teams/*'],
};

function faultRules(rate: number): FaultRule[] {
  // Three kinds per API sharing the rate: a 503, a 429 (Retry-After 0) and a dropped connection.
  return APIS.flatMap((api) => PATHS[api].flatMap((path) => [
    { path, status: 503, headers: { 'Retry-After': '0' }, chance: rate / 2 },
    { path, status: 429, headers: { 'Retry-After': '0' }, chance: rate / 4 / (1 - rate / 2) },
    { path, drop: true, chance: rate / 4 / (1 - (3 * rate) / 4) },
  ]));
}

/** From the second sweep on, the first compute instance is in SetupFailed (a regression that stays) and nothing else changes. */
function tenantFor(base: Tenant, sweep: number): Tenant {
  const t = shiftedTenant(base, sweep * SWEEP_GAP_MS);
  if (sweep >= 1) {
    const ci = t.resources.find((r) => r.type.toLowerCase() === 'microsoft.machinelearningservices/workspaces/computes' && (r.properties as { computeType?: string } | undefined)?.computeType === 'ComputeInstance');
    if (ci) ((ci.properties ??= {}).properties as Record<string, unknown>).state = 'SetupFailed';
  }
  return t;
}

interface Twin {
  name: string;
  sandbox: RunningSandbox;
  settings: Settings;
  pipeline: EvaluatePipeline;
  ledger: SweepLedger;
  inventory: HostInventory;
  outbox: Outbox;
  evaluateQueue: QueueClient;
  /** What runAlerts marked sent, in order. */
  told: OutboxRow[];
  poison: string[];
  lastMessages: unknown[];
}

async function makeTwin(name: string, tenant: Tenant, connectionString: string, clock: () => Date): Promise<Twin> {
  const sandbox = await startTestSandbox(tenant);
  const clients = new StorageClients({ kind: 'connectionString', connectionString }, { retry: TEST_RETRY });
  const table = (n: string) => testTable(connectionString, uniqueName(n));
  const settings = loadSettings({
    AZURE_RESOURCE_MANAGER_ENDPOINT: sandbox.armEndpoint, AZURE_LOG_ANALYTICS_ENDPOINT: sandbox.logAnalyticsEndpoint,
    TBMON_ALERT_FALLBACK_TO: 'ml-ops@contoso.com', TEAMS_WEBHOOK_URL: Object.values(sandbox.teamsWebhooks)[0], TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com',
  });
  const ledger = new SweepLedger(table('soaksweeps'), { now: clock });
  const outbox = new Outbox(table('soakoutbox'), { now: clock });
  const reports = new ReportStore(table('soakreports'), table('soakhistory'), { historyDays: 30, now: clock });
  const inventory = new HostInventory(table('soakinventory'));
  const evaluateQueue = clients.queue(uniqueName('soakeval'));
  const alertsQueue = clients.queue(uniqueName('soakalerts'));
  await Promise.all([ledger.ensureTable(), outbox.ensureTable(), reports.ensureTables(), inventory.ensureTable(), alertsQueue.createIfNotExists(), evaluateQueue.createIfNotExists()]);
  const twin: Twin = {
    name, sandbox, settings, ledger, inventory, outbox, evaluateQueue, told: [], poison: [], lastMessages: [],
    pipeline: { settings, azure: azureContextFor(sandbox), ledger, outbox, reports, alertsQueue, poisonQueue: clients.queue(uniqueName('soakpoison')), now: clock, caches: new SweepCaches(), log: () => {} },
  };
  twin.pipeline.log = (l) => { if (/moved to .*-?poison|poison/.test(l)) twin.poison.push(l); };
  return twin;
}

async function takeMessages(q: QueueClient): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await q.receiveMessages({ numberOfMessages: 32 });
    if (!receivedMessageItems.length) return out;
    for (const m of receivedMessageItems) {
      out.push(decodeQueueMessage(m.messageText));
      await q.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

/** One delivery as the host makes it: retried while it throws, poisoned (with the last error) after 5 tries. */
async function deliver(t: Twin, message: unknown): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await processEvaluateMessage(message, t.pipeline);
      return;
    } catch (e) {
      last = (e as Error).message;
    }
  }
  t.poison.push(`maxDequeueCount: ${last}`);
}

async function alertRun(t: Twin, sweepId: string): Promise<void> {
  const counter = t.pipeline.azure.counter;
  const acs = { acsConnectionString: t.sandbox.acsConnectionString, acsEndpoint: null };
  const emailDeps = { caCert: t.sandbox.caCert, retry: TEST_RETRY, counter };
  const client = createEmailClient(acs, emailDeps);
  const outbox: AlertOutbox = {
    listPending: (p) => t.outbox.listPending(p),
    claimMany: (rows, claimant, options) => t.outbox.claimMany(rows, claimant, options),
    markSentMany: async (rows) => {
      const r = await t.outbox.markSentMany(rows);
      const lost = new Set(r.failures.map((f) => f.row));
      t.told.push(...rows.filter((row) => !lost.has(row)).map((row) => ({ ...row })));
      return r;
    },
    release: (row, reason, maybe) => t.outbox.release(row, reason, maybe),
  };
  await runAlerts(sweepId, {
    outbox,
    email: client ? acsEmailChannel(client, 'tbmon@contoso.com', { updateIntervalInMs: 10 }, createEmailOperationReader(acs, emailDeps) ?? undefined) : null,
    teams: webhookTeamsChannel({ 'teams:default': Object.values(t.sandbox.teamsWebhooks)[0] }, { caCert: t.sandbox.caCert, retryDelayMs: 1, maxRetryDelayMs: 5, maxAttempts: 5, spacer: new RequestSpacer(1000), counter }),
    pacing: { limits: { perMinute: 10_000, perHour: 100_000 }, store: new MemoryPacingStore() },
  });
}

async function latest(t: Twin): Promise<Map<string, { sweepId: string; report: HostReport }>> {
  const out = new Map<string, { sweepId: string; report: HostReport }>();
  for await (const l of t.pipeline.reports.listLatest()) out.set(l.report.host.id.toLowerCase(), { sweepId: l.sweepId, report: l.report });
  return out;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => {});
  const base = generateTenant({ subscriptions: 2, mlWorkspaces: Math.max(2, Math.ceil(o.hosts / 15)), hosts: o.hosts, logAnalyticsWorkspaces: 2, seed: o.seed });
  base.teams = { channels: ['ml-alerts'] };
  const connectionString = await testStorageConnectionString();
  let clock = new Date(base.now);
  const now = () => clock;
  const faulty = await makeTwin('faulty', { ...structuredClone(base), faults: faultRules(o.faultRate), faultSeed: o.seed }, connectionString, now);
  const twin = await makeTwin('twin', structuredClone(base), connectionString, now);
  const result: SoakResult = { missing: [], duplicate: [], wrongPass: [], poison: { count: 0, withoutReason: 0, reasons: [] }, faults: Object.fromEntries(APIS.map((a) => [a, { requests: 0, faulted: 0 }])) as SoakResult['faults'], told: 0, sweepsFailed: 0 };
  const tally = () => {
    for (const r of faulty.sandbox.requests()) {
      if (r.api === 'ingestion') continue;
      result.faults[r.api].requests++;
      if (r.fault) result.faults[r.api].faulted++;
    }
    faulty.sandbox.clearRequests();
  };
  try {
    for (let sweep = 0; sweep < o.sweeps; sweep++) {
      clock = new Date(Date.parse(base.now) + sweep * SWEEP_GAP_MS);
      const last = sweep === o.sweeps - 1;
      const t = tenantFor(base, sweep);
      twin.sandbox.setTenant(t);
      // The last sweep meets no fault, so the ends of both runs can be compared.
      faulty.sandbox.setTenant(last ? t : { ...t, faults: faultRules(o.faultRate), faultSeed: o.seed + sweep });
      const sweepIds: Record<string, string> = {};
      for (const x of [twin, faulty]) {
        try {
          const s = await runSweep({ azure: x.pipeline.azure, settings: x.settings, ledger: x.ledger, inventory: x.inventory, outbox: x.outbox, evaluateQueue: x.evaluateQueue, alertsQueue: x.pipeline.alertsQueue, now, log: () => {} });
          sweepIds[x.name] = s.sweepId;
        } catch (e) {
          if (x === twin) throw e;
          result.sweepsFailed++;
          log(`soak: faulty sweep ${sweep} failed: ${(e as Error).message}`);
        }
        const messages = await takeMessages(x.evaluateQueue);
        for (const m of messages) await deliver(x, m);
        if (x === faulty) {
          // Redelivered, late (the previous sweep's, after this one evaluated its hosts) and unknown messages.
          for (const m of messages.filter((_, i) => i % 2 === 0)) await deliver(x, m);
          for (const m of x.lastMessages) await deliver(x, m);
          await deliver(x, { sweepId: `${sweepIds[x.name] ?? 'none'}-x`, batchKey: 'b99999-none' });
          await deliver(x, { hello: 'not a claim check' });
        }
        x.lastMessages = messages;
        if (sweepIds[x.name]) await alertRun(x, sweepIds[x.name]);
      }
      // Same tenant, same clock: a pass the twin did not give is a pass from missing evidence.
      const [a, b] = await Promise.all([latest(twin), latest(faulty)]);
      for (const [id, f] of b) {
        if (f.sweepId !== sweepIds.faulty) continue;
        const w = a.get(id);
        if (!w || w.sweepId !== sweepIds.twin) continue;
        for (const c of f.report.checks) {
          const wc = w.report.checks.find((x) => x.id === c.id);
          if (c.status === 'pass' && wc && wc.status !== 'pass') result.wrongPass.push(`sweep ${sweep}: ${f.report.host.name} ${c.id} pass, twin ${wc.status}`);
        }
      }
      tally();
      log(`soak: sweep ${sweep + 1}/${o.sweeps} done (${a.size} hosts)`);
    }
    // Held-back or failed sends of the faulty run get their next runs, fault-free.
    for (let i = 0; i < 2; i++) await alertRun(faulty, 'final');
    tally();

    // What each recipient was told, per host and check, in order.
    const sequences = (rows: OutboxRow[]) => {
      const m = new Map<string, { kind: string; to: string }[]>();
      for (const r of [...rows].sort((x, y) => x.notice.observedAt.localeCompare(y.notice.observedAt))) {
        if (r.notice.kind !== 'regression' && r.notice.kind !== 'recovery') continue;
        const k = `${r.recipient} ${r.notice.host.name} ${r.notice.checkId}`;
        m.set(k, [...(m.get(k) ?? []), { kind: r.notice.kind, to: String(r.notice.to) }]);
      }
      return m;
    };
    const tw = sequences(twin.told);
    const fa = sequences(faulty.told);
    for (const [k, seq] of fa) {
      for (let i = 1; i < seq.length; i++) if (seq[i].kind === 'regression' && seq[i - 1].kind === 'regression' && seq[i].to === seq[i - 1].to) result.duplicate.push(`${k}: ${seq[i].kind} to ${seq[i].to} told again`);
    }
    for (const [k, seq] of tw) {
      const end = seq[seq.length - 1];
      const f = fa.get(k) ?? [];
      if (end.kind === 'regression' && end.to === 'fail' && !f.some((x) => x.kind === 'regression' && x.to === 'fail')) result.missing.push(`${k}: failing, never told`);
      if (end.kind === 'recovery' && f.length && f[f.length - 1].kind !== 'recovery') result.missing.push(`${k}: recovered, recovery never told`);
    }
    // The same email or an unlabelled identical card delivered twice.
    const out = faulty.sandbox.outbox();
    const seen = new Set<string>();
    for (const e of out.emails) {
      const key = `${e.to.join(',')}\n${e.subject}\n${e.html ?? e.plainText ?? ''}`;
      if (seen.has(key)) result.duplicate.push(`email to ${e.to.join(',')} "${e.subject}" delivered twice`);
      seen.add(key);
    }
    for (const c of out.teams) {
      const body = JSON.stringify(c);
      if (body.includes(RESENT_LINE)) continue;
      if (seen.has(body)) result.duplicate.push('a Teams card delivered twice unlabelled');
      seen.add(body);
    }
    result.told = faulty.told.length;
    result.poison = { count: faulty.poison.length, withoutReason: faulty.poison.filter((p) => !/: \S/.test(p)).length, reasons: faulty.poison };
    return result;
  } finally {
    await Promise.all([faulty.sandbox.close(), twin.sandbox.close()]);
  }
}

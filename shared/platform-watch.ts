// The sweep's look at tbmon itself (shared/platform.ts has the rules): the sweeps before it, the subscriptions it
// could and could not read, the poison queues. Raised and cleared conditions become platform notices for the
// platform team (TBMON_ALERT_FALLBACK_TO and the Teams channel), written before the conditions themselves so a crash
// between the two repeats an insert that already exists rather than losing a notice. A failure here is logged and
// never fails the sweep: watching must not stop the work it watches.
import type { QueueClient } from '@azure/storage-queue';
import type { Settings } from './config';
import { type RunError, canonicalId } from './model';
import { TEAMS_RECIPIENT } from './notices';
import { stepPoison, stepSubscriptions, stepSweepCondition, type PlatformNotice, type StepResult } from './platform';
import { isNotFound } from './storage';
import type { PlatformStore } from './state/platform';
import type { SweepLedger, SweepRecord } from './state/sweeps';

export interface PlatformWatchDeps {
  store: PlatformStore;
  ledger: Pick<SweepLedger, 'listSweeps'>;
  poisonQueues: readonly QueueClient[];
  settings: Pick<Settings, 'alertFallbackTo' | 'teamsWebhookUrl'>;
  stalledAfterMs: number;
  log: (line: string) => void;
}

/** Who hears about tbmon itself: the fallback list and the Teams channel. */
export function platformRecipients(settings: Pick<Settings, 'alertFallbackTo' | 'teamsWebhookUrl'>): string[] {
  return [...new Set(settings.alertFallbackTo.map((a) => a.toLowerCase())), ...(settings.teamsWebhookUrl ? [TEAMS_RECIPIENT] : [])];
}

export interface SweepObservation {
  sweepId: string;
  now: Date;
  /** This sweep's discovery; null when it failed as a whole (then `failed` is its record). */
  discovery: { read: readonly string[]; failed: readonly string[]; errors: readonly RunError[] } | null;
  failed?: SweepRecord;
}

async function poisonLook(queues: readonly QueueClient[]): Promise<{ queue: string; count: number; ids: string[] }[]> {
  return Promise.all(queues.map(async (q) => {
    try {
      const count = (await q.getProperties()).approximateMessagesCount ?? 0;
      const ids = count ? (await q.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageId) : [];
      return { queue: q.name, count, ids };
    } catch (e) {
      if (isNotFound(e)) return { queue: q.name, count: 0, ids: [] };
      throw e;
    }
  }));
}

/** Observes, writes the notices due and updates the conditions; returns the notices written (for logs and tests). */
export async function watchPlatform(deps: PlatformWatchDeps, obs: SweepObservation): Promise<PlatformNotice[]> {
  try {
    return await watch(deps, obs);
  } catch (e) {
    deps.log(`sweep ${obs.sweepId}: the platform watch failed (tried again next sweep): ${(e as Error).message}`);
    return [];
  }
}

async function watch(deps: PlatformWatchDeps, obs: SweepObservation): Promise<PlatformNotice[]> {
  const { store } = deps;
  await store.ensureTable();
  const at = { sweepId: obs.sweepId, observedAt: obs.now.toISOString(), now: obs.now };
  const conditions = await store.conditions();
  const earlier = (await deps.ledger.listSweeps(new Date(obs.now.getTime() - 2 * 86_400_000))).filter((s) => s.sweepId !== obs.sweepId);
  const steps: StepResult[] = [stepSweepCondition(obs.failed ? [obs.failed, ...earlier] : earlier, conditions.get('sweep') ?? null, at, deps.stalledAfterMs, obs.discovery !== null)];

  let subscriptionWrites: (() => Promise<void>) | null = null;
  if (obs.discovery) {
    const d = obs.discovery;
    const [streaks, readable] = await Promise.all([store.streaks(), store.memory('readable')]);
    const reasons = new Map<string, string>();
    for (const e of d.errors) reasons.set(canonicalId(e.scope), `${e.code}: ${e.message}`.slice(0, 300));
    const sub = stepSubscriptions(streaks, readable, { read: d.read, failed: d.failed, errors: reasons }, at);
    steps.push(sub.result);
    subscriptionWrites = async () => {
      for (const s of sub.streaks) await store.putStreak(s);
      for (const id of sub.removed) await store.removeStreak(id);
      const grown = new Set([...readable, ...d.read]);
      if (grown.size !== readable.size) await store.putMemory('readable', grown);
    };
  }

  const look = await poisonLook(deps.poisonQueues);
  const seen = await store.memory('poison-seen');
  steps.push(stepPoison(look, seen, conditions.get('poison') ?? null, at));

  const notices = steps.flatMap((s) => s.notices);
  if (notices.length) {
    const recipients = platformRecipients(deps.settings);
    if (recipients.length) await store.writeNotices(notices, recipients);
    else for (const n of notices) deps.log(`sweep ${obs.sweepId}: platform notice with no recipient (set TBMON_ALERT_FALLBACK_TO or TEAMS_WEBHOOK_URL): ${n.title}`);
    for (const n of notices) deps.log(`sweep ${obs.sweepId}: platform ${n.state}: ${n.title}`);
  }
  for (const s of steps) {
    for (const c of s.raise) await store.raise(c);
    for (const k of s.clear) await store.clear(k);
  }
  await subscriptionWrites?.();
  const ids = look.flatMap((q) => q.ids);
  if (ids.length || seen.size) await store.putMemory('poison-seen', ids);
  return notices;
}

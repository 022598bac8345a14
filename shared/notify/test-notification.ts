// A test notification (`tbmon notify --test RECIPIENT`, POST /api/notify-test): a sample digest — one made-up host
// with one failing check, rendered by the same email and card renderers as a real digest — sent through the channels
// the settings configure, so a deploy can be verified end to end (ACS sender domain, managed identity role, Teams
// webhook). Nothing is written to the outbox; the subject says it is a test.
import { randomUUID } from 'node:crypto';
import type { Settings } from '../config';
import { ALL_CHECKS } from '../checks/registry';
import type { CheckResult, HostRecord } from '../model';
import { hostOf } from '../model';
import type { Notice } from '../notices';
import { TEAMS_RECIPIENT } from '../notices';
import type { EmailChannel, TeamsChannel } from './alert';
import { buildDigest } from './digest';
import { renderEmail, type RenderOptions } from './email';
import { maskAddress } from './alert';
import { renderTeamsCard, type CardOptions } from './teams';

export const TEST_SUBJECT_PREFIX = '[tbmon test] ';
const SAMPLE_CHECK = 'network.tensorboard-port';

/** The made-up host of a test digest: names that say so, ids that point nowhere real. */
export function sampleHost(owner: string | null): HostRecord {
  const sub = '00000000-0000-0000-0000-000000000000';
  return {
    id: `/subscriptions/${sub}/resourceGroups/tbmon-test/providers/Microsoft.MachineLearningServices/workspaces/tbmon-test/computes/tbmon-test-host`,
    name: 'tbmon-test-host', kind: 'compute-instance', subscriptionId: sub, resourceGroup: 'tbmon-test', workspace: 'tbmon-test',
    location: 'eastus2', port: 6006, publishedPort: 6006, owners: owner ? [owner] : [], logAnalyticsWorkspaceId: null, tags: {},
    facts: {
      vmSize: 'Standard_D4s_v3', state: 'Running', provisioningState: 'Succeeded', errors: null, lastOperation: null, enableNodePublicIp: true,
      subnetId: `/subscriptions/${sub}/resourceGroups/tbmon-test/providers/Microsoft.Network/virtualNetworks/vnet-test/subnets/default`,
      nicIds: [], computerName: 'tbmon-test-host', workspaceId: null, customApplication: false,
    },
  };
}

/** The sample notices: the sample check failing on the sample host, as the check's own example outcome words it. */
export function sampleNotices(settings: Settings, owner: string | null, now: Date): Notice[] {
  const host = sampleHost(owner);
  const def = ALL_CHECKS.find((c) => c.id === SAMPLE_CHECK);
  const outcome = def?.examples(host, settings).fail?.[0];
  const check: CheckResult = def && outcome
    ? { id: def.id, class: def.class, severity: def.severity, ...outcome }
    : { id: SAMPLE_CHECK, class: 'network', severity: 'high', status: 'fail', summary: 'Inbound TCP 6006 from VirtualNetwork is denied (a sample)' };
  const sweepId = `test-${now.toISOString().replace(/[-:.]/g, '')}`;
  return [{ id: randomUUID().replace(/-/g, ''), kind: 'regression', sweepId, host: hostOf(host), checkId: check.id, from: 'pass', to: 'fail', check, observedAt: now.toISOString() }];
}

export interface TestNotificationDeps {
  settings: Settings;
  email: EmailChannel | null;
  teams: TeamsChannel | null;
  render?: RenderOptions & CardOptions;
  now?: Date;
}

export interface ChannelTry {
  channel: 'email' | 'teams';
  /** Masked address or the Teams channel. */
  to: string;
  ok: boolean;
  /** What happened, in words (no secret). */
  detail: string;
}

/**
 * Sends the sample digest: an email to `recipient` when it is an address (`teams` for Teams only), and a card to the
 * Teams channel when TEAMS_WEBHOOK_URL is set. A channel that is not configured is reported as such (not ok).
 */
export async function sendTestNotification(recipient: string, deps: TestNotificationDeps): Promise<ChannelTry[]> {
  const now = deps.now ?? new Date();
  const teamsOnly = recipient === 'teams';
  const tries: ChannelTry[] = [];
  if (!teamsOnly) {
    const notices = sampleNotices(deps.settings, recipient, now);
    const digest = buildDigest(recipient, notices[0].sweepId, notices);
    if (!deps.email) {
      tries.push({ channel: 'email', to: maskAddress(recipient), ok: false, detail: 'email is not configured: set ACS_ENDPOINT (or ACS_CONNECTION_STRING) and TBMON_ALERT_EMAIL_FROM' });
    } else {
      const rendered = renderEmail(digest, deps.render);
      try {
        const sent = await deps.email.send(recipient, { ...rendered, subject: `${TEST_SUBJECT_PREFIX}${rendered.subject}` }, randomUUID());
        tries.push({ channel: 'email', to: maskAddress(recipient), ok: true, detail: `accepted by ACS (operation ${sent.operationId}, status ${sent.status})` });
      } catch (e) {
        tries.push({ channel: 'email', to: maskAddress(recipient), ok: false, detail: (e as Error).message });
      }
    }
  }
  if (deps.teams?.hasChannel(TEAMS_RECIPIENT)) {
    const notices = sampleNotices(deps.settings, null, now);
    const card = renderTeamsCard(buildDigest(TEAMS_RECIPIENT, notices[0].sweepId, notices), deps.render);
    const body = card.envelope.attachments[0].content.body as Record<string, unknown>[] | undefined;
    body?.unshift({ type: 'TextBlock', text: `${TEST_SUBJECT_PREFIX}a sample digest: nothing is wrong`, weight: 'Bolder', color: 'Accent', wrap: true });
    try {
      const r = await deps.teams.post(TEAMS_RECIPIENT, card.envelope);
      tries.push({ channel: 'teams', to: TEAMS_RECIPIENT, ok: true, detail: `accepted by the webhook (HTTP ${r.status})` });
    } catch (e) {
      tries.push({ channel: 'teams', to: TEAMS_RECIPIENT, ok: false, detail: (e as Error).message });
    }
  } else if (teamsOnly) {
    tries.push({ channel: 'teams', to: TEAMS_RECIPIENT, ok: false, detail: 'Teams is not configured: set TEAMS_WEBHOOK_URL' });
  }
  return tries;
}

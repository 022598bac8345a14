// The real channels behind runAlerts: ACS email from the settings, the Teams webhook(s), the pacing store.
import type { EmailClient } from '@azure/communication-email';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { RequestCounter } from '../azure';
import type { Settings } from '../config';
import { TEAMS_RECIPIENT } from '../notices';
import type { AlertDeps, AlertOutbox, EmailChannel, TeamsChannel } from './alert';
import { createEmailClient, createEmailOperationReader, sendEmail, type EmailOperationState } from './email';
import type { PacingStore } from './pacing';
import { postTeamsCard, type TeamsPostOptions } from './teams';

export function acsEmailChannel(
  client: EmailClient,
  from: string,
  opts: { updateIntervalInMs?: number; waitForCompletion?: boolean } = {},
  lookup?: (operationId: string) => Promise<EmailOperationState>,
): EmailChannel {
  return { send: (to, rendered, operationId) => sendEmail(client, from, to, rendered, operationId, opts), ...(lookup ? { lookup } : {}) };
}

/**
 * Teams webhooks by outbox partition. Today one channel: `teams:default` → TEAMS_WEBHOOK_URL. The URLs stay inside
 * this closure: nothing here logs or returns them.
 */
export function webhookTeamsChannel(webhooks: Record<string, string>, opts: TeamsPostOptions = {}): TeamsChannel {
  const urls = new Map(Object.entries(webhooks));
  return {
    hasChannel: (partition) => urls.has(partition),
    post: (partition, envelope) => {
      const url = urls.get(partition);
      if (!url) throw new Error(`no Teams webhook for ${partition}`);
      return postTeamsCard(url, envelope, opts);
    },
  };
}

export function defaultTeamsWebhooks(teamsWebhookUrl: string | null): Record<string, string> {
  return teamsWebhookUrl ? { [TEAMS_RECIPIENT]: teamsWebhookUrl } : {};
}

export interface ChannelWiring {
  /** Managed identity for ACS_ENDPOINT. */
  credential?: TokenCredential;
  /** The sandbox's CA (tests, demo); Azure needs none. */
  caCert?: string;
  retry?: PipelineRetryOptions;
  counter?: RequestCounter;
  teams?: Omit<TeamsPostOptions, 'caCert' | 'counter'>;
  email?: { updateIntervalInMs?: number; waitForCompletion?: boolean };
}

export interface AlertWiring extends ChannelWiring {
  outbox: AlertOutbox;
  pacingStore: PacingStore;
  tenantId?: string | null;
}

/** The channels the settings configure: email when ACS (endpoint or connection string) and a sender are set, Teams when a webhook is. */
export function channelsFromSettings(settings: Settings, w: ChannelWiring): { email: EmailChannel | null; teams: TeamsChannel | null } {
  const emailDeps = { credential: w.credential, caCert: w.caCert, retry: w.retry, counter: w.counter };
  const client = settings.alertEmailFrom ? createEmailClient(settings, emailDeps) : null;
  const lookup = client ? createEmailOperationReader(settings, emailDeps) ?? undefined : undefined;
  const hooks = defaultTeamsWebhooks(settings.teamsWebhookUrl);
  return {
    email: client && settings.alertEmailFrom ? acsEmailChannel(client, settings.alertEmailFrom, w.email, lookup) : null,
    teams: Object.keys(hooks).length ? webhookTeamsChannel(hooks, { ...w.teams, caCert: w.caCert, counter: w.counter }) : null,
  };
}

/**
 * runAlerts' dependencies from the settings: email when ACS (endpoint or connection string) and a sender address
 * are set, Teams when a webhook is, pacing from TBMON_EMAIL_PER_MINUTE / TBMON_EMAIL_PER_HOUR.
 */
export function alertDepsFromSettings(settings: Settings, w: AlertWiring): Omit<AlertDeps, 'log'> {
  return {
    outbox: w.outbox,
    ...channelsFromSettings(settings, w),
    pacing: { limits: { perMinute: settings.emailPerMinute, perHour: settings.emailPerHour }, store: w.pacingStore },
    render: { tenantId: w.tenantId ?? null, statusUrl: settings.statusUrl },
  };
}

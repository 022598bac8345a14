// The real channels behind runAlerts: ACS email from the settings, the Teams webhook(s), the pacing store.
import type { EmailClient } from '@azure/communication-email';
import type { TeamsChannel, EmailChannel } from './alert';
import { sendEmail } from './email';
import { TEAMS_RECIPIENT } from '../notices';
import { postTeamsCard, type TeamsPostOptions } from './teams';

export function acsEmailChannel(client: EmailClient, from: string, opts: { updateIntervalInMs?: number } = {}): EmailChannel {
  return { send: (to, rendered, operationId) => sendEmail(client, from, to, rendered, operationId, opts) };
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

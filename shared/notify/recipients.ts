// Who hears about a host (DESIGN.md § Host kinds, issue 8): the owners discovery resolved (discovery/owners.ts),
// validated again, else the fallback list; plus the Teams channel when a webhook is set.
import type { Settings } from '../config';
import { validAddresses } from '../discovery/owners';
import type { Host } from '../model';
import { TEAMS_RECIPIENT, type Notice } from '../notices';

export type NotifyLog = (message: string) => void;

/**
 * The email recipients of a host's notices: its owners when any is a valid address, else TBMON_ALERT_FALLBACK_TO.
 * Empty when there is neither (the notice then goes to Teams only, if configured).
 */
export function recipientsFor(host: Pick<Host, 'name' | 'owners'>, settings: Pick<Settings, 'alertFallbackTo'>, log: NotifyLog = () => {}): string[] {
  const owners = validAddresses(host.owners, `host ${host.name}`, log);
  if (owners.length) return owners;
  return validAddresses(settings.alertFallbackTo, 'TBMON_ALERT_FALLBACK_TO', log);
}

/**
 * Who hears about a notice: the host's owners (resolved by discovery; validated and lower-cased again here), else
 * `TBMON_ALERT_FALLBACK_TO`; plus the Teams channel `teams:default` when a webhook is set. The outbox writes one row
 * per recipient this returns.
 */
export function recipientsOf(settings: Pick<Settings, 'alertFallbackTo' | 'teamsWebhookUrl'> & Partial<Pick<Settings, 'unresolvedSecrets'>>, log?: NotifyLog): (notice: Notice) => string[] {
  // A webhook whose Key Vault reference is not resolved yet still addresses the channel: its cards wait in the outbox
  // (the alert run leaves rows without a webhook pending) instead of being lost.
  const teams = !!settings.teamsWebhookUrl || !!settings.unresolvedSecrets?.some((u) => u.setting === 'TEAMS_WEBHOOK_URL');
  return (notice) => {
    const to = recipientsFor(notice.host, settings, log);
    if (teams) to.push(TEAMS_RECIPIENT);
    return to;
  };
}

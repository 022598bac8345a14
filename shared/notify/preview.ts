// Everything a sweep's notices would send, rendered and nothing sent: for `npm run demo` to save for people to look
// at, and for anyone checking what an owner would receive.
import type { Settings } from '../config';
import type { Notice } from '../notices';
import { buildDigest, type Digest } from './digest';
import { renderEmail, type RenderedEmail, type RenderOptions } from './email';
import { recipientsFor, type NotifyLog } from './recipients';
import { renderTeamsCard, type CardOptions, type RenderedCard } from './teams';

export interface NotificationPreview {
  /** One per recipient, in address order. */
  emails: { to: string; digest: Digest; email: RenderedEmail }[];
  /** The channel card (rendered whether or not a webhook is configured); null when there are no notices. */
  teams: RenderedCard | null;
}

export function previewNotifications(
  sweepId: string,
  notices: readonly Notice[],
  settings: Pick<Settings, 'alertFallbackTo'>,
  opts: RenderOptions & CardOptions = {},
  log?: NotifyLog,
): NotificationPreview {
  const byRecipient = new Map<string, Notice[]>();
  for (const n of notices) {
    for (const to of recipientsFor(n.host, settings, log)) {
      const list = byRecipient.get(to);
      if (list) list.push(n);
      else byRecipient.set(to, [n]);
    }
  }
  const emails = [...byRecipient.keys()].sort().map((to) => {
    const digest = buildDigest(to, sweepId, byRecipient.get(to) as Notice[]);
    return { to, digest, email: renderEmail(digest, opts) };
  });
  const teams = notices.length ? renderTeamsCard(buildDigest('teams:default', sweepId, notices), opts) : null;
  return { emails, teams };
}

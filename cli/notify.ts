// `tbmon notify --test RECIPIENT` — sends a sample digest through the channels the settings configure (ACS email to
// RECIPIENT, a card to TEAMS_WEBHOOK_URL; RECIPIENT `teams` for Teams only), so a deploy can be verified end to end.
// The settings come from the environment, as for every command; `--sandbox-ca FILE` trusts a local sandbox's CA.
import { readFileSync } from 'node:fs';
import { ConfigError, isEmailAddress, loadSettings } from '../shared/config';
import { channelsFromSettings } from '../shared/notify/channels';
import { sendTestNotification } from '../shared/notify/test-notification';
import { credentialFor } from '../shared/runtime';
import { subcommandUsage, type SubcommandIo } from './args';

export const NOTIFY_USAGE = '  tbmon notify --test <email address | teams> [--sandbox-ca FILE]';

function usage(io: SubcommandIo, message: string): number {
  return subcommandUsage(io, 'notify', NOTIFY_USAGE, message);
}

export async function runNotify(argv: readonly string[], io: SubcommandIo): Promise<number> {
  let recipient: string | undefined;
  let caFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? undefined)) || (usage(io, `${name} needs a value`), undefined);
    if (a === '--test' || a.startsWith('--test=')) {
      if (recipient !== undefined) return usage(io, '--test given twice');
      recipient = value('--test');
      if (recipient === undefined) return 2;
    } else if (a === '--sandbox-ca' || a.startsWith('--sandbox-ca=')) {
      caFile = value('--sandbox-ca');
      if (caFile === undefined) return 2;
    } else return usage(io, a.startsWith('-') ? `unknown option ${a}` : `unexpected argument "${a}" (the recipient goes after --test)`);
  }
  if (recipient === undefined) return usage(io, 'say where to send the test: --test <email address> (or --test teams)');
  if (recipient !== 'teams' && !isEmailAddress(recipient)) return usage(io, `--test ${JSON.stringify(recipient)} is not an email address (or "teams")`);

  let caCert: string | undefined;
  try {
    caCert = caFile ? readFileSync(caFile, 'utf8') : undefined;
  } catch (e) {
    return usage(io, `--sandbox-ca ${caFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let settings;
  try {
    settings = loadSettings(io.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`tbmon notify: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const credential = settings.acsEndpoint ? credentialFor(settings, { clientId: io.env.AZURE_CLIENT_ID?.trim() || undefined }) : undefined;
  const { email, teams } = channelsFromSettings(settings, { credential, caCert });
  if (!email && !teams) {
    io.stderr('tbmon notify: no channel is configured: set ACS_ENDPOINT (or ACS_CONNECTION_STRING) with TBMON_ALERT_EMAIL_FROM, and/or TEAMS_WEBHOOK_URL\n');
    return 2;
  }
  const tries = await sendTestNotification(recipient.toLowerCase(), { settings, email, teams });
  for (const t of tries) (t.ok ? io.stdout : io.stderr)(`${t.ok ? 'sent' : 'NOT sent'}: ${t.channel} to ${t.to}: ${t.detail}\n`);
  return tries.every((t) => t.ok) ? 0 : 3;
}

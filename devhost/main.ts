// `npm start` when Core Tools (`func`) is absent: runs every function in functions/ under the dev host.
//
// Settings come from the environment, then from local.settings.json `Values` for names the environment leaves
// unset (copy local.settings.sample.json). When AzureWebJobsStorage is `UseDevelopmentStorage=true` the dev host
// uses the Azurite already listening on 127.0.0.1:10001 (queue) / 10002 (table), or starts one on 10000–10002.
//
//   npm start -- [--port 7071] [--key KEY] [--functions DIR]
//     --port       HTTP port on 127.0.0.1 (0: any free port); also TBMON_DEVHOST_PORT
//     --key        host key for authLevel function (generated and printed when absent); also TBMON_DEVHOST_KEY
//     --functions  folder of function modules (default functions/)
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, loadSettings } from '../shared/config';
import { startAzurite, type RunningAzurite } from './azurite';
import { startDevHost } from './host';
import { stderrLog } from './invocation';
import { loadRegistrations } from './load';

const root = path.join(__dirname, '..');

function localSettings(): Record<string, string> {
  const file = path.join(root, 'local.settings.json');
  if (!fs.existsSync(file)) return {};
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json.Values ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

let azurite: RunningAzurite | undefined;

async function main(): Promise<void> {
  for (const [k, v] of Object.entries(localSettings())) if (process.env[k] === undefined || process.env[k] === '') process.env[k] = v;
  let settings;
  try {
    settings = loadSettings(process.env, { requireStorage: true });
  } catch (e) {
    if (e instanceof ConfigError) {
      stderrLog(e.message);
      process.exit(2);
    }
    throw e;
  }

  const storage = settings.storage;
  if (storage?.kind === 'connectionString' && /^\s*UseDevelopmentStorage=true/i.test(storage.connectionString)) {
    if (await portAccepts(10001)) {
      stderrLog('[devhost] using the Azurite already listening on 127.0.0.1:10001');
    } else {
      azurite = await startAzurite({ blobPort: 10000, queuePort: 10001, tablePort: 10002 });
      stderrLog(`[devhost] started Azurite (pid ${azurite.pid}) on 127.0.0.1:10000-10002, in memory`);
    }
  }

  const functionsDir = arg('--functions');
  const registrations = loadRegistrations(functionsDir ? path.resolve(functionsDir) : undefined);
  const port = Number(arg('--port') ?? process.env.TBMON_DEVHOST_PORT ?? 7071);
  const hostKey = arg('--key') ?? process.env.TBMON_DEVHOST_KEY;
  const host = await startDevHost({
    registrations,
    storage: storage ?? undefined,
    http: { port, keys: hostKey ? { hostKey } : undefined },
  });
  stderrLog(`[devhost] ${registrations.length} function(s): ${registrations.map((r) => `${r.name} (${r.trigger.type})`).join(', ') || 'none'}`);
  if (host.httpUrl) {
    for (const r of registrations) if (r.trigger.type === 'http') stderrLog(`[devhost]   ${r.trigger.methods.join(',')} ${host.httpUrl}/api/${r.trigger.route ?? r.name} (${r.trigger.authLevel})`);
    if (!hostKey) stderrLog(`[devhost] host key for authLevel function (x-functions-key header or ?code=): ${host.keys?.hostKey}`);
  }

  let stopping = false;
  const shutdown = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    stderrLog(`[devhost] ${sig}: stopping`);
    void host.stop().then(() => azurite?.stop()).finally(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch(async (e: unknown) => {
  stderrLog(`[devhost] could not start: ${e instanceof Error ? e.message : String(e)}`);
  await azurite?.stop();
  process.exit(1);
});

// Starts Azurite (the real storage emulator from npm) on free loopback ports, for tests, the demo and `npm start`.
// In-memory, no telemetry (it would phone an Azure address), no API-version check (the current SDKs are newer than
// Azurite). One process serves blob, queue and table; stop() ends it by PID.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  queuePort?: number;
  tablePort?: number;
  blobPort?: number;
  /** How long to wait for all three ports to accept connections. */
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  connectionString: string;
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export function azuriteConnectionString(ports: { blobPort: number; queuePort: number; tablePort: number }): string {
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};`
    + `BlobEndpoint=http://${HOST}:${ports.blobPort}/${DEV_ACCOUNT};`
    + `QueueEndpoint=http://${HOST}:${ports.queuePort}/${DEV_ACCOUNT};`
    + `TableEndpoint=http://${HOST}:${ports.tablePort}/${DEV_ACCOUNT};`;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const blobPort = options.blobPort ?? await freePort();
  const queuePort = options.queuePort ?? await freePort();
  const tablePort = options.tablePort ?? await freePort();
  const entry = path.join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'azurite.js');
  const args = [
    entry, '--silent', '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose',
    '--extentMemoryLimit', '256',
    '--blobHost', HOST, '--queueHost', HOST, '--tableHost', HOST,
    '--blobPort', String(blobPort), '--queuePort', String(queuePort), '--tablePort', String(tablePort),
  ];
  // The loopback guard travels along (Azurite must never reach out either); stdout is noise, stderr kept for errors.
  // From the sources (tsx) it sits at ../scripts; from the build (dist/devhost) at ../../scripts.
  const guard = [path.join(__dirname, '..', 'scripts', 'loopback-guard.cjs'), path.join(__dirname, '..', '..', 'scripts', 'loopback-guard.cjs')].find((p) => fs.existsSync(p));
  const child = spawn(process.execPath, [...(guard ? ['--require', guard] : []), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', (code) => { exited = code; resolve(); }));
  // Keep the caller's process free to exit on its own; stop() (or the process exit hook) ends Azurite.
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  // A loaded 2-core machine (CI) can take tens of seconds to start Node and Azurite's three servers; a healthy start
  // stops waiting at once, so the bound only decides how long a broken one takes to say so.
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`Azurite exited (code ${exited}) before listening: ${stderr.trim() || 'no output'}`);
    const up = await Promise.all([blobPort, queuePort, tablePort].map(accepts));
    if (up.every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite did not listen on ${HOST}:${blobPort}/${queuePort}/${tablePort} within ${timeoutMs} ms: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const pid = child.pid as number;
  let stopping: Promise<void> | undefined;
  return {
    connectionString: azuriteConnectionString({ blobPort, queuePort, tablePort }),
    blobUrl: `http://${HOST}:${blobPort}/${DEV_ACCOUNT}`,
    queueUrl: `http://${HOST}:${queuePort}/${DEV_ACCOUNT}`,
    tableUrl: `http://${HOST}:${tablePort}/${DEV_ACCOUNT}`,
    pid,
    stop() {
      stopping ??= (async () => {
        if (exited !== undefined) return;
        try { process.kill(pid, 'SIGTERM'); } catch { return; }
        const timer = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }, 3000);
        await exitPromise;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

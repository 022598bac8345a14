// bench:scale — tbmon on a generated tenant of N TensorBoard hosts (1,000 subscriptions, one ML workspace per 50
// hosts, 20 Log Analytics workspaces), with the sandbox in a process of its own so every figure is tbmon's alone:
// `tbmon scan` (JSON to a file), `tbmon hosts` (JSON to a file), the sweep function (discovery into ledger batches,
// the inventory reconciled, claim checks enqueued, on Azurite) and the evaluate path over the sweep's batches. For
// each: peak RSS of tbmon's own process, requests per API, wall time, bytes written. Printed, never asserted.
//
//   npm run bench:scale -- --hosts N [--only scan,hosts,sweep] [--evaluate-batches N]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startAzurite } from '../devhost/azurite';
import { appEnvironment, evaluatePipeline, sweepDeps } from '../shared/app';
import { AzureContext, StaticTokenCredential } from '../shared/azure';
import { processEvaluateMessage } from '../shared/evaluate-batch';
import { emptyRequestCounts, type RequestCounts } from '../shared/model';
import { runSweep } from '../shared/sweep';
import { generateTenant } from '../sandbox/generate';

const ROOT = path.resolve(__dirname, '..');
const GUARD = path.join(ROOT, 'scripts', 'loopback-guard.cjs');
const PROBE = path.join(ROOT, 'bench', 'rss-probe.cjs');
const NODE_ARGS = ['--require', GUARD, '--require', PROBE];
const TSX = ['--import', 'tsx'];
// The sweep and evaluate paths run as the Function App's worker does: under its heap limit
// (languageWorkers__node__arguments in infra/app/resources.bicep, from bin/heap.cjs).
const { HEAP_LIMIT_ARG } = require('../bin/heap.cjs') as { HEAP_LIMIT_ARG: string };
const WORKER_ARGS = [...TSX, HEAP_LIMIT_ARG];

interface SandboxInfo {
  baseUrl: string;
  armEndpoint: string;
  logAnalyticsEndpoint: string;
  caCertPath: string;
}

interface Measured {
  label: string;
  exitCode: number | null;
  wallMs: number;
  memory: Memory;
  requests: RequestCounts;
  bytes: number | null;
  note: string;
}

function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout! });
    rl.once('line', (line) => { rl.close(); resolve(line); });
    p.once('exit', (code) => reject(new Error(`process exited (${code}) before printing its result`)));
  });
}

/** What the RSS probe measured: the peak RSS of each process (summed: the bin and the CLI it runs under its heap limit). */
interface Memory {
  peakRssMb: number;
  /** Peak anonymous RSS, summed: RSS without the mapped node binary (see bench/rss-probe.cjs). */
  peakAnonMb: number;
  peakHeapMb: number;
  processes: number;
  /** Each process's own line (bench/rss-probe.cjs): peak RSS and the peaks of V8's heap spaces and external memory. */
  perProcess: ProbeLine[];
}

interface ProbeLine {
  peakRssKb: number;
  /** Peak anonymous and file-backed RSS (/proc/self/status; absent off Linux). */
  peakRssAnonMb?: number;
  peakRssFileMb?: number;
  peakHeapMb: number;
  peakHeapTotalMb: number;
  peakExternalMb: number;
  peakArrayBuffersMb: number;
  peakSpacesMb: Record<string, number>;
}

/** One process's memory in a line: peak RSS, then what V8 committed (per space) and external memory, in MB. */
function fmtProbe(l: ProbeLine): string {
  const s = l.peakSpacesMb;
  return `RSS ${Math.round(l.peakRssKb / 1024)} (anon ${l.peakRssAnonMb ?? '?'}, file ${l.peakRssFileMb ?? '?'}), heap used ${l.peakHeapMb} / committed ${l.peakHeapTotalMb} (new ${s.new ?? 0}, old ${s.old ?? 0}, code ${s.code ?? 0}, large ${s.large_object ?? 0}), external ${l.peakExternalMb} (array buffers ${l.peakArrayBuffersMb})`;
}

/** Runs `args` under node with the RSS probe; resolves with its exit code, wall time, peak RSS and stdout. */
function measure(args: string[], dir: string, label: string, extraNodeArgs: string[] = []): Promise<{ exitCode: number | null; wallMs: number; memory: Memory; stdout: string }> {
  const rssFile = path.join(dir, `${label}.rss`);
  const started = performance.now();
  // The tbmon bin (plain JavaScript) runs the CLI under its heap limit in a process of its own: both are measured.
  const child = spawn(process.execPath, [...NODE_ARGS, ...extraNodeArgs, ...args], { env: { ...process.env, BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = Math.round(performance.now() - started);
      const memory: Memory = { peakRssMb: NaN, peakAnonMb: NaN, peakHeapMb: NaN, processes: 0, perProcess: [] };
      try {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProbeLine);
        memory.perProcess = lines;
        memory.peakRssMb = Math.round(lines.reduce((n, l) => n + l.peakRssKb, 0) / 1024);
        memory.peakAnonMb = lines.reduce((n, l) => n + (l.peakRssAnonMb ?? NaN), 0);
        memory.peakHeapMb = Math.max(...lines.map((l) => l.peakHeapMb));
        memory.processes = lines.length;
      } catch {
        /* the process died before its exit hook */
      }
      resolve({ exitCode: code, wallMs, memory, stdout });
    });
  });
}

/** A sandbox control route (not one of tbmon's requests: the sandbox's log is cleared before each run). */
function controlRoute<T>(info: SandboxInfo, method: 'GET' | 'DELETE', route: string): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const req = request(`${info.baseUrl}${route}`, { method, ca: readFileSync(info.caCertPath, 'utf8') }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text ? JSON.parse(text) as T : null);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function sandboxRequests(info: SandboxInfo): Promise<RequestCounts> {
  const counts = emptyRequestCounts();
  for (const r of (await controlRoute<{ api: keyof RequestCounts }[]>(info, 'GET', '/_sandbox/requests')) ?? []) if (r.api in counts) counts[r.api]++;
  return counts;
}

/** Child: the sweep function, then (a second child) the evaluate path over its batches. */
async function sweepChild(env: Record<string, string>, info: SandboxInfo, outFile: string): Promise<void> {
  const app = appEnvironment(env, { sandbox: { baseUrl: info.baseUrl, caCert: readFileSync(info.caCertPath, 'utf8') }, now: () => new Date(env.BENCH_NOW) });
  const outcome = await runSweep({ ...sweepDeps(app), log: () => {} });
  writeFileSync(outFile, JSON.stringify({ sweepId: outcome.sweepId, batches: outcome.batches.map((b) => b.batchKey) }));
  process.stdout.write(`${JSON.stringify({ hosts: outcome.hosts, batches: outcome.batches.length, errors: outcome.errors.length, requests: outcome.stats.requests })}\n`);
}

async function evaluateChild(env: Record<string, string>, info: SandboxInfo, batchFile: string, limit: number): Promise<void> {
  const app = appEnvironment(env, { sandbox: { baseUrl: info.baseUrl, caCert: readFileSync(info.caCertPath, 'utf8') }, now: () => new Date(env.BENCH_NOW) });
  const pipeline = { ...(await evaluatePipeline(app)), log: () => {} };
  const { sweepId, batches } = JSON.parse(readFileSync(batchFile, 'utf8')) as { sweepId: string; batches: string[] };
  const requests = emptyRequestCounts();
  let hosts = 0;
  let errors = 0;
  for (const batchKey of batches.slice(0, limit)) {
    const out = await processEvaluateMessage({ sweepId, batchKey }, pipeline);
    if (out.kind !== 'evaluated') throw new Error(`batch ${batchKey}: ${out.reason}`);
    hosts += out.hosts;
    errors += out.errors.length;
    for (const [api, n] of Object.entries(out.stats.requests)) requests[api as keyof RequestCounts] += n;
  }
  process.stdout.write(`${JSON.stringify({ hosts, batches: Math.min(limit, batches.length), errors, requests })}\n`);
}

function fmtRequests(r: RequestCounts): string {
  return `Graph ${r.resourceGraph}, ARM ${r.arm}, Log Analytics ${r.logAnalytics}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string' }, only: { type: 'string' }, 'evaluate-batches': { type: 'string' },
      child: { type: 'string' }, info: { type: 'string' }, env: { type: 'string' }, file: { type: 'string' }, limit: { type: 'string' },
    },
  });
  if (values.child === 'sweep') return sweepChild(JSON.parse(values.env!) as Record<string, string>, JSON.parse(values.info!) as SandboxInfo, values.file!);
  if (values.child === 'evaluate') return evaluateChild(JSON.parse(values.env!) as Record<string, string>, JSON.parse(values.info!) as SandboxInfo, values.file!, Number(values.limit));

  const hosts = Number(values.hosts ?? 10_000);
  if (!Number.isInteger(hosts) || hosts < 50) throw new Error(`--hosts must be an integer of at least 50, not "${values.hosts}"`);
  const only = new Set((values.only ?? 'scan,hosts,sweep').split(','));
  const evaluateBatches = values['evaluate-batches'] === undefined ? Infinity : Number(values['evaluate-batches']);
  const mlWorkspaces = Math.max(1, Math.round(hosts / 50));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-bench-scale-'));
  let sandbox: ChildProcess | undefined;
  let azurite: Awaited<ReturnType<typeof startAzurite>> | undefined;
  try {
    const t0 = performance.now();
    const tenant = generateTenant({ subscriptions: 1_000, mlWorkspaces, hosts, logAnalyticsWorkspaces: 20, seed: 17 });
    // Counts, not waits: the Graph quota has a test of its own.
    tenant.resourceGraph = { ...tenant.resourceGraph, quota: { limit: 10_000, windowMs: 5_000 } };
    const tenantFile = path.join(dir, 'tenant.json');
    writeFileSync(tenantFile, JSON.stringify(tenant));
    const now = tenant.now;
    console.log(`tenant: 1,000 subscriptions, ${mlWorkspaces.toLocaleString('en-US')} ML workspaces, 20 Log Analytics workspaces, ${hosts.toLocaleString('en-US')} TensorBoard hosts (${tenant.resources.length.toLocaleString('en-US')} resources), generated in ${Math.round(performance.now() - t0)} ms`);

    sandbox = spawn(process.execPath, ['--require', GUARD, '--max-old-space-size=8192', '--import', 'tsx', path.join(ROOT, 'sandbox', 'cli.ts'), '--tenant', tenantFile, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const info = JSON.parse(await firstLine(sandbox)) as SandboxInfo;
    const control = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: info.armEndpoint, logAnalyticsEndpoint: info.logAnalyticsEndpoint, caCert: readFileSync(info.caCertPath, 'utf8') });
    // The Kusto language service loads on the sandbox's first query (seconds): the sandbox's cost, not tbmon's.
    await control.resourceGraph().resources({ query: 'resources | take 1' });

    const results: Measured[] = [];
    const cliArgs = ['--sandbox-url', info.baseUrl, '--sandbox-ca', info.caCertPath, '--quiet'];
    for (const command of ['scan', 'hosts'] as const) {
      if (!only.has(command)) continue;
      const output = path.join(dir, `${command}.json`);
      await controlRoute(info, 'DELETE', '/_sandbox/requests');
      const r = await measure([path.join(ROOT, 'bin', 'tbmon.js'), command, ...cliArgs, '--format', 'json', '--output', output], dir, command);
      const bytes = statSync(output, { throwIfNoEntry: false })?.size ?? null;
      results.push({ label: `tbmon ${command}`, exitCode: r.exitCode, wallMs: r.wallMs, memory: r.memory, requests: await sandboxRequests(info), bytes, note: bytes === null ? '' : `${Math.round(bytes / hosts)} B/host` });
      rmSync(output, { force: true });
    }

    if (only.has('sweep')) {
      azurite = await startAzurite();
      const env = { AzureWebJobsStorage: azurite.connectionString, BENCH_NOW: now };
      const batchFile = path.join(dir, 'batches.json');
      await controlRoute(info, 'DELETE', '/_sandbox/requests');
      const childArgs = ['--info', JSON.stringify(info), '--env', JSON.stringify(env), '--file', batchFile];
      const s = await measure([__filename, '--child', 'sweep', ...childArgs], dir, 'sweep', WORKER_ARGS);
      const sweepOut = s.stdout.trim() ? JSON.parse(s.stdout.trim().split('\n').pop()!) as { hosts: number; batches: number; errors: number } : null;
      results.push({ label: 'sweep function', exitCode: s.exitCode, wallMs: s.wallMs, memory: s.memory, requests: await sandboxRequests(info), bytes: null, note: sweepOut ? `${sweepOut.hosts} hosts, ${sweepOut.batches} batches, ${sweepOut.errors} errors` : '' });
      if (sweepOut && evaluateBatches > 0) {
        await controlRoute(info, 'DELETE', '/_sandbox/requests');
        const e = await measure([__filename, '--child', 'evaluate', ...childArgs, '--limit', String(evaluateBatches)], dir, 'evaluate', WORKER_ARGS);
        const evalOut = e.stdout.trim() ? JSON.parse(e.stdout.trim().split('\n').pop()!) as { hosts: number; batches: number; errors: number } : null;
        results.push({ label: 'evaluate (batches)', exitCode: e.exitCode, wallMs: e.wallMs, memory: e.memory, requests: await sandboxRequests(info), bytes: null, note: evalOut ? `${evalOut.hosts} hosts, ${evalOut.batches} batches, ${evalOut.errors} errors` : '' });
      }
    }

    console.log('');
    const rows = results.map((r) => [r.label, String(r.exitCode), `${r.memory.peakRssMb} MB${r.memory.processes > 1 ? ` (${r.memory.processes} processes)` : ''}`, `${r.memory.peakAnonMb} MB`, `${r.memory.peakHeapMb} MB`, `${(r.wallMs / 1000).toFixed(1)} s`, fmtRequests(r.requests), r.bytes === null ? '-' : `${(r.bytes / 1e6).toFixed(1)} MB`, r.note]);
    const head = ['', 'exit', 'peak RSS', 'anon RSS', 'peak heap', 'wall', 'requests', 'written', ''];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
    // Peaks per process, in MB (sampled every second, so they need not be simultaneous): RSS beyond V8's committed
    // heap and external memory is native (malloc).
    console.log('');
    for (const r of results) for (const [i, l] of r.memory.perProcess.entries()) console.log(`${r.label}${r.memory.perProcess.length > 1 ? ` [${i + 1}]` : ''}: ${fmtProbe(l)}`);
  } finally {
    sandbox?.kill('SIGTERM');
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

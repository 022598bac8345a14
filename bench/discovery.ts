// bench:discovery — what discovery costs on a large tenant (1,000 subscriptions, 200 ML workspaces, 10,000
// TensorBoard hosts) with 50 ms of latency on every request, side by side for the Resource Graph path and the ARM
// fallback (the same tenant with Graph not indexing computes). Each path runs in its own process against its own
// sandbox process, so wall time and peak RSS are discovery's alone. Printed, never asserted.
//
//   npm run bench:discovery [-- --hosts N --latency MS --scope all|subscriptions|managementGroup]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AzureContext, StaticTokenCredential } from '../shared/azure';
import { loadSettings } from '../shared/config';
import { discoverHosts } from '../shared/discovery/discover';
import type { RequestCounts, RunError } from '../shared/model';
import { generateTenant } from '../sandbox/generate';
import type { FaultRule, Tenant } from '../sandbox/tenant-types';

const ROOT = path.resolve(__dirname, '..');
const NODE_ARGS = ['--require', path.join(ROOT, 'scripts', 'loopback-guard.cjs'), '--import', 'tsx'];

interface PathResult {
  mode: string;
  hosts: number;
  requests: RequestCounts;
  wallMs: number;
  peakRssMb: number;
  errors: number;
  armFallbackWorkspaces: number;
}

/** 50 ms on every request: one latency rule per path depth (`*` is one segment). */
function latencyEverywhere(ms: number): FaultRule[] {
  return Array.from({ length: 24 }, (_, i) => ({ path: `/${Array(i + 1).fill('*').join('/')}`, latencyMs: ms }));
}

function scopeEnv(scope: string, tenant: Tenant): Record<string, string> {
  if (scope === 'subscriptions') return { TBMON_SCOPE: `subscriptions:${tenant.subscriptions.map((s) => s.subscriptionId).join(',')}` };
  if (scope === 'managementGroup') return { TBMON_SCOPE: `managementGroup:${tenant.managementGroups?.[0]?.name ?? ''}` };
  return {};
}

/** Child: one discovery against a running sandbox; prints its result as one JSON line. */
async function child(mode: string, armEndpoint: string, logAnalyticsEndpoint: string, caPath: string, env: Record<string, string>): Promise<void> {
  const azure = new AzureContext({
    credential: new StaticTokenCredential(), armEndpoint, logAnalyticsEndpoint, caCert: readFileSync(caPath, 'utf8'),
  });
  const errors: RunError[] = [];
  const started = performance.now();
  const result = await discoverHosts({ azure, settings: loadSettings(env), errors, now: new Date() });
  const out: PathResult = {
    mode, hosts: result.hosts.length, requests: azure.counter.snapshot(), wallMs: Math.round(performance.now() - started),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), errors: errors.length, armFallbackWorkspaces: result.armFallbackWorkspaces.length,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout! });
    rl.once('line', (line) => { rl.close(); resolve(line); });
    p.once('exit', (code) => reject(new Error(`process exited (${code}) before printing its result`)));
  });
}

/**
 * The sandbox's KQL engine loads the Kusto language service on its first query (seconds): that is the sandbox's
 * cost, not discovery's. One query first, then a quota window's pause so discovery starts with a full quota.
 */
async function warmUp(armEndpoint: string, caPath: string): Promise<void> {
  const azure = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint, logAnalyticsEndpoint: armEndpoint, caCert: readFileSync(caPath, 'utf8') });
  await azure.resourceGraph().resources({ query: 'resources | take 1' });
  await new Promise((r) => setTimeout(r, 5_000));
}

async function runPath(mode: string, tenantFile: string, env: Record<string, string>): Promise<PathResult> {
  const sandbox = spawn(process.execPath, [...NODE_ARGS, path.join(ROOT, 'sandbox', 'cli.ts'), '--tenant', tenantFile, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const info = JSON.parse(await firstLine(sandbox)) as { armEndpoint: string; logAnalyticsEndpoint: string; caCertPath: string };
    await warmUp(info.armEndpoint, info.caCertPath);
    const measure = spawn(process.execPath, [...NODE_ARGS, __filename, '--child', mode, '--arm', info.armEndpoint, '--la', info.logAnalyticsEndpoint, '--ca', info.caCertPath, '--env', JSON.stringify(env)], { stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(await firstLine(measure)) as PathResult;
  } finally {
    sandbox.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string' }, latency: { type: 'string' }, scope: { type: 'string' },
      child: { type: 'string' }, arm: { type: 'string' }, la: { type: 'string' }, ca: { type: 'string' }, env: { type: 'string' },
    },
  });
  if (values.child) return child(values.child, values.arm!, values.la!, values.ca!, JSON.parse(values.env ?? '{}') as Record<string, string>);

  const hosts = Number(values.hosts ?? 10_000);
  const latency = Number(values.latency ?? 50);
  const scope = values.scope ?? 'all';
  const t0 = performance.now();
  const tenant = generateTenant({ subscriptions: 1_000, mlWorkspaces: 200, hosts, logAnalyticsWorkspaces: 50, seed: 4 });
  tenant.faults = latencyEverywhere(latency);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-bench-discovery-'));
  try {
    const graphFile = path.join(dir, 'graph.json');
    const armFile = path.join(dir, 'arm-fallback.json');
    writeFileSync(graphFile, JSON.stringify(tenant));
    writeFileSync(armFile, JSON.stringify({ ...tenant, resourceGraph: { excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] } }));
    console.log(`tenant: 1,000 subscriptions, 200 ML workspaces, 50 Log Analytics workspaces, ${hosts.toLocaleString('en-US')} TensorBoard hosts (${tenant.resources.length.toLocaleString('en-US')} resources), generated in ${Math.round(performance.now() - t0)} ms`);
    console.log(`${latency} ms latency on every request; Resource Graph quota as Azure's (15 per 5 s); scope ${scope}\n`);

    const env = scopeEnv(scope, tenant);
    const results = [await runPath('Resource Graph', graphFile, env), await runPath('ARM fallback', armFile, env)];
    const rows: [string, (r: PathResult) => string][] = [
      ['hosts found', (r) => r.hosts.toLocaleString('en-US')],
      ['Resource Graph requests', (r) => String(r.requests.resourceGraph)],
      ['ARM requests', (r) => String(r.requests.arm)],
      ['workspaces read via ARM', (r) => String(r.armFallbackWorkspaces)],
      ['wall time', (r) => `${(r.wallMs / 1000).toFixed(2)} s`],
      ['peak RSS', (r) => `${r.peakRssMb} MB`],
      ['run errors', (r) => String(r.errors)],
    ];
    const w0 = Math.max(...rows.map(([k]) => k.length));
    const widths = results.map((r) => Math.max(r.mode.length, ...rows.map(([, f]) => f(r).length)));
    console.log(`${''.padEnd(w0)}  ${results.map((r, i) => r.mode.padStart(widths[i])).join('  ')}`);
    for (const [label, f] of rows) console.log(`${label.padEnd(w0)}  ${results.map((r, i) => f(r).padStart(widths[i])).join('  ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

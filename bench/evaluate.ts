// npm run bench:evaluate [-- --hosts N --latency MS --concurrency N --seed N]
// Evaluate throughput: the generated tenant (10,000 hosts by default) behind the sandbox with latency injected on
// every route, discovered once, split into the sweep's batches, each batch evaluated with evaluateHosts as the
// evaluate function does. Prints hosts evaluated per second and the requests per API; asserts nothing.
import { AzureContext, StaticTokenCredential } from '../shared/azure';
import { loadSettings } from '../shared/config';
import { discoverHosts } from '../shared/discovery/discover';
import { ALL_CHECKS } from '../shared/checks/registry';
import type { CheckDefinition } from '../shared/checks/types';
import { evaluateHosts } from '../shared/evaluate';
import { emptyRequestCounts, type ApiName, type RunError } from '../shared/model';
import { planBatches } from '../shared/sweep';
import { generateTenant } from '../sandbox/generate';
import { startSandbox } from '../sandbox/server';
import type { FaultRule } from '../sandbox/tenant-types';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const hostCount = arg('hosts', 10_000);
  const latencyMs = arg('latency', 50);
  const concurrency = arg('concurrency', 4);
  const seed = arg('seed', 1);

  // The shape of a large organisation: ~50 hosts per ML workspace, 10 workspaces per Log Analytics workspace.
  const mlWorkspaces = Math.max(1, Math.round(hostCount / 50));
  const tenant = generateTenant({
    hosts: hostCount, seed, subscriptions: Math.max(1, Math.round(hostCount / 500)), mlWorkspaces,
    logAnalyticsWorkspaces: Math.max(1, Math.round(mlWorkspaces / 10)),
  });
  // `*` is one path segment: one rule per depth puts the latency on every route the product calls.
  const latency: FaultRule[] = Array.from({ length: 20 }, (_, i) => ({ path: `/${Array(i + 1).fill('*').join('/')}`, latencyMs }));
  tenant.faults = [...(tenant.faults ?? []), ...latency];
  const sandbox = await startSandbox({ tenant });
  try {
    const settings = loadSettings({ AZURE_RESOURCE_MANAGER_ENDPOINT: sandbox.armEndpoint, AZURE_LOG_ANALYTICS_ENDPOINT: sandbox.logAnalyticsEndpoint });
    const azure = new AzureContext({ credential: new StaticTokenCredential(), armEndpoint: sandbox.armEndpoint, logAnalyticsEndpoint: sandbox.logAnalyticsEndpoint, caCert: sandbox.caCert });
    const now = new Date(tenant.now);
    const errors: RunError[] = [];

    const t0 = performance.now();
    const discovered = await discoverHosts({ azure, settings, errors, now });
    const discoveryMs = performance.now() - t0;
    const afterDiscovery = azure.counter.snapshot();
    const batches = planBatches(discovered.hosts);

    // Each check's own time (pure CPU, no I/O): what the checks cost per host, apart from gathering.
    const checkMs = new Map<string, number>();
    const checks: CheckDefinition[] = ALL_CHECKS.map((c) => ({
      ...c,
      run: (...args: Parameters<CheckDefinition['run']>) => {
        const t = performance.now();
        try {
          return c.run(...args);
        } finally {
          checkMs.set(c.id, (checkMs.get(c.id) ?? 0) + performance.now() - t);
        }
      },
    }));
    const cache = new Map<string, Promise<unknown>>();
    const requests = emptyRequestCounts();
    let evaluated = 0;
    let next = 0;
    const statuses: Record<string, number> = {};
    const t1 = performance.now();
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const res = await evaluateHosts(batch.hosts, { azure, settings, mode: 'batch', now, cache, checks });
        evaluated += res.reports.length;
        errors.push(...res.errors);
        for (const r of res.reports) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    const evaluateMs = performance.now() - t1;
    const end = azure.counter.snapshot();
    for (const api of Object.keys(requests) as ApiName[]) requests[api] = end[api] - afterDiscovery[api];

    const line = (k: string, v: unknown) => console.log(`${k.padEnd(34)} ${String(v)}`);
    console.log(`bench:evaluate — ${hostCount} generated hosts, ${latencyMs} ms latency per request, ${concurrency} batches at once`);
    line('discovered hosts', discovered.hosts.length);
    line('discovery', `${(discoveryMs / 1000).toFixed(1)} s (${JSON.stringify(afterDiscovery)})`);
    line('batches', `${batches.length} (largest ${Math.max(0, ...batches.map((b) => b.hosts.length))} hosts)`);
    line('evaluated hosts', evaluated);
    line('evaluate wall time', `${(evaluateMs / 1000).toFixed(1)} s`);
    line('hosts evaluated per second', (evaluated / (evaluateMs / 1000)).toFixed(1));
    line('requests during evaluate', JSON.stringify(requests));
    line('requests per 1,000 hosts', JSON.stringify(Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, Number(((v / Math.max(1, evaluated)) * 1000).toFixed(1))]))));
    line('host statuses', JSON.stringify(statuses));
    const perHost = (ms: number) => `${(ms / Math.max(1, evaluated)).toFixed(3)} ms`;
    line('checks per host (all)', perHost([...checkMs.values()].reduce((a, b) => a + b, 0)));
    for (const [id, ms] of [...checkMs].sort((a, b) => b[1] - a[1]).slice(0, 5)) line(`  ${id}`, perHost(ms));
    line('run errors', `${errors.length}${errors.length ? ` (first: ${errors[0].scope}: ${errors[0].message})` : ''}`);
    line('heap used', `${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
  } finally {
    await sandbox.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

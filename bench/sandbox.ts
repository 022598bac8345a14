// bench:sandbox — how fast the sandbox answers at benchmark scale, so other benchmarks know what is the sandbox's
// cost and what is theirs. Generated 10,000-host tenant, in-process; printed, never asserted.
//
//   npm run bench:sandbox [-- --hosts N --concurrency N]
import { parseArgs } from 'node:util';
import { StaticTokenCredential, AzureContext } from '../shared/azure';
import { generateTenant } from '../sandbox/generate';
import { startSandbox } from '../sandbox/server';

const { values } = parseArgs({ options: { hosts: { type: 'string' }, concurrency: { type: 'string' }, gets: { type: 'string' } } });
const HOSTS = Number(values.hosts ?? 10_000);
const CONCURRENCY = Number(values.concurrency ?? 16);
const GETS = Number(values.gets ?? 3_000);

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function main(): Promise<void> {
  let t0 = performance.now();
  const tenant = generateTenant({ subscriptions: 1_000, mlWorkspaces: 200, hosts: HOSTS, logAnalyticsWorkspaces: 20, seed: 42 });
  tenant.resourceGraph = { quota: { limit: 1_000_000, windowMs: 5_000 } };
  console.log(`generate: ${HOSTS.toLocaleString('en-US')} hosts, ${tenant.resources.length.toLocaleString('en-US')} resources in ${Math.round(performance.now() - t0)} ms`);

  t0 = performance.now();
  const sandbox = await startSandbox({ tenant });
  console.log(`start: ${Math.round(performance.now() - t0)} ms (certificate + index)`);
  const ctx = new AzureContext({
    credential: new StaticTokenCredential(), armEndpoint: sandbox.armEndpoint, logAnalyticsEndpoint: sandbox.logAnalyticsEndpoint,
    caCert: sandbox.caCert, retry: { maxRetries: 0 },
  });
  try {
    // ARM GETs of resources by id (the evidence gatherer's pattern), concurrent.
    const ids = Array.from({ length: GETS }, (_, i) => tenant.resources[(i * 7919) % tenant.resources.length].id);
    await pool(ids.slice(0, 200), CONCURRENCY, (id) => ctx.armGet(id, '2025-12-01')); // warm the connections
    t0 = performance.now();
    await pool(ids, CONCURRENCY, (id) => ctx.armGet(id, '2025-12-01'));
    const armMs = performance.now() - t0;
    console.log(`ARM GET by id: ${GETS.toLocaleString('en-US')} in ${Math.round(armMs)} ms = ${rate(GETS, armMs)} (concurrency ${CONCURRENCY})`);

    // ARM list paging: every compute of every workspace, page by page.
    const workspaces = tenant.resources.filter((r) => r.type === 'Microsoft.MachineLearningServices/workspaces').map((w) => w.id);
    let pages = 0;
    let computes = 0;
    t0 = performance.now();
    await pool(workspaces, CONCURRENCY, async (ws) => {
      for await (const page of ctx.armListPages(`${ws}/computes`, '2025-12-01')) {
        pages += 1;
        computes += page.length;
      }
    });
    const listMs = performance.now() - t0;
    console.log(`ARM list pages: ${pages} pages (${computes.toLocaleString('en-US')} computes) in ${Math.round(listMs)} ms = ${rate(pages, listMs)}`);

    // Resource Graph: the discovery query over the whole tenant, $top 1000 pages with $skipToken.
    const graph = ctx.resourceGraph();
    const query = "resources | where type =~ 'microsoft.machinelearningservices/workspaces/computes' or type =~ 'microsoft.compute/virtualmachines' | project id, name, type, tags, properties";
    await graph.resources({ query: 'resources | take 1' }); // KQL engine warm-up
    let graphPages = 0;
    let rows = 0;
    let skipToken: string | undefined;
    t0 = performance.now();
    do {
      const res = await graph.resources({ query, options: { top: 1000, skipToken } });
      graphPages += 1;
      rows += res.count;
      skipToken = res.skipToken;
    } while (skipToken);
    const graphMs = performance.now() - t0;
    console.log(`Resource Graph pages: ${graphPages} pages (${rows.toLocaleString('en-US')} rows) in ${Math.round(graphMs)} ms = ${rate(graphPages, graphMs)}`);

    // Log Analytics: one launch-log query per workspace (the product's batch-per-workspace pattern).
    const las = Object.keys(tenant.logAnalytics ?? {});
    t0 = performance.now();
    await pool(las, 4, (la) => ctx.logs().queryWorkspace(la, 'Syslog | where ProcessName == "tensorboard" | summarize arg_max(TimeGenerated, SyslogMessage) by Computer', { duration: 'PT1H' }));
    const laMs = performance.now() - t0;
    console.log(`Log Analytics queries: ${las.length} in ${Math.round(laMs)} ms = ${rate(las.length, laMs)}`);
  } finally {
    await sandbox.close();
  }
  console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}; requests recorded: ${sandbox.requests().length.toLocaleString('en-US')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

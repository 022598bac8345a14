// KQL engine benchmark (printed, never asserted): a `where | summarize by` over 1,000,000 Syslog rows, a Resource
// Graph page over 100,000 resources, and the process's peak RSS. Tables are generated in-process (seeded).
//   npm run bench:kql [-- --rows N --resources N]
import { runLogAnalyticsQuery, runResourceGraphQuery } from '../sandbox/kql';
import { kusto, warmUp } from '../sandbox/kql/language';
import type { ArmResource, LogRow, Tenant } from '../sandbox/tenant-types';
import { mulberry32 } from '../sandbox/random';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const NOW = Date.parse('2026-11-26T06:00:00Z');
const SUB = '11111111-1111-1111-1111-111111111111';
const WS = '22222222-2222-2222-2222-222222222222';

function syslogRows(n: number): LogRow[] {
  const rnd = mulberry32(42);
  const messages = [
    'TensorBoard 2.16.2 at http://HOST:6006/ (Press CTRL+C to quit)',
    'E0000 could not bind to port 6006, it was already in use',
    'Out of memory: Killed process 4242 (tensorboard) total-vm:123kB',
    'tbmon-launcher: event=heartbeat pid=123 port=6006',
    'systemd[1]: Started Session 42 of user azureuser.',
  ];
  const facilities = ['user', 'kern', 'daemon', 'auth'];
  const rows: LogRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const host = `ci-${Math.floor(rnd() * 2000)}`;
    rows[i] = {
      TimeGenerated: new Date(NOW - Math.floor(rnd() * 86_400_000)).toISOString(),
      Computer: host,
      Facility: facilities[Math.floor(rnd() * facilities.length)],
      SeverityLevel: rnd() < 0.1 ? 'err' : 'info',
      ProcessName: rnd() < 0.5 ? 'tensorboard' : 'systemd',
      ProcessID: Math.floor(rnd() * 65_000),
      SyslogMessage: messages[Math.floor(rnd() * messages.length)].replace('HOST', host),
      _ResourceId: `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/ws/computes/${host}`,
    };
  }
  return rows;
}

function resources(n: number): ArmResource[] {
  const rnd = mulberry32(7);
  const out: ArmResource[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const rg = `rg-${i % 500}`;
    const compute = i % 4 === 0;
    out[i] = compute
      ? {
        id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/ws-${i % 300}/computes/ci-${i}`,
        name: `ci-${i}`, type: 'Microsoft.MachineLearningServices/workspaces/computes', location: 'eastus2',
        tags: rnd() < 0.2 ? { tensorboard: '6006' } : {},
        properties: { computeType: 'ComputeInstance', properties: { vmSize: 'STANDARD_DS3_V2', state: rnd() < 0.9 ? 'Running' : 'Stopped', customServices: [] } },
      }
      : {
        id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/nic-${i}`,
        name: `nic-${i}`, type: 'Microsoft.Network/networkInterfaces', location: 'eastus2', tags: {},
        properties: { ipConfigurations: [{ properties: { privateIPAddress: `10.0.${i % 250}.${i % 200}` } }] },
      };
  }
  return out;
}

function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e6];
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function main(): void {
  const rowCount = arg('rows', 1_000_000);
  const resourceCount = arg('resources', 100_000);
  const [, loadMs] = time(() => kusto());
  const [, parseMs] = time(() => warmUp());
  console.log(`language service load: ${loadMs.toFixed(0)} ms; first parse: ${parseMs.toFixed(0)} ms`);

  const [rows, genMs] = time(() => syslogRows(rowCount));
  const tenant: Tenant = { now: new Date(NOW).toISOString(), subscriptions: [{ subscriptionId: SUB }], resources: resources(resourceCount), logAnalytics: { [WS]: { tables: { Syslog: rows } } } };
  console.log(`generated ${rowCount.toLocaleString('en')} Syslog rows and ${resourceCount.toLocaleString('en')} resources in ${genMs.toFixed(0)} ms`);

  const query = "Syslog | where ProcessName == 'tensorboard' and SyslogMessage has 'port' | summarize n = count(), lastSeen = max(TimeGenerated), errs = countif(SeverityLevel == 'err') by Computer";
  const la = (label: string) => {
    const [res, ms] = time(() => runLogAnalyticsQuery(tenant, WS, { query, timespan: 'P1D' }));
    const groups = res?.tables[0].rows.length ?? 0;
    console.log(`Log Analytics ${label}: ${ms.toFixed(0)} ms, ${Math.round(rowCount / (ms / 1000)).toLocaleString('en')} rows/s (${groups} groups)`);
  };
  la('first run (types the table once)');
  la('warm');
  la('warm');

  const rgQuery = "resources | where type =~ 'microsoft.machinelearningservices/workspaces/computes' | extend state = tostring(properties.properties.state) | where state == 'Running' | project id, name, subscriptionId, resourceGroup, state, tags | order by id asc";
  const [first, firstMs] = time(() => runResourceGraphQuery(tenant, { query: rgQuery, options: { $top: 1000 } }));
  console.log(`Resource Graph first page of ${first.count} (of ${first.totalRecords.toLocaleString('en')}) over ${resourceCount.toLocaleString('en')} resources: ${firstMs.toFixed(0)} ms`);
  const [, nextMs] = time(() => runResourceGraphQuery(tenant, { query: rgQuery, options: { $top: 1000, $skipToken: first.$skipToken } }));
  console.log(`Resource Graph next page (skip token): ${nextMs.toFixed(0)} ms`);
  const [, countMs] = time(() => runResourceGraphQuery(tenant, { query: 'resources | summarize count() by type' }));
  console.log(`Resource Graph 'summarize count() by type': ${countMs.toFixed(0)} ms`);

  console.log(`peak RSS: ${peakRssMb()} MB`);
}

main();

// Log evidence through the real pipeline (discovery → queries against the sandbox → checks) on variants of contoso
// built in the test: each case changes a few rows and names the status and wording the checks must give.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHosts } from '../../shared/evaluate';
import { loadSettings } from '../../shared/config';
import type { CheckResult, HostRecord } from '../../shared/model';
import type { LogRow, Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, type RunningSandbox } from '../support/sandbox';
import { startContoso } from './logs-support';

let sandbox: RunningSandbox;
let hosts: HostRecord[];

before(async () => {
  ({ sandbox, hosts } = await startContoso());
});
after(() => sandbox.close());

/** The contoso workspace tables holding rows of a host (by Computer). */
function rowsOf(tenant: Tenant, table: string, pick: (r: LogRow) => boolean): LogRow[] {
  return Object.values(tenant.logAnalytics ?? {}).flatMap((ws) => (ws.tables[table] ?? []).filter(pick));
}

/** The contoso tenant changed, then the one host asked about evaluated on it (the others are not the point). */
async function evaluateVariant(change: (t: Tenant) => void, hostName: string): Promise<(host: string, id: string) => CheckResult> {
  const tenant = loadTenant('contoso');
  change(tenant);
  sandbox.setTenant(tenant);
  try {
    const result = await evaluateHosts(hosts.filter((h) => h.name === hostName), { azure: azureContextFor(sandbox), settings: loadSettings({}), mode: 'batch', now: new Date(tenant.now) });
    return (host, id) => {
      const c = result.reports.find((r) => r.host.name === host)?.checks.find((x) => x.id === id);
      if (!c) throw new Error(`no ${id} for ${host}`);
      return c;
    };
  } finally {
    sandbox.setTenant(loadTenant('contoso'));
  }
}

const NODE_A = 'tvmps_8c3e1f0a9b7d4e2c5a6f1b3d9e0c7a2b4f6d8e1a_d';
const NODE_B = 'tvmps_2f7a9c4e1b8d3a6c0e5f2b9d7a1c4e8f3b6d0a9c_d';

interface Case {
  name: string;
  change(t: Tenant): void;
  host: string;
  check: string;
  status: CheckResult['status'];
  /** The summary must match (e.g. name the node). */
  summary?: RegExp;
  /** The hint must match (how to get the evidence). */
  hint?: RegExp;
}

async function runCases(cases: readonly Case[]): Promise<void> {
  for (const c of cases) {
    const get = await evaluateVariant(c.change, c.host);
    const r = get(c.host, c.check);
    assert.equal(r.status, c.status, `${c.name}: ${c.check} on ${c.host}: ${r.summary} ${r.hint ?? ''}`);
    if (c.summary) assert.match(r.summary, c.summary, c.name);
    if (c.hint) assert.match(r.hint ?? '', c.hint, c.name);
  }
}

const isNode = (node: string, namespace: string) => (r: LogRow) => r.Computer === node && r.Namespace === namespace;

test('a multi-node cluster: the worst node decides memory and disk pressure, and is named', async () => {
  await runCases([
    { name: 'both nodes healthy', change: () => {}, host: 'cluster-tb', check: 'resource.disk-pressure', status: 'pass' },
    {
      name: 'node B at 1 % free memory for the hour beside a healthy node A',
      change: (t) => { for (const r of rowsOf(t, 'InsightsMetrics', isNode(NODE_B, 'Memory'))) r.Val = 280; },
      host: 'cluster-tb', check: 'resource.memory-pressure', status: 'warn', summary: new RegExp(NODE_B),
    },
    {
      name: 'node B\'s / at 3 % free, written a minute before node A\'s newest healthy value',
      change: (t) => {
        for (const r of rowsOf(t, 'InsightsMetrics', isNode(NODE_B, 'LogicalDisk'))) {
          if (!String(r.Tags).includes('"/"')) continue;
          r.Val = 3;
          r.TimeGenerated = new Date(Date.parse(String(r.TimeGenerated)) - 60_000).toISOString();
        }
      },
      host: 'cluster-tb', check: 'resource.disk-pressure', status: 'fail', summary: new RegExp(`${NODE_B}.*3 %|3 %.*${NODE_B}`),
    },
    {
      name: 'node A\'s memory recovers but node B stays healthy: pass names no node',
      change: (t) => { for (const r of rowsOf(t, 'InsightsMetrics', isNode(NODE_A, 'Memory'))) r.Val = 20_000; },
      host: 'cluster-tb', check: 'resource.memory-pressure', status: 'pass',
    },
  ]);
});


/** Adds a Syslog row beside a host's existing rows (same workspace, same `_ResourceId` form). */
function addSyslog(t: Tenant, computer: string, time: string, facility: string, processName: string, message: string): void {
  for (const ws of Object.values(t.logAnalytics ?? {})) {
    const rows = ws.tables.Syslog ?? [];
    const like = rows.find((r) => r.Computer === computer);
    if (!like) continue;
    rows.push({ ...like, TimeGenerated: time, Facility: facility, ProcessName: processName, SyslogMessage: message, SeverityLevel: facility === 'kern' ? 'err' : 'info' });
    return;
  }
  throw new Error(`no Syslog rows of ${computer}`);
}

test('a newer near-miss of the same pattern does not hide an older real match', async () => {
  await runCases([
    {
      name: 'launch log: "could not bind … already in use" worded otherwise, after the real bind error',
      change: (t) => addSyslog(t, 'ci-port-in-use', '2026-11-26T05:40:00Z', 'user', 'tensorboard', 'warning: could not bind to port 6006 while it is already in use by a proxy, retrying'),
      host: 'ci-port-in-use', check: 'script.port-in-use', status: 'fail', summary: /TensorBoard could not bind to port 6006, it was already in use/,
    },
    {
      name: 'launch log: three newer near-misses (distinct lines) still leave the real bind error among the newest five',
      change: (t) => {
        for (let i = 0; i < 3; i++) addSyslog(t, 'ci-port-in-use', `2026-11-26T05:4${i}:00Z`, 'user', 'tensorboard', `warning: could not bind to port 600${i} while it is already in use by a proxy`);
      },
      host: 'ci-port-in-use', check: 'script.port-in-use', status: 'fail', summary: /it was already in use/,
    },
    {
      name: 'kernel: an oom_reaper line naming tensorboard after the real OOM kill',
      change: (t) => addSyslog(t, 'ci-oom', '2026-11-26T05:50:00Z', 'kern', 'kernel', 'oom_reaper: out of memory cleanup for Killed process 4242 (tensorboard) finished'),
      host: 'ci-oom', check: 'resource.memory-pressure', status: 'fail', summary: /killed tensorboard/,
    },
  ]);
});

const isKern = (computer: string) => (r: LogRow) => r.Computer === computer && r.Facility === 'kern';

function dropRows(t: Tenant, table: string, pick: (r: LogRow) => boolean): void {
  for (const ws of Object.values(t.logAnalytics ?? {})) if (ws.tables[table]) ws.tables[table] = ws.tables[table].filter((r) => !pick(r));
}

test('kernel checks pass only when the host\'s facility kern is proven collected (a kern row in 7 days)', async () => {
  const hint = /facility kern/;
  const cases: Case[] = [
    { name: 'contoso: ci-ok\'s boot message 2 days ago proves it', change: () => {}, host: 'ci-ok', check: 'resource.kernel-network', status: 'pass' },
    { name: 'contoso: ci-ok memory pressure with the boot message', change: () => {}, host: 'ci-ok', check: 'resource.memory-pressure', status: 'pass' },
    { name: 'ci-oom\'s in-window kern rows prove it', change: () => {}, host: 'ci-oom', check: 'resource.kernel-network', status: 'pass' },
    { name: 'cluster: one node\'s kern rows prove it', change: () => {}, host: 'cluster-tb', check: 'resource.kernel-network', status: 'pass' },
    {
      name: 'ci-ok with only its launch log (facility user)', change: (t) => dropRows(t, 'Syslog', isKern('ci-ok')),
      host: 'ci-ok', check: 'resource.kernel-network', status: 'unknown', summary: /no facility kern row/i, hint,
    },
    {
      name: 'ci-ok with only its launch log: the OOM half of memory pressure', change: (t) => dropRows(t, 'Syslog', isKern('ci-ok')),
      host: 'ci-ok', check: 'resource.memory-pressure', status: 'unknown', summary: /OOM kill would go unseen/, hint,
    },
    {
      name: 'ci-ok\'s only kern row 8 days old',
      change: (t) => { for (const r of rowsOf(t, 'Syslog', isKern('ci-ok'))) r.TimeGenerated = r.EventTime = '2026-11-18T05:00:00Z'; },
      host: 'ci-ok', check: 'resource.kernel-network', status: 'unknown', hint,
    },
    {
      name: 'a SYN flood 3 hours ago is outside the 1-hour window: found in the coverage period, not reported',
      change: (t) => addSyslog(t, 'ci-ok', '2026-11-26T03:00:00Z', 'kern', 'kernel', 'TCP: request_sock_TCP: Possible SYN flooding on port 6006. Sending cookies.  Check SNMP counters.'),
      host: 'ci-ok', check: 'resource.kernel-network', status: 'pass',
    },
    {
      name: 'a SYN flood on the TensorBoard port in the window',
      change: (t) => addSyslog(t, 'ci-ok', '2026-11-26T05:30:00Z', 'kern', 'kernel', 'TCP: request_sock_TCP: Possible SYN flooding on port 6006. Sending cookies.  Check SNMP counters.'),
      host: 'ci-ok', check: 'resource.kernel-network', status: 'fail',
    },
  ];
  await runCases(cases);
});

const SNET_CI = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01/rg-ml-prod/vnet-ml/snet-ci';
const SNET_TRAIN = '1b2c3d4e-0002-4a5b-8c9d-0e1f2a3b4c02/rg-ml-research/vnet-research/snet-train';
const onSubnet = (subnet: string) => (r: LogRow) => r.DestSubnet === subnet || r.SrcSubnet === subnet;

/** A denied inbound flow record (traffic analytics) to `destIp:6006` on `subnet`, in the workspace holding that subnet's rows. */
function addDeniedFlow(t: Tenant, subnet: string, destIp: string): void {
  for (const ws of Object.values(t.logAnalytics ?? {})) {
    const rows = ws.tables.NTANetAnalytics ?? [];
    const like = rows.find((r) => r.DestSubnet === subnet);
    if (!like) continue;
    rows.push({
      ...like, FlowStatus: 'D', FlowDirection: 'I', SrcIp: '10.99.0.8', DestIp: destIp, DestPort: 6006, SrcSubnet: '', AllowedInFlows: 0, DeniedInFlows: 4,
      NsgRule: 'UserRule_deny-tb-test', TimeGenerated: '2026-11-26T05:43:00Z',
    });
    return;
  }
  throw new Error(`no flow rows on ${subnet}`);
}

test('network.flow-denied is unknown unless traffic analytics has flow rows covering the host', async () => {
  const hint = /flow logs|traffic analytics/i;
  const cases: Case[] = [
    { name: 'contoso: ci-ok\'s subnet is logged, nothing denied', change: () => {}, host: 'ci-ok', check: 'network.flow-denied', status: 'pass' },
    { name: 'contoso: 6006 denied toward ci-nsg-deny', change: () => {}, host: 'ci-nsg-deny', check: 'network.flow-denied', status: 'fail' },
    { name: 'contoso: 44224 denied toward ci-public-blocked', change: () => {}, host: 'ci-public-blocked', check: 'network.flow-denied', status: 'fail' },
    {
      name: 'snet-ci not logged (the workspace still has other subnets\' rows)', change: (t) => dropRows(t, 'NTANetAnalytics', onSubnet(SNET_CI)),
      host: 'ci-ok', check: 'network.flow-denied', status: 'unknown', summary: /no traffic-analytics flow rows/i, hint,
    },
    {
      name: 'snet-train not logged: the cluster is unknown too', change: (t) => dropRows(t, 'NTANetAnalytics', onSubnet(SNET_TRAIN)),
      host: 'cluster-tb', check: 'network.flow-denied', status: 'unknown', hint,
    },
    {
      name: 'the VM\'s rows gone, its subnet\'s rows gone: unknown', change: (t) => dropRows(t, 'NTANetAnalytics', (r) => /vm-tb|snet-vm/.test(`${String(r.DestVm)} ${String(r.SrcVm)} ${String(r.DestSubnet)} ${String(r.SrcSubnet)}`)),
      host: 'vm-tb', check: 'network.flow-denied', status: 'unknown', hint,
    },
  ];
  await runCases(cases);
});

test('network.flow-denied matches a denied flow on the host\'s private IP when known, on its subnet only otherwise', async () => {
  await runCases([
    { name: '6006 denied toward ci-no-owner (10.10.1.9) blames ci-no-owner', change: (t) => addDeniedFlow(t, SNET_CI, '10.10.1.9'), host: 'ci-no-owner', check: 'network.flow-denied', status: 'fail' },
    { name: '… but not ci-ok on the same subnet', change: (t) => addDeniedFlow(t, SNET_CI, '10.10.1.9'), host: 'ci-ok', check: 'network.flow-denied', status: 'pass' },
    { name: '… nor ci-small', change: (t) => addDeniedFlow(t, SNET_CI, '10.10.1.9'), host: 'ci-small', check: 'network.flow-denied', status: 'pass' },
    {
      name: 'a cluster has no known node IP: a denied flow to its subnet counts, and the summary says it matched by subnet only',
      change: (t) => addDeniedFlow(t, SNET_TRAIN, '10.20.1.77'), host: 'cluster-tb', check: 'network.flow-denied', status: 'fail', summary: /subnet only/,
    },
    { name: '… ci-private (10.20.1.5) on that subnet is not blamed', change: (t) => addDeniedFlow(t, SNET_TRAIN, '10.20.1.77'), host: 'ci-private', check: 'network.flow-denied', status: 'pass' },
  ]);
});

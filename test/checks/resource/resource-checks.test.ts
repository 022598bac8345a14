// Table-driven tests of the resource checks: compute state from facts, size thresholds from settings, and the
// log-based checks with the kernel's exact messages (mm/oom_kill.c) and near-misses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceChecks } from '../../../shared/checks/resource';
import { loadSettings } from '../../../shared/config';
import type { CheckStatus } from '../../../shared/model';
import type { HostEvidence } from '../../../shared/evidence/types';
import { checkTable, runCase, type CheckCase } from '../../support/check-table';
import { evidence, host, kernelLog, launchLog, series, settings } from '../../support/evidence';

const check = (id: string) => {
  const c = resourceChecks.find((r) => r.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

/** A table of one check: each case `[name, evidence, status, more]` one test named after the check and the case. */
type Row = readonly [name: string, evidence: HostEvidence, want: CheckStatus, more?: Omit<CheckCase, 'name' | 'evidence' | 'expect'>];

function table(id: string, cases: readonly Row[]): void {
  checkTable(check(id), cases.map(([name, ev, want, more]) => ({ name: `${id}: ${name}`, evidence: ev, expect: want, ...more })));
}

// States from CHECKS.md.
{
  const cases: [Parameters<typeof host>[0], CheckStatus][] = [
    [{ facts: { state: 'Running' } }, 'pass'],
    [{ facts: { state: 'JobRunning' } }, 'pass'],
    [{ facts: { state: 'SetupFailed' } }, 'fail'],
    [{ facts: { state: 'UserSetupFailed' } }, 'fail'],
    [{ facts: { state: 'Unusable' } }, 'fail'],
    [{ facts: { state: 'CreateFailed' } }, 'fail'],
    [{ facts: { state: 'Running', errors: [{ error: { code: 'DiskFull', message: 'disk full' } }] } }, 'fail'],
    [{ facts: { state: 'Creating' } }, 'warn'],
    [{ facts: { state: 'Starting' } }, 'warn'],
    [{ facts: { state: 'Restarting' } }, 'warn'],
    [{ facts: { state: 'SettingUp' } }, 'warn'],
    [{ facts: { state: 'UserSettingUp' } }, 'warn'],
    [{ facts: { state: 'Stopped', lastOperation: { operationName: 'Stop', operationTrigger: 'IdleShutdown' } } }, 'skipped'],
    [{ facts: { state: 'Stopping' } }, 'skipped'],
    [{ facts: { state: 'Deleting' } }, 'skipped'],
    [{ facts: { state: 'Unknown' } }, 'unknown'],
    [{ facts: { state: null, provisioningState: null } }, 'unknown'],
    [{ kind: 'vm', facts: { state: 'PowerState/running' } }, 'pass'],
    [{ kind: 'vm', facts: { state: 'PowerState/deallocated' } }, 'skipped'],
    [{ kind: 'vm', facts: { state: 'PowerState/stopped' } }, 'skipped'],
    [{ kind: 'vm', facts: { state: 'PowerState/running', provisioningState: 'Failed' } }, 'fail'],
    [{ kind: 'compute-cluster', facts: { state: null, provisioningState: 'Succeeded' } }, 'pass'],
    [{ kind: 'compute-cluster', facts: { state: null, provisioningState: 'Succeeded', errors: [{ error: { code: 'QuotaExceeded' } }] } }, 'fail'],
  ];
  const name = ({ kind, facts }: NonNullable<Parameters<typeof host>[0]>) => [kind ?? 'compute-instance', facts?.state ?? 'no state', facts?.provisioningState ? `provisioning ${facts.provisioningState}` : '', facts?.errors ? 'with errors' : '', facts?.lastOperation ? `after ${facts.lastOperation.operationTrigger}` : ''].filter(Boolean).join(' ');
  table('resource.compute-state', [
    ...cases.map(([over, want]) => [name(over ?? {}), evidence(host(over)), want] satisfies Row),
    ['stopped by idle shutdown says so', evidence(host({ facts: { state: 'Stopped', lastOperation: { operationTrigger: 'IdleShutdown' } } })), 'skipped', { says: /IdleShutdown/ }],
  ]);
}

// Thresholds from settings, catalogue values.
{
  const size = (name: string, vCPUs: number, memoryGB: number) => ({ ok: true as const, value: { name, vCPUs, memoryGB } });
  const strict = loadSettings({ TBMON_MIN_VCPUS: '4', TBMON_MIN_MEMORY_GB: '16' });
  table('resource.vm-size', [
    ['Standard_D2_v2 (2 vCPUs, 7 GB) is too small', evidence(host(), {}, size('Standard_D2_v2', 2, 7)), 'fail'],
    ['Standard_D1_v2 (1 vCPU, 3.5 GB) is too small', evidence(host(), {}, size('Standard_D1_v2', 1, 3.5)), 'fail'],
    ['Standard_D2s_v3 (2 vCPUs, 8 GB) is enough', evidence(host(), {}, size('Standard_D2s_v3', 2, 8)), 'pass'],
    ['Standard_DS11_v2 (2 vCPUs, 14 GB) is enough', evidence(host(), {}, size('Standard_DS11_v2', 2, 14)), 'pass'],
    ['a size not in the catalogue is unknown (with the gatherer\'s hint)', evidence(host(), {}, { ok: false, reason: 'not in catalogue', hint: 'Check the VM size catalogue of the region.' }), 'unknown', { hint: /catalogue/ }],
    ['TBMON_MIN_VCPUS=4 and TBMON_MIN_MEMORY_GB=16 make Standard_D2s_v3 too small', evidence(host(), {}, size('Standard_D2s_v3', 2, 8)), 'fail', { settings: strict }],
    ['a VM too small is resized with az vm resize', evidence(host({ kind: 'vm' }), {}, size('Standard_D2_v2', 2, 7)), 'fail', { says: /az vm resize --subscription 11111111-1111-1111-1111-111111111111 --resource-group rg-ml --name vm-tb --size Standard_D2s_v3/ }],
  ]);
}

const memOk = { ok: true as const, value: { series: [series('memory-available-pct', { worstBinMax: 40 })] } };

// OOM kills of tensorboard, python*, server.
{
  const kills: [string, CheckStatus][] = [
    ['[123456.789] Out of memory: Killed process 4242 (tensorboard) total-vm:9876543kB, anon-rss:7654321kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:20000kB oom_score_adj:0', 'fail'],
    ['Memory cgroup out of memory: Killed process 4243 (python3) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4kB oom_score_adj:0', 'fail'],
    ['Out of memory: Killed process 4244 (python3.10) total-vm:1kB', 'fail'],
    ['Out of memory: Killed process 4245 (python) total-vm:1kB', 'fail'],
    ['Out of memory: Killed process 4246 (server) total-vm:1kB', 'fail'],
    // near-misses
    // another process's kill is memory pressure on the host, not TensorBoard killed
    ['Out of memory: Killed process 4247 (java) total-vm:1kB', 'warn'],
    ['Out of memory: Killed process 4248 (tensorboard-dat) total-vm:1kB', 'warn'],
    ['Out of memory: Killed process 4249 (pythonw) total-vm:1kB', 'warn'],
    ['oom_reaper: reaped process 4242 (tensorboard), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB', 'pass'],
    ['TCP: out of memory -- consider tuning tcp_mem', 'pass'],
  ];
  table('resource.memory-pressure', [
    ...kills.map(([msg, want]) => [`OOM line "${msg.slice(0, 60)}"`, evidence(host(), { kernel: kernelLog([['05:30', 'kern', msg]]), metrics: memOk }), want] satisfies Row),
    // the same text from another facility is not a kernel message
    ['the kill line from the user facility is not a kernel message', evidence(host(), { kernel: kernelLog([['05:30', 'user', kills[0][0]]]), metrics: memOk }), 'pass'],
  ]);
}

// With the launcher's pid known, only a kill of that pid is TensorBoard killed.
{
  const launch = launchLog([['05:00', 'tbmon-launcher: event=started pid=4242 port=6006 attempt=1'], ['05:58', 'tbmon-launcher: event=heartbeat pid=4242 port=6006']]);
  const restarted = launchLog([['04:00', 'tbmon-launcher: event=started pid=4100 port=6006 attempt=1'], ['05:31', 'tbmon-launcher: event=started pid=4242 port=6006 attempt=2'], ['05:58', 'tbmon-launcher: event=heartbeat pid=4242 port=6006']]);
  const cases: [name: string, kill: string, launch: ReturnType<typeof launchLog> | undefined, want: CheckStatus][] = [
    ['a neighbour python3 killed while TensorBoard (4242) runs on', 'Out of memory: Killed process 5120 (python3) total-vm:1kB', launch, 'warn'],
    ['TensorBoard\'s own pid killed', 'Out of memory: Killed process 4242 (python3) total-vm:1kB', launch, 'fail'],
    ['TensorBoard\'s own pid killed, whatever its comm', 'Memory cgroup out of memory: Killed process 4242 (tensorboard-dat) total-vm:1kB', launch, 'fail'],
    ['an earlier TensorBoard pid of a restarted launcher', 'Out of memory: Killed process 4100 (tensorboard) total-vm:1kB', restarted, 'fail'],
    ['no launcher pid: a TensorBoard-like command is TensorBoard', 'Out of memory: Killed process 5120 (python3) total-vm:1kB', undefined, 'fail'],
    ['no launcher pid: another command is memory pressure', 'Out of memory: Killed process 5120 (java) total-vm:1kB', undefined, 'warn'],
    ['near-miss: a launcher-like line with another event names no pid', 'Out of memory: Killed process 5120 (python3) total-vm:1kB', launchLog([['05:00', 'tbmon-launcher: event=exploded pid=5120 port=6006']]), 'fail'],
  ];
  table('resource.memory-pressure', cases.map(([name, kill, launchLines, want]) => [
    `launcher pid: ${name}`, evidence(host(), { kernel: kernelLog([['05:30', 'kern', kill]]), metrics: memOk, ...(launchLines ? { launch: launchLines } : {}) }), want,
    { then: (r) => assert.ok(r.summary.length > 0, name) },
  ] satisfies Row));
}

// Low available memory, and never green without both sources.
{
  const kernel = kernelLog([]);
  table('resource.memory-pressure', [
    ['8 % available at worst warns', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-pct', { worstBinMax: 8 })] } } }), 'warn'],
    ['10.5 % at worst (a 3 % dip) passes', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-pct', { worstBinMax: 10.5, min: 3 })] } } }), 'pass'],
    // Perf MB needs the size: 1,000 MB of 16 GB = 6 %
    ['1,000 MB available of 16 GB (Perf) warns', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-mb', { worstBinMax: 1000, source: 'Perf' })] } } }), 'warn'],
    ['MB available without the size is unknown', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-mb', { worstBinMax: 1000 })] } } }, { ok: false, reason: 'unknown size' }), 'unknown'],
    ['no memory series is unknown', evidence(host(), { kernel, metrics: { ok: true, value: { series: [] } } }), 'unknown'],
    ['no kernel messages is unknown', evidence(host(), { metrics: memOk }), 'unknown'],
    ['kern collection unproven is unknown', evidence(host(), { kernel: kernelLog([], { extraRows: 0, olderKernRows: 0 }), metrics: memOk }), 'unknown'],
    // an OOM kill is a fail even without metrics
    ['an OOM kill fails without metrics', evidence(host(), { kernel: kernelLog([['05:30', 'kern', 'Out of memory: Killed process 1 (tensorboard)']]) }), 'fail'],
    ['TBMON_MEMORY_WARN_PCT=50 warns at 40 %', evidence(host(), { kernel, metrics: memOk }), 'warn', { settings: loadSettings({ TBMON_MEMORY_WARN_PCT: '50' }) }],
  ]);
}

// Fail < 10 %, warn < 20 % on any mount.
{
  const disk = (...pcts: [string, number][]) => ({ ok: true as const, value: { series: pcts.map(([m, p]) => series('disk-free-pct', { instance: m, last: p })) } });
  const cluster = host({ kind: 'compute-cluster' });
  const azureMetrics = (avail: number, used: number) => ({ ok: true as const, value: { series: [series('disk-avail-mb', { last: avail, source: 'AzureMetrics' }), series('disk-used-mb', { last: used, source: 'AzureMetrics' })] } });
  table('resource.disk-pressure', [
    ['/mnt 9.9 % free fails', evidence(host(), { metrics: disk(['/', 50], ['/mnt', 9.9]) }), 'fail'],
    ['/ 15 % free warns', evidence(host(), { metrics: disk(['/', 15]) }), 'warn'],
    ['20 % and 80 % free pass', evidence(host(), { metrics: disk(['/', 20], ['/mnt', 80]) }), 'pass'],
    ['no disk series is unknown', evidence(host(), { metrics: { ok: true, value: { series: [] } } }), 'unknown'],
    ['no metrics is unknown', evidence(host(), {}), 'unknown'],
    ['a cluster with 5 % available (AzureMetrics) fails', evidence(cluster, { metrics: azureMetrics(5_000, 95_000) }), 'fail'],
    ['a cluster with 50 % available passes', evidence(cluster, { metrics: azureMetrics(50_000, 50_000) }), 'pass'],
  ]);
}

// Average over the window above 90 %.
{
  const cpu = (avg: number, extra: Partial<ReturnType<typeof series>> = {}) => series('cpu-pct', { avg, ...extra });
  table('resource.cpu-saturation', [
    ['95 % warns', evidence(host(), { metrics: { ok: true, value: { series: [cpu(95)] } } }), 'warn'],
    ['90 % passes', evidence(host(), { metrics: { ok: true, value: { series: [cpu(90)] } } }), 'pass'],
    ['the busiest of two sources speaks', evidence(host(), { metrics: { ok: true, value: { series: [cpu(20), cpu(93, { source: 'Perf' })] } } }), 'warn'],
    ['no CPU series is unknown', evidence(host(), { metrics: { ok: true, value: { series: [] } } }), 'unknown'],
  ]);
}

// SYN flooding on the TensorBoard port fails, other kernel network trouble warns.
{
  const k = (msg: string) => evidence(host(), { kernel: kernelLog([['05:30', 'kern', msg]]) });
  const lines: [string, CheckStatus][] = [
    ['TCP: request_sock_TCP: Possible SYN flooding on port 6006. Sending cookies.  Check SNMP counters.', 'fail'],
    ['TCP: request_sock_TCP: Possible SYN flooding on port [::]:6006. Sending cookies.', 'fail'],
    ['TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:6006. Sending cookies.', 'fail'],
    ['TCP: request_sock_TCP: Possible SYN flooding on port 22. Sending cookies.', 'warn'],
    ['TCP: request_sock_TCP: Possible SYN flooding on port 60061. Sending cookies.', 'warn'],
    ['nf_conntrack: nf_conntrack: table full, dropping packet', 'warn'],
    ['TCP: out of memory -- consider tuning tcp_mem', 'warn'],
    ['nf_conntrack: default automatic helper assignment has been turned off', 'pass'],
  ];
  table('resource.kernel-network', [
    ...lines.map(([msg, want]) => [`"${msg.slice(0, 70)}"`, k(msg), want] satisfies Row),
    ['kern collection unproven is unknown', evidence(host(), { kernel: kernelLog([], { extraRows: 0, olderKernRows: 0 }) }), 'unknown'],
  ]);
}

test('kernel coverage: only a kern row proves kernel messages are collected; any other Syslog row does not', () => {
  const launchOnly: [string, string, string][] = [['05:10', 'user', 'TensorBoard 2.16.2 at http://ci-tb:6006/ (Press CTRL+C to quit)']];
  const cases: { name: string; kernel: ReturnType<typeof kernelLog>; memory: CheckStatus; network: CheckStatus }[] = [
    { name: 'launch log only, no kern row in 7 days', kernel: kernelLog(launchOnly, { olderKernRows: 0 }), memory: 'unknown', network: 'unknown' },
    { name: 'no Syslog at all', kernel: kernelLog([], { extraRows: 0, olderKernRows: 0 }), memory: 'unknown', network: 'unknown' },
    { name: 'launch log and a boot message days ago', kernel: kernelLog(launchOnly, { olderKernRows: 1 }), memory: 'pass', network: 'pass' },
    { name: 'an unrelated kern line in the window', kernel: kernelLog([['05:20', 'kern', 'hv_balloon: Received INFO_TYPE_MAX_PAGE_CNT']], { olderKernRows: 0 }), memory: 'pass', network: 'pass' },
    { name: 'an OOM kill in the window proves kern by itself', kernel: kernelLog([['05:20', 'kern', 'Out of memory: Killed process 7 (tensorboard)']], { olderKernRows: 0 }), memory: 'fail', network: 'pass' },
  ];
  for (const c of cases) {
    const mem = check('resource.memory-pressure').run(evidence(host(), { kernel: c.kernel, metrics: memOk }), settings);
    assert.equal(mem.status, c.memory, `${c.name}: memory ${mem.summary}`);
    const net = check('resource.kernel-network').run(evidence(host(), { kernel: c.kernel }), settings);
    assert.equal(net.status, c.network, `${c.name}: network ${net.summary}`);
    if (c.network === 'unknown') {
      assert.match(net.hint ?? '', /facility kern/);
      assert.match(mem.hint ?? '', /facility kern/);
    }
  }
});

test('resource.cluster-nodes: unusable fails, preempted warns', () => {
  const c = host({ kind: 'compute-cluster' });
  const ev = (unusable: number | null, maxPreempted: number | null) => evidence(c, {
    cluster: { ok: true, value: { events: 3, lastTime: '2026-11-26T05:50:00.000Z', unusableNodeCount: unusable, preemptedNodeCount: 0, maxPreemptedNodeCount: maxPreempted, clusterErrorCodes: '' } },
  });
  for (const [name, e, want] of [['unusable', ev(1, 0), 'fail'], ['preempted', ev(0, 2), 'warn'], ['healthy', ev(0, 0), 'pass'], ['no cluster events', evidence(c, {}), 'unknown']] as const) {
    runCase(check('resource.cluster-nodes'), { name, evidence: e, expect: want });
  }
});

test('resource.cluster-nodes: node counts the events do not carry are unknown, never a pass', () => {
  const c = host({ kind: 'compute-cluster' });
  const ev = (unusable: number | null, maxPreempted: number | null) => evidence(c, {
    cluster: { ok: true, value: { events: 3, lastTime: '2026-11-26T05:50:00.000Z', unusableNodeCount: unusable, preemptedNodeCount: null, maxPreemptedNodeCount: maxPreempted, clusterErrorCodes: '' } },
  });
  const cases: [number | null, number | null, CheckStatus][] = [
    [null, null, 'unknown'],
    [null, 0, 'unknown'],
    [0, null, 'unknown'],
    [null, 2, 'warn'],
    [1, null, 'fail'],
    [0, 0, 'pass'],
  ];
  for (const [unusable, preempted, want] of cases) {
    runCase(check('resource.cluster-nodes'), { name: `${unusable}/${preempted}`, evidence: ev(unusable, preempted), expect: want, ...(want === 'unknown' ? { hint: /AmlComputeClusterEvent/ } : {}) });
  }
});

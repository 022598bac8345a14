// Table-driven tests of the resource checks: compute state from facts, size thresholds from settings, and the
// log-based checks with the kernel's exact messages (mm/oom_kill.c) and near-misses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceChecks } from '../../../shared/checks/resource';
import { loadSettings } from '../../../shared/config';
import type { CheckStatus } from '../../../shared/model';
import type { HostEvidence } from '../../../shared/evidence/types';
import { evidence, host, kernelLog, launchLog, series, settings } from '../evidence-fixtures';

const check = (id: string) => {
  const c = resourceChecks.find((r) => r.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

function expectStatus(id: string, ev: HostEvidence, want: CheckStatus, s = settings) {
  const r = check(id).run(ev, s);
  assert.equal(r.status, want, `${id}: ${r.summary}`);
  return r;
}

test('resource.compute-state: states from CHECKS.md', () => {
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
  for (const [over, want] of cases) expectStatus('resource.compute-state', evidence(host(over)), want);
  const stopped = check('resource.compute-state').run(evidence(host({ facts: { state: 'Stopped', lastOperation: { operationTrigger: 'IdleShutdown' } } })), settings);
  assert.match(stopped.summary, /IdleShutdown/);
});

test('resource.vm-size: thresholds from settings, catalogue values', () => {
  const size = (name: string, vCPUs: number, memoryGB: number) => ({ ok: true as const, value: { name, vCPUs, memoryGB } });
  expectStatus('resource.vm-size', evidence(host(), {}, size('Standard_D2_v2', 2, 7)), 'fail');
  expectStatus('resource.vm-size', evidence(host(), {}, size('Standard_D1_v2', 1, 3.5)), 'fail');
  expectStatus('resource.vm-size', evidence(host(), {}, size('Standard_D2s_v3', 2, 8)), 'pass');
  expectStatus('resource.vm-size', evidence(host(), {}, size('Standard_DS11_v2', 2, 14)), 'pass');
  expectStatus('resource.vm-size', evidence(host(), {}, { ok: false, reason: 'not in catalogue' }), 'unknown');
  const strict = loadSettings({ TBMON_MIN_VCPUS: '4', TBMON_MIN_MEMORY_GB: '16' });
  expectStatus('resource.vm-size', evidence(host(), {}, size('Standard_D2s_v3', 2, 8)), 'fail', strict);
  const r = expectStatus('resource.vm-size', evidence(host({ kind: 'vm' }), {}, size('Standard_D2_v2', 2, 7)), 'fail');
  assert.match(r.remediation ?? '', /az vm resize --subscription 11111111-1111-1111-1111-111111111111 --resource-group rg-ml --name vm-tb --size Standard_D2s_v3/);
});

const memOk = { ok: true as const, value: { series: [series('memory-available-pct', { worstBinMax: 40 })] } };

test('resource.memory-pressure: OOM kills of tensorboard, python*, server', () => {
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
  for (const [msg, want] of kills) expectStatus('resource.memory-pressure', evidence(host(), { kernel: kernelLog([['05:30', 'kern', msg]]), metrics: memOk }), want);
  // the same text from another facility is not a kernel message
  expectStatus('resource.memory-pressure', evidence(host(), { kernel: kernelLog([['05:30', 'user', kills[0][0]]]), metrics: memOk }), 'pass');
});

test('resource.memory-pressure: with the launcher\'s pid known, only a kill of that pid is TensorBoard killed', () => {
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
  for (const [name, kill, launchLines, want] of cases) {
    const r = expectStatus('resource.memory-pressure', evidence(host(), { kernel: kernelLog([['05:30', 'kern', kill]]), metrics: memOk, ...(launchLines ? { launch: launchLines } : {}) }), want);
    assert.ok(r.summary.length > 0, name);
  }
});

test('resource.memory-pressure: low available memory, and never green without both sources', () => {
  const kernel = kernelLog([]);
  expectStatus('resource.memory-pressure', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-pct', { worstBinMax: 8 })] } } }), 'warn');
  expectStatus('resource.memory-pressure', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-pct', { worstBinMax: 10.5, min: 3 })] } } }), 'pass');
  // Perf MB needs the size: 1,000 MB of 16 GB = 6 %
  expectStatus('resource.memory-pressure', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-mb', { worstBinMax: 1000, source: 'Perf' })] } } }), 'warn');
  expectStatus('resource.memory-pressure', evidence(host(), { kernel, metrics: { ok: true, value: { series: [series('memory-available-mb', { worstBinMax: 1000 })] } } }, { ok: false, reason: 'unknown size' }), 'unknown');
  expectStatus('resource.memory-pressure', evidence(host(), { kernel, metrics: { ok: true, value: { series: [] } } }), 'unknown');
  expectStatus('resource.memory-pressure', evidence(host(), { metrics: memOk }), 'unknown');
  expectStatus('resource.memory-pressure', evidence(host(), { kernel: kernelLog([], { extraRows: 0, olderKernRows: 0 }), metrics: memOk }), 'unknown');
  // an OOM kill is a fail even without metrics
  expectStatus('resource.memory-pressure', evidence(host(), { kernel: kernelLog([['05:30', 'kern', 'Out of memory: Killed process 1 (tensorboard)']]) }), 'fail');
  const strict = loadSettings({ TBMON_MEMORY_WARN_PCT: '50' });
  expectStatus('resource.memory-pressure', evidence(host(), { kernel, metrics: memOk }), 'warn', strict);
});

test('resource.disk-pressure: fail < 10 %, warn < 20 % on any mount', () => {
  const disk = (...pcts: [string, number][]) => ({ ok: true as const, value: { series: pcts.map(([m, p]) => series('disk-free-pct', { instance: m, last: p })) } });
  expectStatus('resource.disk-pressure', evidence(host(), { metrics: disk(['/', 50], ['/mnt', 9.9]) }), 'fail');
  expectStatus('resource.disk-pressure', evidence(host(), { metrics: disk(['/', 15]) }), 'warn');
  expectStatus('resource.disk-pressure', evidence(host(), { metrics: disk(['/', 20], ['/mnt', 80]) }), 'pass');
  expectStatus('resource.disk-pressure', evidence(host(), { metrics: { ok: true, value: { series: [] } } }), 'unknown');
  expectStatus('resource.disk-pressure', evidence(host(), {}), 'unknown');
  const cluster = host({ kind: 'compute-cluster' });
  const azureMetrics = (avail: number, used: number) => ({ ok: true as const, value: { series: [series('disk-avail-mb', { last: avail, source: 'AzureMetrics' }), series('disk-used-mb', { last: used, source: 'AzureMetrics' })] } });
  expectStatus('resource.disk-pressure', evidence(cluster, { metrics: azureMetrics(5_000, 95_000) }), 'fail');
  expectStatus('resource.disk-pressure', evidence(cluster, { metrics: azureMetrics(50_000, 50_000) }), 'pass');
});

test('resource.cpu-saturation: average over the window above 90 %', () => {
  const cpu = (avg: number, extra: Partial<ReturnType<typeof series>> = {}) => series('cpu-pct', { avg, ...extra });
  expectStatus('resource.cpu-saturation', evidence(host(), { metrics: { ok: true, value: { series: [cpu(95)] } } }), 'warn');
  expectStatus('resource.cpu-saturation', evidence(host(), { metrics: { ok: true, value: { series: [cpu(90)] } } }), 'pass');
  expectStatus('resource.cpu-saturation', evidence(host(), { metrics: { ok: true, value: { series: [cpu(20), cpu(93, { source: 'Perf' })] } } }), 'warn');
  expectStatus('resource.cpu-saturation', evidence(host(), { metrics: { ok: true, value: { series: [] } } }), 'unknown');
});

test('resource.kernel-network: SYN flooding on the TensorBoard port fails, other kernel network trouble warns', () => {
  const k = (msg: string) => evidence(host(), { kernel: kernelLog([['05:30', 'kern', msg]]) });
  expectStatus('resource.kernel-network', k('TCP: request_sock_TCP: Possible SYN flooding on port 6006. Sending cookies.  Check SNMP counters.'), 'fail');
  expectStatus('resource.kernel-network', k('TCP: request_sock_TCP: Possible SYN flooding on port [::]:6006. Sending cookies.'), 'fail');
  expectStatus('resource.kernel-network', k('TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:6006. Sending cookies.'), 'fail');
  expectStatus('resource.kernel-network', k('TCP: request_sock_TCP: Possible SYN flooding on port 22. Sending cookies.'), 'warn');
  expectStatus('resource.kernel-network', k('TCP: request_sock_TCP: Possible SYN flooding on port 60061. Sending cookies.'), 'warn');
  expectStatus('resource.kernel-network', k('nf_conntrack: nf_conntrack: table full, dropping packet'), 'warn');
  expectStatus('resource.kernel-network', k('TCP: out of memory -- consider tuning tcp_mem'), 'warn');
  expectStatus('resource.kernel-network', k('nf_conntrack: default automatic helper assignment has been turned off'), 'pass');
  expectStatus('resource.kernel-network', evidence(host(), { kernel: kernelLog([], { extraRows: 0, olderKernRows: 0 }) }), 'unknown');
});

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
  expectStatus('resource.cluster-nodes', ev(1, 0), 'fail');
  expectStatus('resource.cluster-nodes', ev(0, 2), 'warn');
  expectStatus('resource.cluster-nodes', ev(0, 0), 'pass');
  expectStatus('resource.cluster-nodes', evidence(c, {}), 'unknown');
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
    const r = expectStatus('resource.cluster-nodes', ev(unusable, preempted), want);
    if (want === 'unknown') assert.match(r.hint ?? '', /AmlComputeClusterEvent/, `hint for ${unusable}/${preempted}`);
  }
});

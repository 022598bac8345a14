// Coverage of one host: which evidence families tbmon could see, which not and why, and — for each missing one —
// where it is fixed (a small key the fleet aggregate groups by; shared/coverage/fixes.ts turns it into the fix).
// Pure: a function of the host's evidence, like a check.
import { runStateOf } from '../checks/resource/compute-state';
import { kernProof } from '../checks/resource/kern-proof';
import type { HostEvidence } from '../evidence/types';
import { type Gathered, type HostCoverage, type CoverageFamily, type CoverageGapRef, type FamilyCoverage, type HostRecord, canonicalId } from '../model';
import type { MetricName } from '../evidence/log-types';

/** Families in the order reports show them. */
export const COVERAGE_FAMILIES: readonly CoverageFamily[] = ['launch-log', 'kernel', 'memory', 'disk', 'cpu', 'flow-logs', 'network', 'compute-state'];

export const FAMILY_LABELS: Record<CoverageFamily, string> = {
  'launch-log': 'launch log',
  kernel: 'kernel messages',
  memory: 'memory metrics',
  disk: 'disk metrics',
  cpu: 'CPU metrics',
  'flow-logs': 'flow logs',
  network: 'NSGs and routes',
  'compute-state': 'compute state',
};

/** A read that failed (throttled, timed out, partial): a run error, not a configuration gap — no fix is proposed. */
const READ_FAILED = /\bfailed\b|partial result/i;

function armParent(id: string, depth: number): string {
  return id.split('/').slice(0, depth).join('/');
}

/** `/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c` → the workspace id. */
export function mlWorkspaceIdOf(host: HostRecord): string | null {
  if (host.facts.workspaceId) return host.facts.workspaceId;
  const i = host.id.indexOf('/computes/');
  return i > 0 ? host.id.slice(0, i) : null;
}

function vnetOf(ev: HostEvidence): string | null {
  const subnet = ev.host.facts.subnetId
    ?? (ev.network.ok ? (ev.network.value.nics ?? []).flatMap((n) => (n.state === 'found' && n.value.subnet.state === 'found' ? [n.value.subnet.value.id] : []))[0] ?? null : null);
  if (!subnet) return null;
  const i = canonicalId(subnet).indexOf('/subnets/');
  return i > 0 ? subnet.slice(0, i) : subnet;
}

function laWith(host: HostRecord): Record<string, string> {
  const out: Record<string, string> = { location: host.location };
  if (host.facts.logAnalyticsResourceId) out.logAnalyticsResourceId = host.facts.logAnalyticsResourceId;
  return out;
}

/** Where a host with no Log Analytics workspace gets one: its ML workspace's diagnostic setting, or a tag on the VM. */
function noWorkspaceGap(host: HostRecord): CoverageGapRef {
  const ws = mlWorkspaceIdOf(host);
  if (host.kind !== 'vm' && ws) return { kind: 'diagnostic-setting', target: ws, with: { location: host.location } };
  return { kind: 'log-analytics-route', target: armParent(host.id, 5) };
}

/** The data collection rule a Log Analytics workspace needs (Syslog user + kern, the counters tbmon reads). */
function dcrGap(host: HostRecord): CoverageGapRef {
  return { kind: 'data-collection-rule', target: host.logAnalyticsWorkspaceId as string, with: laWith(host) };
}

function missingFrom(family: CoverageFamily, g: Extract<Gathered<unknown>, { ok: false }>, gap: CoverageGapRef | undefined): FamilyCoverage {
  return READ_FAILED.test(g.reason) ? { family, state: 'missing', reason: g.reason } : { family, state: 'missing', reason: g.reason, ...(gap ? { gap } : {}) };
}

const METRICS: Record<'memory' | 'disk' | 'cpu', readonly MetricName[]> = {
  memory: ['memory-available-pct', 'memory-available-mb'],
  disk: ['disk-free-pct', 'disk-avail-mb', 'disk-used-mb'],
  cpu: ['cpu-pct'],
};

export function hostCoverage(ev: HostEvidence): HostCoverage {
  const { host, logs } = ev;
  const hasWorkspace = !!host.logAnalyticsWorkspaceId;
  const noWs = hasWorkspace ? undefined : noWorkspaceGap(host);
  const families: FamilyCoverage[] = [];

  // Launch log: the launcher's lines; a VM that sends no Syslog at all needs its rule first.
  const launch = logs.launch;
  const syslogSilent = logs.kernel.ok && logs.kernel.value.syslogRows === 0;
  const launchGap: CoverageGapRef | undefined = noWs ?? (host.kind === 'vm' && syslogSilent ? dcrGap(host) : { kind: 'launcher', target: host.kind, with: { resourceGroup: host.resourceGroup, subscriptionId: host.subscriptionId } });
  if (launch.ok && launch.value.rows > 0) families.push({ family: 'launch-log', state: 'seen' });
  else if (launch.ok) families.push({ family: 'launch-log', state: 'missing', reason: `no ${launch.value.table} rows tagged ${launch.value.tag} from ${host.name} in the window`, ...(launchGap ? { gap: launchGap } : {}) });
  else families.push(missingFrom('launch-log', launch, launchGap));

  // Kernel: a kern row, or (VMs) an associated rule that collects kern plus some Syslog row.
  const kernel = logs.kernel;
  if (kernel.ok) {
    const proof = kernProof(ev, kernel.value);
    if (proof.proven) families.push({ family: 'kernel', state: 'seen', proof: proof.by === 'rule' ? `data collection rule ${proof.rule} collects kern and Syslog arrives` : 'a kern row in the coverage period' });
    else {
      const lacking = host.kind === 'vm' && ev.collection?.ok
        ? ev.collection.value.rules.find((r) => r.readable && r.name === proof.rule && r.syslog.length > 0)
        : undefined;
      const gap: CoverageGapRef = lacking ? { kind: 'rule-update', target: lacking.id, with: { source: lacking.syslog[0].name, facilities: lacking.syslog[0].facilityNames.join(' ') } } : dcrGap(host);
      families.push({ family: 'kernel', state: 'missing', reason: proof.summary, gap });
    }
  } else families.push(missingFrom('kernel', kernel, noWs ?? (hasWorkspace ? dcrGap(host) : undefined)));

  // Memory, disk, CPU: per metric, from whichever table the workspace has.
  for (const family of ['memory', 'disk', 'cpu'] as const) {
    const metrics = logs.metrics;
    const ws = mlWorkspaceIdOf(host);
    const gap: CoverageGapRef | undefined = noWs
      ?? (host.kind === 'compute-cluster' && ws ? { kind: 'diagnostic-setting', target: ws, with: { ...laWith(host), sendsTo: host.logAnalyticsWorkspaceId as string } } : dcrGap(host));
    if (!metrics.ok) families.push(missingFrom(family, metrics, gap));
    else if ((metrics.value.series ?? []).some((s) => METRICS[family].includes(s.metric) && s.samples > 0)) families.push({ family, state: 'seen' });
    else families.push({ family, state: 'missing', reason: `no ${FAMILY_LABELS[family]} from ${host.name} in the window`, ...(gap ? { gap } : {}) });
  }

  // Flow logs: traffic analytics rows that show the host's VM, NIC, address or subnet.
  const flows = logs.flows;
  const vnet = vnetOf(ev);
  const flowGap: CoverageGapRef | undefined = noWs ?? (vnet ? { kind: 'flow-logs', target: vnet, with: { ...laWith(host), logAnalyticsWorkspaceId: host.logAnalyticsWorkspaceId as string } } : undefined);
  if (flows.ok && flows.value.hostRows > 0) families.push({ family: 'flow-logs', state: 'seen' });
  else if (flows.ok) families.push({ family: 'flow-logs', state: 'missing', reason: `no traffic-analytics rows show ${host.name} in the window`, ...(flowGap ? { gap: flowGap } : {}) });
  else if (hasWorkspace && !vnet) families.push({ family: 'flow-logs', state: 'not-applicable', reason: flows.reason });
  else families.push(missingFrom('flow-logs', flows, flowGap));

  // NSGs and routes: only for hosts in a customer VNet.
  const inVnet = host.kind === 'vm' || !!host.facts.subnetId;
  const reader: CoverageGapRef = { kind: 'reader-access', target: armParent(host.id, 3) };
  if (!inVnet) families.push({ family: 'network', state: 'not-applicable', reason: 'the compute is not in a customer virtual network (AzureML manages its network)' });
  else if (!ev.network.ok) families.push(missingFrom('network', ev.network, reader));
  else {
    const n = ev.network.value;
    const nics = n.nics ?? [];
    const unreadable = host.kind === 'vm'
      ? nics.find((x) => x.state === 'unreadable') ?? (nics.length ? undefined : { state: 'unreadable' as const, id: host.id, reason: 'the VM names no network interface' })
      : n.subnet?.state === 'unreadable' ? n.subnet : undefined;
    if (unreadable && unreadable.state === 'unreadable') families.push({ family: 'network', state: 'missing', reason: `${unreadable.id}: ${unreadable.reason}`, gap: reader });
    else families.push({ family: 'network', state: 'seen' });
  }

  // Compute state: the state Azure reports for the compute or VM.
  if (runStateOf(host) !== 'unknown') families.push({ family: 'compute-state', state: 'seen' });
  else families.push({ family: 'compute-state', state: 'missing', reason: `Azure reported no state tbmon knows for ${host.name} (state ${host.facts.state ?? 'none'}, provisioning ${host.facts.provisioningState ?? 'none'})`, gap: reader });

  // An AzureML job's output never reaches Log Analytics (its logs are in the job's outputs, system_logs/): its
  // TensorBoard service is judged from the job list, so the log families do not apply and no fix is proposed for them.
  if (host.kind === 'job-service') return { families: families.map((f) => (JOB_NOT_APPLICABLE.has(f.family) ? { family: f.family, state: 'not-applicable', reason: JOB_REASON } : f)) };
  return { families };
}

const JOB_NOT_APPLICABLE: ReadonlySet<CoverageFamily> = new Set(['launch-log', 'kernel', 'memory', 'disk', 'cpu', 'flow-logs']);
const JOB_REASON = 'an AzureML job\'s output does not reach Log Analytics: its TensorBoard service is judged from the job list (its logs are in the job\'s outputs, system_logs/)';

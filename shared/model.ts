// The product's shared vocabulary: hosts, evidence envelopes, check results and reports (DESIGN.md § Contracts).
// Every room imports these; schemas/*.json say the same thing for what crosses a process boundary.

export type HostKind = 'compute-instance' | 'compute-cluster' | 'vm' | 'job-service';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown' | 'skipped';
export type HostStatus = 'pass' | 'warn' | 'fail' | 'unknown';
export type CheckClass = 'resource' | 'network' | 'script' | 'job';
export type Severity = 'high' | 'medium' | 'low';
export type ApiName = 'resourceGraph' | 'arm' | 'logAnalytics' | 'email' | 'teams';

/**
 * ARM ids compare case-insensitively; tbmon's one form of an id is lower case. Discovery makes a host's ids canonical
 * once where they enter (identify.ts, jobs.ts), so code holding a HostRecord compares and keys them as they are. Raw
 * input — what a person typed, ARM/Graph/Log Analytics JSON, records read back from storage — goes through this.
 */
export function canonicalId(id: string): string {
  return id.toLowerCase();
}

/**
 * A host as it appears in reports (report.v1.json `hosts[].host`). Invariant: `id`, `subscriptionId` and the ARM ids
 * in `facts` (workspaceId, subnetId, nicIds, logAnalyticsResourceId) are canonical (lower case, see canonicalId) in
 * every record discovery builds; `name` and `resourceGroup` keep Azure's spelling for people. Reports stored before
 * the invariant may hold mixed case: code reading stored records compares through canonicalId.
 */
export interface Host {
  /** ARM id of the compute (…/workspaces/{ws}/computes/{name}), the job, or the VM; canonical (lower case). */
  id: string;
  name: string;
  kind: HostKind;
  subscriptionId: string;
  resourceGroup: string;
  /** ML workspace name; null for a VM. */
  workspace: string | null;
  location: string;
  /** Where TensorBoard itself listens (script checks). */
  port: number;
  /** What clients and proxies reach on the host (network checks). */
  publishedPort: number;
  owners: string[];
  /** Log Analytics workspace customer id (GUID) holding this host's logs, or null when none is known. */
  logAnalyticsWorkspaceId: string | null;
}

/** Facts discovery already read about a host (from Resource Graph or ARM), carried so evaluation need not re-read. */
export interface HostFacts {
  /** VM size name as Azure spells it (compare case-insensitively). */
  vmSize: string | null;
  /** Compute instance / cluster `properties.properties.state`, or for a VM its power state code (`PowerState/running`). */
  state: string | null;
  provisioningState: string | null;
  /** Compute `properties.provisioningErrors` / `properties.properties.errors`, as Azure returns them. */
  errors: unknown[] | null;
  lastOperation: { operationName?: string; operationTrigger?: string; operationStatus?: string; operationTime?: string } | null;
  /** Compute `properties.properties.enableNodePublicIp` (instances) / cluster equivalent; null when unknown (default true in Azure). */
  enableNodePublicIp: boolean | null;
  /** Subnet ARM id of a compute instance or cluster; null when the compute is not in a customer VNet. */
  subnetId: string | null;
  /** Network interface ARM ids (VMs). */
  nicIds: string[];
  /** The OS computer name where known (VMs: `properties.osProfile.computerName`) — how Syslog rows name the host. */
  computerName: string | null;
  /** ML workspace ARM id (compute hosts); null for VMs. */
  workspaceId: string | null;
  /**
   * A compute instance's private IP (`properties.properties.connectivityEndpoints.privateIpAddress`): ties traffic-
   * analytics flows to this host rather than to its whole subnet. Absent/null for clusters (nodes come and go) and
   * VMs (matched by VM and NIC), and in records stored before discovery read it.
   */
  privateIp?: string | null;
  /**
   * A compute instance found through a TensorBoard custom application (customServices), not only the host tag: it is
   * reached through the published port, never through the AzureML proxy. Set once by discovery (identify.ts); false
   * for clusters and VMs; absent in records stored before discovery set it.
   */
  customApplication?: boolean;
  /**
   * ARM id of the Log Analytics workspace `logAnalyticsWorkspaceId` names, when discovery knows it (a tag or diagnostic
   * setting naming the ARM id, or the scope inventory's workspaces): coverage fixes name it. Absent in older records.
   */
  logAnalyticsResourceId?: string | null;
  /**
   * Compute instances: whether `properties.properties.setupScripts.scripts.startupScript` names a script (it runs on
   * every start; a creationScript runs once). Absent when unknown (clusters, VMs, records stored before discovery
   * read it).
   */
  startupScript?: boolean;
  /** Job-service hosts: the job and its TensorBoard service as the workspace's job list gave them. */
  job?: JobServiceFacts;
}

/** An AzureML v2 job's TensorBoard service (REST JobBase `properties.services.<name>`, `properties.status`). */
export interface JobServiceFacts {
  /** `properties.status` (JobStatus: NotStarted … Running, Finalizing, CancelRequested, NotResponding, Paused, Unknown). */
  status: string | null;
  displayName: string | null;
  experimentName: string | null;
  /** `properties.computeId`: the compute (cluster) the job runs on. */
  computeId: string | null;
  /** `systemData.createdAt` (ISO). */
  createdAt: string | null;
  /** When discovery read the job list (ISO): the clock the check measures the service's start-up against. */
  listedAt: string;
  /** The service's key under `properties.services`. */
  serviceName: string;
  service: { jobServiceType: string; status: string | null; errorMessage: string | null; endpoint: string | null; port: number | null };
}

/** A host as discovery hands it to evaluation (stored in a tb-evaluate batch). */
export interface HostRecord extends Host {
  tags: Record<string, string>;
  facts: HostFacts;
}

/** The report form of a host (report.v1.json `hosts[].host`): the record without tags and facts. */
export function hostOf(record: HostRecord): Host {
  const { id, name, kind, subscriptionId, resourceGroup, workspace, location, port, publishedPort, owners, logAnalyticsWorkspaceId } = record;
  return { id, name, kind, subscriptionId, resourceGroup, workspace, location, port, publishedPort, owners, logAnalyticsWorkspaceId };
}

/** Evidence of one family for one host: either the value, or why it is missing and how to enable it. */
export type Gathered<T> = { ok: true; value: T } | { ok: false; reason: string; hint?: string };

export interface CheckResult {
  id: string;
  class: CheckClass;
  status: CheckStatus;
  severity: Severity;
  summary: string;
  evidence?: Record<string, unknown>;
  remediation?: string;
  /** For `unknown`: what evidence was missing and how to enable it. */
  hint?: string;
  /** Informational findings that don't change the status. */
  notes?: string[];
  suppressed?: boolean;
  suppressReason?: string;
  /**
   * A source the check reads could not be read, and it could have made the verdict worse: the status is what the
   * rest showed (warn or fail, never pass) and `hint` names the missing source (CHECKS.md § Partial evidence). The
   * regression rules treat a partial status better than the last known one as a data gap.
   */
  partial?: true;
}

/** What a check's rule returns; the registry fills in id, class and severity from the check's metadata. */
export type CheckOutcome = Omit<CheckResult, 'id' | 'class' | 'severity' | 'suppressed' | 'suppressReason'> & { severity?: Severity };

export interface HostReport {
  host: Host;
  evaluatedAt: string;
  status: HostStatus;
  checks: CheckResult[];
  /** Which evidence families tbmon could see for this host, which not and why (absent in reports stored before it). */
  coverage?: HostCoverage;
}

/** The evidence families coverage accounts for (the sources the checks read). */
export type CoverageFamily = 'launch-log' | 'kernel' | 'memory' | 'disk' | 'cpu' | 'flow-logs' | 'network' | 'compute-state';

/**
 * Where a missing family is fixed, as small as a key: the fleet aggregate groups hosts by it and builds one fix per
 * gap from it (shared/coverage/fixes.ts). `target` is an ARM id, a Log Analytics customer id or a host kind.
 */
export interface CoverageGapRef {
  kind: 'diagnostic-setting' | 'data-collection-rule' | 'rule-update' | 'flow-logs' | 'launcher' | 'log-analytics-route' | 'reader-access';
  target: string;
  /** Names the fix needs beside the target (Log Analytics ARM id, location, …); never a host list. */
  with?: Record<string, string>;
}

export interface FamilyCoverage {
  family: CoverageFamily;
  state: 'seen' | 'missing' | 'not-applicable';
  /** How a seen family was proven, where it matters (kernel: a `kern` row, or an associated rule plus Syslog rows). */
  proof?: string;
  /** Why a family is missing or does not apply. */
  reason?: string;
  gap?: CoverageGapRef;
}

export interface HostCoverage {
  families: FamilyCoverage[];
}

/** One gap of the fleet: the hosts it hides families of (a count), and the one fix at the level it is fixed. */
export interface CoverageGap {
  kind: CoverageGapRef['kind'];
  /** What the fix is applied to: ML workspace, Log Analytics workspace, rule, virtual network, subscription, host kind. */
  level: 'ml-workspace' | 'log-analytics-workspace' | 'data-collection-rule' | 'virtual-network' | 'resource-group' | 'subscription' | 'host';
  target: string;
  families: CoverageFamily[];
  hosts: number;
  /** One host it applies to (a name), for orientation; never the list. */
  example: string;
  fix: { summary: string; /** What to paste: an az command where Azure changes, a shell line for the launcher. */ command: string; bicep?: string };
}

export interface FleetCoverage {
  hosts: number;
  families: { family: CoverageFamily; seen: number; missing: number; notApplicable: number }[];
  /** Largest first (hosts, then families). */
  gaps: CoverageGap[];
}

export interface RunError {
  /** What could not be done: a subscription id, a workspace id, an API name, a host id. */
  scope: string;
  code: string;
  message: string;
}

export type RequestCounts = Record<ApiName, number>;

export interface RunStats {
  durationMs: number;
  requests: RequestCounts;
}

export interface Report {
  schemaVersion: 1;
  generatedAt: string;
  hosts: HostReport[];
  summary: { hosts: number; pass: number; warn: number; fail: number; unknown: number };
  stats: RunStats;
  errors: RunError[];
  /** The fleet's evidence coverage with one fix per gap (absent only in reports written before it). */
  coverage?: FleetCoverage;
}

const HOST_STATUS_RANK: Record<HostStatus, number> = { pass: 0, unknown: 1, warn: 2, fail: 3 };

/**
 * A host's status is the worst of its checks (fail > warn > unknown > pass); skipped and suppressed checks don't count,
 * and a host with no check that counts is unknown.
 */
export function hostStatus(checks: readonly CheckResult[]): HostStatus {
  // Nothing counted (every check skipped or suppressed: a stopped host) means nothing was judged — unknown, not pass.
  let worst: HostStatus | null = null;
  for (const c of checks) {
    if (c.suppressed || c.status === 'skipped') continue;
    const s = c.status as HostStatus;
    if (worst === null || HOST_STATUS_RANK[s] > HOST_STATUS_RANK[worst]) worst = s;
  }
  return worst ?? 'unknown';
}

export function emptyRequestCounts(): RequestCounts {
  return { resourceGraph: 0, arm: 0, logAnalytics: 0, email: 0, teams: 0 };
}

/** The requests made between two snapshots of a request counter, per API. */
export function requestsBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  const out = emptyRequestCounts();
  for (const api of Object.keys(out) as ApiName[]) out[api] = after[api] - before[api];
  return out;
}

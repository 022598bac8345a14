// Which Log Analytics workspace (customer id) holds each host's logs (DESIGN.md § Host kinds): the host's
// `tbmon-log-analytics` tag (customer id or ARM id), else the diagnostic settings of its ML workspace (read once per
// ML workspace per run), else TBMON_LOG_ANALYTICS_WORKSPACE_ID, else none. A Log Analytics ARM id maps to its
// customer id through the Resource Graph rows discovery already read, else one ARM read per workspace per run.
import { API_VERSIONS, type AzureContext } from '../azure';
import { isGuid } from '../config';
import { type RunError, canonicalId } from '../model';
import type { IdentifiedHost } from './identify';
import { mapLimited } from '../limit';

// Segments without ? # % \ or spaces, and none of them `.` or `..`: a tag value becomes an ARM GET, so it names one
// workspace and cannot steer the request's path or query.
const LA_ID = /^\/subscriptions\/[^/?#%\\\s]+\/resourceGroups\/[^/?#%\\\s]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/?#%\\\s]+$/i;
const isLaArmId = (s: string) => LA_ID.test(s) && !s.split('/').some((seg) => seg === '.' || seg === '..');

interface DiagnosticSetting {
  name?: string;
  properties?: { workspaceId?: string | null; logs?: { enabled?: boolean }[] | null };
}

export interface LogAnalyticsResolverOptions {
  /** Log Analytics ARM id (lower-cased) → customer id, from Resource Graph (consulted at each lookup: it may grow). */
  known?: Map<string, string>;
  defaultWorkspaceId: string | null;
  concurrency?: number;
  abortSignal?: AbortSignal;
}

export class LogAnalyticsResolver {
  private readonly customerIds = new Map<string, Promise<string | null>>();
  private readonly diagnostics = new Map<string, Promise<string | null>>();
  /** Customer id → the ARM id it was resolved from (coverage fixes name the workspace's ARM id). */
  private readonly armIds = new Map<string, string>();

  constructor(private readonly azure: AzureContext, private readonly errors: RunError[], private readonly options: LogAnalyticsResolverOptions) {
  }

  /** Customer id of a Log Analytics workspace ARM id; null (with a run error) when it cannot be read. */
  customerIdOf(laArmId: string): Promise<string | null> {
    const key = canonicalId(laArmId);
    // Read when asked: discovery's Resource Graph rows arrive batch by batch while hosts are being routed.
    const known = this.options.known?.get(key);
    if (known) {
      this.armIds.set(canonicalId(known), laArmId);
      return Promise.resolve(canonicalId(known));
    }
    let p = this.customerIds.get(key);
    if (!p) {
      p = this.azure.armGet<{ properties?: { customerId?: string } }>(laArmId, API_VERSIONS.operationalInsights, this.options.abortSignal).then(
        (ws) => {
          const id = ws?.properties?.customerId;
          if (typeof id === 'string' && isGuid(id)) {
            this.armIds.set(canonicalId(id), laArmId);
            return canonicalId(id);
          }
          this.errors.push({ scope: laArmId, code: 'LogAnalyticsWorkspaceUnresolved', message: 'the Log Analytics workspace has no customerId' });
          return null;
        },
        (e: Error) => {
          this.errors.push({ scope: laArmId, code: 'LogAnalyticsWorkspaceUnresolved', message: `could not read the Log Analytics workspace: ${e.message}` });
          return null;
        },
      );
      this.customerIds.set(key, p);
    }
    return p;
  }

  /** The ARM id of a workspace known by its customer id (resolved here, or among the scope's workspaces), if any. */
  private armIdOf(customerId: string): string | undefined {
    const c = canonicalId(customerId);
    const resolved = this.armIds.get(c);
    if (resolved) return resolved;
    for (const [id, known] of this.options.known ?? []) {
      if (canonicalId(known) === c) {
        this.armIds.set(c, id);
        return id;
      }
    }
    return undefined;
  }

  /** The customer id a `tbmon-log-analytics` tag names; null (with a run error) when the value is neither form. */
  async fromTag(value: string, hostId: string): Promise<string | null> {
    if (isGuid(value)) return canonicalId(value);
    if (isLaArmId(value)) return this.customerIdOf(value);
    this.errors.push({ scope: hostId, code: 'InvalidLogAnalyticsTag', message: 'the tbmon-log-analytics tag is neither a workspace customer id (GUID) nor a Log Analytics workspace ARM id' });
    return null;
  }

  /** The Log Analytics workspace an ML workspace's diagnostic settings send to; null when none does. */
  fromDiagnosticSettings(mlWorkspaceId: string): Promise<string | null> {
    const key = canonicalId(mlWorkspaceId);
    let p = this.diagnostics.get(key);
    if (!p) {
      p = this.azure
        .armGet<{ value?: DiagnosticSetting[] }>(`${mlWorkspaceId}/providers/Microsoft.Insights/diagnosticSettings`, API_VERSIONS.diagnosticSettings, this.options.abortSignal)
        .then(
          (res) => {
            const target = chooseDiagnosticTarget(res?.value ?? []);
            return target ? this.customerIdOf(target) : null;
          },
          (e: Error) => {
            this.errors.push({ scope: mlWorkspaceId, code: 'DiagnosticSettingsUnreadable', message: `could not read the ML workspace's diagnostic settings: ${e.message}` });
            return null;
          },
        );
      this.diagnostics.set(key, p);
    }
    return p;
  }

  /**
   * Fills `logAnalyticsWorkspaceId` of every host (in place). Lookups run per distinct tag value and per distinct ML
   * workspace, `concurrency` at a time — never per host, and never serialised behind one workspace's hosts.
   */
  async resolveAll(hosts: readonly IdentifiedHost[]): Promise<void> {
    const limit = this.options.concurrency ?? 8;
    const tagHolders = new Map<string, string>();
    for (const h of hosts) if (h.logAnalyticsTag && !tagHolders.has(h.logAnalyticsTag)) tagHolders.set(h.logAnalyticsTag, h.record.id);
    const fromTags = new Map<string, string | null>();
    await mapLimited([...tagHolders], limit, async ([value, hostId]) => {
      fromTags.set(value, await this.fromTag(value, hostId));
    });

    const needDiagnostics = new Map<string, string>();
    for (const h of hosts) {
      const ws = h.record.facts.workspaceId;
      if (ws && !(h.logAnalyticsTag && fromTags.get(h.logAnalyticsTag))) needDiagnostics.set(ws, ws);
    }
    const fromDiagnostics = new Map<string, string | null>();
    await mapLimited([...needDiagnostics], limit, async ([key, ws]) => {
      fromDiagnostics.set(key, await this.fromDiagnosticSettings(ws));
    });

    for (const h of hosts) {
      const tagged = h.logAnalyticsTag ? fromTags.get(h.logAnalyticsTag) ?? null : null;
      const ws = h.record.facts.workspaceId;
      h.record.logAnalyticsWorkspaceId = tagged ?? (ws ? fromDiagnostics.get(ws) ?? null : null) ?? this.options.defaultWorkspaceId;
      const armId = h.record.logAnalyticsWorkspaceId ? this.armIdOf(h.record.logAnalyticsWorkspaceId) : undefined;
      if (armId) h.record.facts.logAnalyticsResourceId = armId;
    }
  }
}

/** The Log Analytics workspace of the first setting that sends logs to one (any setting with a workspace otherwise). */
export function chooseDiagnosticTarget(settings: readonly DiagnosticSetting[]): string | null {
  const withWorkspace = settings.filter((s) => typeof s.properties?.workspaceId === 'string' && s.properties.workspaceId !== '');
  const sendingLogs = withWorkspace.find((s) => (s.properties?.logs ?? []).some((l) => l.enabled !== false));
  return (sendingLogs ?? withWorkspace[0])?.properties?.workspaceId ?? null;
}

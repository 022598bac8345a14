// The sandbox tenant file format (../shared/SANDBOX.md): Azure's own JSON shapes. Unknown fields are kept.

export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface TenantSubscription {
  id?: string;
  subscriptionId: string;
  displayName?: string;
  state?: string;
  tenantId?: string;
  [key: string]: unknown;
}

export interface TenantManagementGroup {
  id: string;
  name: string;
  displayName?: string;
  subscriptions?: string[];
  children?: string[];
  [key: string]: unknown;
}

export type LogRow = Record<string, unknown>;

export interface TenantLogAnalyticsWorkspace {
  resourceId?: string;
  tables: Record<string, LogRow[]>;
}

export interface FaultRule {
  method?: string;
  path: string;
  status?: number;
  headers?: Record<string, string>;
  error?: unknown;
  latencyMs?: number;
  drop?: boolean;
  /** `malformed`: 200 with a truncated body; `partial-error`: the normal answer plus Log Analytics' PartialError. */
  body?: 'malformed' | 'partial-error';
  times?: number;
  /** Share of the matching requests it applies to (0–1, seeded by the tenant's `faultSeed`); every one when absent. */
  chance?: number;
}

export interface Tenant {
  now: string;
  tenantId?: string;
  managementGroups?: TenantManagementGroup[];
  subscriptions: TenantSubscription[];
  resources: ArmResource[];
  serviceTags?: Record<string, { name: string; id?: string; properties: { addressPrefixes: string[]; [k: string]: unknown } }[]>;
  vmSizes?: Record<string, { name: string; vCPUs?: number; memoryGB?: number; [k: string]: unknown }[]>;
  /** Compute resource SKUs (Microsoft.Compute/skus value[]), for VM hosts' sizes. */
  computeSkus?: Record<string, unknown>[];
  diagnosticSettings?: Record<string, { name: string; id?: string; properties: { workspaceId?: string; [k: string]: unknown } }[]>;
  logAnalytics?: Record<string, TenantLogAnalyticsWorkspace>;
  resourceGraph?: {
    excludeTypes?: string[];
    /** Queries per window per caller before 429 (Azure: 15 per 5 s). Tests that don't study throttling raise it. */
    quota?: { limit?: number; windowMs?: number };
  };
  communication?: { accessKey?: string };
  teams?: { channels?: string[] };
  faults?: FaultRule[];
  /** Seed of the `chance` draws of the fault rules (default 1). */
  faultSeed?: number;
  [key: string]: unknown;
}

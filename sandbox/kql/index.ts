// Owned by the KQL room (issue 3). The sandbox's server routes call these two entry points. Queries are parsed by
// Microsoft's Kusto language service and evaluated over the tenant's data (see engine.ts); an operator or function
// the engine does not evaluate is a KqlError (400) naming it.
import type { Tenant } from '../tenant-types';
import { queryWorkspace as queryLogAnalytics } from './log-analytics';
import { queryResourceGraph } from './resource-graph';

export { KqlError } from './errors';
/** Optional: load the Kusto language service before the first query needs it (about 1.5 s, synchronous). */
export { warmUp as warmUpKqlEngine } from './language';

export interface ResourceGraphRequestBody {
  query: string;
  subscriptions?: string[];
  managementGroups?: string[];
  options?: { $top?: number; $skip?: number; $skipToken?: string; resultFormat?: 'table' | 'objectArray'; [k: string]: unknown };
}

export interface ResourceGraphResponse {
  totalRecords: number;
  count: number;
  resultTruncated: 'true' | 'false';
  $skipToken?: string;
  data: unknown;
  facets: unknown[];
}

export interface LogAnalyticsRequestBody {
  query: string;
  timespan?: string;
  workspaces?: string[];
}

export interface LogAnalyticsResponse {
  tables: { name: string; columns: { name: string; type: string }[]; rows: unknown[][] }[];
}

export function runResourceGraphQuery(tenant: Tenant, body: ResourceGraphRequestBody): ResourceGraphResponse {
  return queryResourceGraph(tenant, body);
}

/** `null` when the workspace holds no data at all (the route answers 204). */
export function runLogAnalyticsQuery(tenant: Tenant, workspaceId: string, body: LogAnalyticsRequestBody): LogAnalyticsResponse | null {
  return queryLogAnalytics(tenant, workspaceId, body);
}

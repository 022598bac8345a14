// Owned by the KQL room (issue 3). The sandbox's server routes call these two entry points; until the engine lands
// they may answer plain table scans. Signatures are the contract between the server and the engine.
import type { Tenant } from '../tenant-types';

export class KqlError extends Error {
  constructor(message: string, readonly code = 'BadArgumentError', readonly status = 400) {
    super(message);
    this.name = 'KqlError';
  }
}

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

export function runResourceGraphQuery(_tenant: Tenant, _body: ResourceGraphRequestBody): ResourceGraphResponse {
  throw new KqlError('the KQL engine is not built yet', 'NotImplemented', 501);
}

/** `null` when the workspace holds no data at all (the route answers 204). */
export function runLogAnalyticsQuery(_tenant: Tenant, _workspaceId: string, _body: LogAnalyticsRequestBody): LogAnalyticsResponse | null {
  throw new KqlError('the KQL engine is not built yet', 'NotImplemented', 501);
}

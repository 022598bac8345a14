// Azure Resource Graph: POST /providers/Microsoft.ResourceGraph/resources. The KQL engine (./kql) answers the query;
// this module adds what the service adds around it — the per-caller quota with its headers and 429 — and, until the
// engine is built, a plain table scan so the route works end to end.
import { KqlError, runResourceGraphQuery, type ResourceGraphRequestBody, type ResourceGraphResponse } from './kql';
import { errorReply, header, jsonBody, type Reply, type SandboxRequest } from './http';
import type { Tenant } from './tenant-types';

/** Azure: "a user can send at most 15 queries within every 5-second window". */
export const DEFAULT_GRAPH_QUOTA = { limit: 15, windowMs: 5_000 };

function hhmmss(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** A fixed window per caller (the security principal; here: the authorization header). */
export class GraphQuota {
  private readonly windows = new Map<string, { start: number; used: number }>();

  take(caller: string, tenant: Tenant, nowMs = Date.now()): { allowed: boolean; headers: Record<string, string> } {
    const limit = tenant.resourceGraph?.quota?.limit ?? DEFAULT_GRAPH_QUOTA.limit;
    const windowMs = tenant.resourceGraph?.quota?.windowMs ?? DEFAULT_GRAPH_QUOTA.windowMs;
    let w = this.windows.get(caller);
    if (!w || nowMs >= w.start + windowMs) {
      w = { start: nowMs, used: 0 };
      this.windows.set(caller, w);
    }
    const resetsInMs = w.start + windowMs - nowMs;
    if (w.used >= limit) {
      return {
        allowed: false,
        headers: {
          'x-ms-user-quota-remaining': '0',
          'x-ms-user-quota-resets-after': hhmmss(resetsInMs),
          'retry-after': String(Math.max(1, Math.ceil(resetsInMs / 1000))),
        },
      };
    }
    w.used += 1;
    return { allowed: true, headers: { 'x-ms-user-quota-remaining': String(limit - w.used), 'x-ms-user-quota-resets-after': hhmmss(resetsInMs) } };
  }

  reset(): void {
    this.windows.clear();
  }
}

/** Resource Graph's view of a resource: type lower-cased, subscriptionId and resourceGroup columns added. */
function graphRow(r: Tenant['resources'][number], tenantId: string | undefined): Record<string, unknown> {
  const segs = r.id.split('/');
  return {
    ...r,
    type: r.type.toLowerCase(),
    tenantId,
    subscriptionId: segs[2],
    resourceGroup: segs[3]?.toLowerCase() === 'resourcegroups' ? segs[4].toLowerCase() : '',
  };
}

/** Temporary stand-in while the KQL engine answers NotImplemented: the named table, unfiltered, paged. */
function tableScan(tenant: Tenant, body: ResourceGraphRequestBody): ResourceGraphResponse {
  const table = /^\s*([A-Za-z_]+)/.exec(body.query)?.[1]?.toLowerCase();
  const subs = body.subscriptions?.map((s) => s.toLowerCase());
  let rows: Record<string, unknown>[];
  if (table === 'resources') {
    const excluded = new Set((tenant.resourceGraph?.excludeTypes ?? []).map((t) => t.toLowerCase()));
    rows = tenant.resources.filter((r) => !excluded.has(r.type.toLowerCase())).map((r) => graphRow(r, tenant.tenantId));
  } else if (table === 'resourcecontainers') {
    rows = tenant.subscriptions.map((s) => ({
      id: `/subscriptions/${s.subscriptionId}`, name: s.subscriptionId, type: 'microsoft.resources/subscriptions',
      tenantId: s.tenantId ?? tenant.tenantId, subscriptionId: s.subscriptionId, resourceGroup: '',
      properties: { state: s.state, subscriptionPolicies: s.subscriptionPolicies }, tags: s.tags ?? {},
    }));
  } else {
    throw new KqlError(`The sandbox's table scan (used until the KQL engine lands) knows only 'resources' and 'resourcecontainers', not '${table}'.`);
  }
  if (subs) rows = rows.filter((r) => subs.includes(String(r.subscriptionId).toLowerCase()));
  const opts = body.options ?? {};
  const top = Math.min(Math.max(1, Number(opts.$top ?? 100)), 1000);
  const skip = opts.$skipToken ? decodeSkipToken(opts.$skipToken) : Number(opts.$skip ?? 0);
  const data = rows.slice(skip, skip + top);
  const next = skip + top < rows.length ? Buffer.from(JSON.stringify({ offset: skip + top })).toString('base64') : undefined;
  return {
    totalRecords: rows.length, count: data.length, resultTruncated: 'false', facets: [],
    ...(next ? { $skipToken: next } : {}),
    data: opts.resultFormat === 'table' ? toTable(data) : data,
  };
}

function decodeSkipToken(token: string): number {
  try {
    const offset = Number((JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }).offset);
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    /* fall through to the error */
  }
  throw new KqlError('The $skipToken is not valid.', 'BadRequest', 400);
}

function toTable(rows: Record<string, unknown>[]): { columns: { name: string; type: string }[]; rows: unknown[][] } {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const typeOf = (v: unknown) => (typeof v === 'object' && v !== null ? 'object' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string');
  const columns = names.map((name) => ({ name, type: typeOf(rows.find((r) => r[name] !== undefined && r[name] !== null)?.[name]) }));
  return { columns, rows: rows.map((r) => names.map((n) => r[n] ?? null)) };
}

export function graphReply(req: SandboxRequest, tenant: Tenant, quota: GraphQuota): Reply {
  if (req.method !== 'POST') return errorReply(405, 'MethodNotAllowed', 'Resource Graph queries are POSTs.');
  const q = quota.take(header(req, 'authorization') ?? '', tenant);
  if (!q.allowed) {
    return errorReply(429, 'RateLimiting', 'Too many requests. Please retry after the period given in the Retry-After header.', q.headers);
  }
  const body = jsonBody<ResourceGraphRequestBody>(req);
  if (!body || typeof body.query !== 'string' || body.query.trim() === '') {
    return errorReply(400, 'BadRequest', 'The request body must be JSON with a non-empty "query".', q.headers);
  }
  req.note.query = body.query;
  try {
    return { status: 200, headers: q.headers, body: answer(tenant, body) };
  } catch (e) {
    if (e instanceof KqlError) return errorReply(e.status, e.code, e.message, q.headers);
    throw e;
  }
}

function answer(tenant: Tenant, body: ResourceGraphRequestBody): ResourceGraphResponse {
  try {
    return runResourceGraphQuery(tenant, body);
  } catch (e) {
    if (e instanceof KqlError && e.code === 'NotImplemented') return tableScan(tenant, body);
    throw e;
  }
}

// Azure Resource Graph: POST /providers/Microsoft.ResourceGraph/resources. The KQL engine (./kql) answers the query
// (tables, scope, paging); this module adds what the service adds around it: the per-caller quota with its headers and 429.
import { KqlError, runResourceGraphQuery, type ResourceGraphRequestBody } from './kql';
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
    return { status: 200, headers: q.headers, body: runResourceGraphQuery(tenant, body) };
  } catch (e) {
    if (e instanceof KqlError) return errorReply(e.status, e.code, e.message, q.headers);
    throw e;
  }
}

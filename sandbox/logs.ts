// Log Analytics query API: POST /v1/workspaces/{customerId}/query (and the deprecated /v1/$batch the SDK's
// queryBatch uses). The KQL engine (./kql) answers; this module routes, finds the workspace and shapes errors.
import { KqlError, runLogAnalyticsQuery, type LogAnalyticsRequestBody } from './kql';
import { errorReply, jsonBody, type Reply, type SandboxRequest } from './http';
import type { Tenant } from './tenant-types';

function workspaceNotFound(id: string): Reply {
  return errorReply(404, 'WorkspaceNotFoundError', `The workspace '${id}' could not be found.`);
}

function findWorkspace(tenant: Tenant, id: string): string | undefined {
  return Object.keys(tenant.logAnalytics ?? {}).find((k) => k.toLowerCase() === id.toLowerCase());
}

function answer(tenant: Tenant, workspaceKey: string, body: LogAnalyticsRequestBody): Reply {
  try {
    const result = runLogAnalyticsQuery(tenant, workspaceKey, body);
    return result === null ? { status: 204 } : { status: 200, body: result };
  } catch (e) {
    if (e instanceof KqlError) return errorReply(e.status, e.code, e.message);
    throw e;
  }
}

function queryReply(req: SandboxRequest, tenant: Tenant, workspaceId: string): Reply {
  req.note.workspace = workspaceId;
  const body = req.method === 'GET'
    ? { query: req.query.get('query') ?? '', timespan: req.query.get('timespan') ?? undefined }
    : jsonBody<LogAnalyticsRequestBody>(req);
  if (!body || typeof body.query !== 'string' || body.query.trim() === '') {
    return errorReply(400, 'BadArgumentError', 'The request had some invalid properties: a non-empty "query" is required.');
  }
  req.note.query = body.query;
  const key = findWorkspace(tenant, workspaceId);
  if (!key) return workspaceNotFound(workspaceId);
  return answer(tenant, key, body);
}

interface BatchRequest {
  id: string;
  workspace: string;
  body?: LogAnalyticsRequestBody;
}

function batchReply(req: SandboxRequest, tenant: Tenant): Reply {
  const batch = jsonBody<{ requests?: BatchRequest[] }>(req);
  if (!batch || !Array.isArray(batch.requests)) return errorReply(400, 'BadArgumentError', 'The batch body must hold "requests".');
  req.note.query = batch.requests.map((r) => r.body?.query ?? '').join('\n;\n');
  const responses = batch.requests.map((r) => {
    const key = findWorkspace(tenant, r.workspace);
    const reply = !key ? workspaceNotFound(r.workspace)
      : typeof r.body?.query !== 'string' ? errorReply(400, 'BadArgumentError', 'A "query" is required.')
      : answer(tenant, key, r.body);
    return { id: r.id, status: reply.status, ...(reply.body === undefined ? {} : { body: reply.body }) };
  });
  return { status: 200, body: { responses } };
}

export function logsReply(req: SandboxRequest, tenant: Tenant): Reply {
  const segs = req.path.split('/').filter(Boolean);
  if (segs.length === 2 && segs[1] === '$batch' && req.method === 'POST') return batchReply(req, tenant);
  if (segs.length === 4 && segs[1].toLowerCase() === 'workspaces' && segs[3].toLowerCase() === 'query' && (req.method === 'POST' || req.method === 'GET')) {
    return queryReply(req, tenant, segs[2]);
  }
  return errorReply(404, 'PathNotFoundError', `The requested path does not exist: ${req.method} ${req.path}`);
}

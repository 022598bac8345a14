// What a sandbox route answers, and the small pieces every route shares. Routes return a Reply instead of writing to
// the socket, so fault injection (malformed bodies, latency) and request recording live in one place: the server.
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless it is a string (sent as is) or undefined (no body). */
  body?: unknown;
}

export interface SandboxRequest {
  method: string;
  /** Path without the query string, percent-decoded. */
  path: string;
  /** The raw request target (path and query) exactly as sent: what ACS signs. */
  rawUrl: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Filled in by routes for the request log: the KQL text and Log Analytics workspace. */
  note: { query?: string; workspace?: string };
}

/** Azure's error envelope, `{error:{code,message}}`, shared by ARM, Resource Graph, Log Analytics and ACS. */
export function errorReply(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, headers, body: { error: { code, message } } };
}

export function jsonBody<T = unknown>(req: SandboxRequest): T | undefined {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

// HTTP triggers on loopback, as the host serves them: `/api/<route or name>`, method check (405), a body limit (413),
// `authLevel: function` keys from the `x-functions-key` header or the `code` query parameter (401 without a valid
// one; `admin` takes only the master key), then HttpRequest in and HttpResponseInit (or HttpResponse) out.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { HttpRegistration } from '../functions/registration';
import { errorText, invocationContext, withTimeout, type DevLog } from './invocation';

export interface HttpKeys {
  /** Per function name; accepted for that function at `function` level. */
  functionKeys: Record<string, string>;
  /** Accepted for every function at `function` level. */
  hostKey: string;
  /** Accepted everywhere; the only key for `admin`. */
  masterKey: string;
}

export interface HttpHostOptions {
  port?: number;
  /** Largest request body accepted; default 1 MiB (the Functions host allows 100 MB; our API needs little). */
  maxBodyBytes?: number;
  keys?: Partial<HttpKeys>;
  /** Longest wait for the request headers (default 30 s, Kestrel's RequestHeadersTimeout). */
  headersTimeoutMs?: number;
  /** Slowest request body accepted after the grace period (default 240 bytes/s after 5 s, Kestrel's MinRequestBodyDataRate). */
  minBodyBytesPerSecond?: number;
  bodyGraceMs?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

// The Functions host serves HTTP through Kestrel, whose defaults bound a slow client: request headers within 30 s
// (KestrelServerLimits.RequestHeadersTimeout), then a body of at least 240 bytes/s after a 5 s grace
// (KestrelServerLimits.MinRequestBodyDataRate, checked every second) — learn.microsoft.com/dotnet/api/
// microsoft.aspnetcore.server.kestrel.core.kestrelserverlimits. The dev host keeps the same bounds.
const HEADERS_TIMEOUT_MS = 30_000;
const MIN_BODY_BYTES_PER_SECOND = 240;
const BODY_GRACE_MS = 5_000;

export function generateKey(): string {
  return randomBytes(30).toString('base64url');
}

interface Route {
  reg: HttpRegistration;
  segments: { literal?: string; param?: string; optional?: boolean }[];
}

function compileRoute(reg: HttpRegistration): Route {
  const template = (reg.trigger.route ?? reg.name).replace(/^\/+|\/+$/g, '');
  const segments = template.split('/').filter(Boolean).map((s) => {
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)(\?)?(?::[^}]*)?\}$/.exec(s);
    return m ? { param: m[1], optional: m[2] === '?' } : { literal: s.toLowerCase() };
  });
  return { reg, segments };
}

function matchRoute(route: Route, parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  const required = route.segments.filter((s) => !s.optional).length;
  if (parts.length < required || parts.length > route.segments.length) return null;
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i];
    const part = parts[i];
    if (part === undefined) {
      if (!seg.optional) return null;
      continue;
    }
    if (seg.literal !== undefined) {
      if (part.toLowerCase() !== seg.literal) return null;
    } else if (seg.param) {
      params[seg.param] = part;
    }
  }
  return params;
}

/** The path's segments, percent-decoded; null when an escape is malformed. */
function decodedSegments(pathname: string): string[] | null {
  try {
    return pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class HttpDriver {
  readonly keys: HttpKeys;
  private readonly routes: Route[];
  private readonly maxBodyBytes: number;
  private server: http.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(regs: HttpRegistration[], private readonly log: DevLog, private readonly functionTimeoutMs: number, private readonly options: HttpHostOptions = {}) {
    this.routes = regs.map(compileRoute);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const functionKeys: Record<string, string> = { ...options.keys?.functionKeys };
    for (const r of regs) if (r.trigger.authLevel === 'function') functionKeys[r.name] ??= generateKey();
    this.keys = { functionKeys, hostKey: options.keys?.hostKey ?? generateKey(), masterKey: options.keys?.masterKey ?? generateKey() };
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const headersTimeout = this.options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
    // Node checks headersTimeout on connectionsCheckingInterval: often enough that the bound holds to the second.
    const server = http.createServer({ headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) }, (req, res) => {
      void this.handle(req, res).catch((e: unknown) => {
        this.log(`[devhost] HTTP ${req.method} failed before the handler ran: ${errorText(e)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private authorized(reg: HttpRegistration, req: http.IncomingMessage, url: URL): boolean {
    const level = reg.trigger.authLevel;
    if (level === 'anonymous') return true;
    const header = req.headers['x-functions-key'];
    const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? '';
    if (!given) return false;
    if (sameKey(given, this.keys.masterKey)) return true;
    if (level === 'admin') return false;
    const fnKey = this.keys.functionKeys[reg.name];
    return sameKey(given, this.keys.hostKey) || (fnKey !== undefined && sameKey(given, fnKey));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const parts = decodedSegments(url.pathname);
    // A malformed percent-escape (`%ZZ`, a cut UTF-8 sequence) is the client's error, answered before anything else.
    if (parts === null) return this.reply(res, 400);
    if (parts[0]?.toLowerCase() !== 'api') return this.reply(res, 404);
    const method = (req.method ?? 'GET').toUpperCase();
    let matched: { route: Route; params: Record<string, string> } | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchRoute(route, parts.slice(1));
      if (!params) continue;
      const methods = route.reg.trigger.methods.map((m) => m.toUpperCase());
      if (!methods.includes(method)) {
        for (const m of methods) allowed.add(m);
        continue;
      }
      matched = { route, params };
      break;
    }
    if (!matched) {
      if (allowed.size) res.setHeader('allow', [...allowed].join(', '));
      return this.reply(res, allowed.size ? 405 : 404);
    }
    const { reg } = matched.route;
    if (!this.authorized(reg, req, url)) return this.reply(res, 401);

    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBodyBytes) return this.reply(res, 413, true);
    const body = await this.readBody(req);
    if (body === 'slow') return this.reply(res, 408, true);
    if (body === null) return this.reply(res, 413, true);

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      params: matched.params,
      body: body.length ? { bytes: new Uint8Array(body) } : undefined,
    });
    const context = invocationContext(reg.name, this.log, {
      options: { trigger: { type: 'httpTrigger', name: 'httpTrigger', methods: reg.trigger.methods, authLevel: reg.trigger.authLevel, route: reg.trigger.route }, extraInputs: [], extraOutputs: [] },
    });
    const t0 = Date.now();
    let result: HttpResponseInit | HttpResponse | undefined;
    try {
      result = (await withTimeout(() => reg.handler(request, context), this.functionTimeoutMs, reg.name)) ?? undefined;
    } catch (e) {
      this.log(`[${reg.name}] failed in ${Date.now() - t0} ms (id ${context.invocationId}): ${errorText(e)}`);
      return this.reply(res, 500);
    }
    const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
    const payload = Buffer.from(await response.arrayBuffer());
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => { outHeaders[k] = v; });
    res.writeHead(response.status, outHeaders);
    res.end(method === 'HEAD' ? undefined : payload);
    this.log(`[${reg.name}] ${method} ${url.pathname} → ${response.status} in ${Date.now() - t0} ms`);
  }

  /** The body, or null once it exceeds the limit (the rest is not read). */
  /** The body; null when over the size limit; 'slow' when it arrived slower than the minimum rate after the grace. */
  private readBody(req: http.IncomingMessage): Promise<Buffer | null | 'slow'> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      const started = Date.now();
      const grace = this.options.bodyGraceMs ?? BODY_GRACE_MS;
      const rate = this.options.minBodyBytesPerSecond ?? MIN_BODY_BYTES_PER_SECOND;
      const done = (v: Buffer | null | 'slow') => {
        clearInterval(timer);
        resolve(v);
      };
      // Checked every second, as Kestrel does: after the grace, the bytes so far must keep up with the minimum rate.
      const timer = setInterval(() => {
        const elapsed = Date.now() - started;
        if (elapsed > grace && size < (rate * elapsed) / 1000) {
          over = true;
          done('slow');
        }
      }, Math.min(1000, grace));
      req.on('data', (c: Buffer) => {
        if (over) return;
        size += c.length;
        if (size > this.maxBodyBytes) {
          over = true;
          done(null);
          return;
        }
        chunks.push(c);
      });
      req.once('end', () => { if (!over) done(Buffer.concat(chunks)); });
      req.once('error', (e) => {
        clearInterval(timer);
        reject(e);
      });
    });
  }

  private reply(res: http.ServerResponse, status: number, closeAfter = false): void {
    // After a refused body the client may still be sending: close the connection rather than read it all.
    res.writeHead(status, closeAfter ? { connection: 'close' } : {});
    res.end();
  }
}

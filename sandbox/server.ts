// The sandbox: a local Azure tenant over HTTPS on 127.0.0.1 (../shared/SANDBOX.md). It routes each request to the
// API it belongs to, applies injected faults, records every request, and keeps an outbox of what was "sent".
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { armReply } from './arm';
import { DEFAULT_ACS_ACCESS_KEY, emailReply, type EmailState, type SentEmail } from './email';
import { defaultErrorCode, FaultTable } from './faults';
import { GraphQuota, graphReply } from './graph';
import { errorReply, jsonBody, type Reply, type SandboxRequest } from './http';
import { logsReply } from './logs';
import { teamsReply, type PostedCard } from './teams';
import { ingestionReply, type IngestedEnvelope } from './ingestion';
import { parseTenant } from './tenant';
import { TenantIndex } from './tenant-index';
import type { Tenant } from './tenant-types';
import { resolveTls } from './tls';

/** `ingestion`: Application Insights telemetry the product exports (not one of the APIs tbmon's stats count). */
export type SandboxApi = 'arm' | 'resourceGraph' | 'logAnalytics' | 'email' | 'teams' | 'ingestion';

export interface RecordedRequest {
  api: SandboxApi;
  method: string;
  path: string;
  apiVersion: string | null;
  /** 0 when the connection was dropped by a fault. */
  status: number;
  ms: number;
  /** KQL text (Resource Graph, Log Analytics); `$skip=…` for a further page of a job list. */
  query?: string;
  /** Log Analytics workspace (customer id) queried. */
  workspace?: string;
  /** An injected fault answered (or dropped, or slowed) this request. */
  fault?: true;
}

export interface Outbox {
  emails: SentEmail[];
  teams: PostedCard[];
}

export interface SandboxOptions {
  tenant: Tenant;
  /** 0 or absent: a free port. */
  port?: number;
  tls?: { key: string; cert: string };
  /** Items per ARM list page (default 50): small, so paging is always exercised. */
  armPageSize?: number;
  /** One line per request (the CLI logs to stderr). */
  log?: (line: string) => void;
}

export interface RunningSandbox {
  baseUrl: string;
  caCert: string;
  caCertPath: string;
  armEndpoint: string;
  logAnalyticsEndpoint: string;
  acsConnectionString: string;
  acsAccessKey: string;
  teamsWebhooks: Record<string, string>;
  requests(): RecordedRequest[];
  clearRequests(): void;
  outbox(): Outbox;
  clearOutbox(): void;
  /** Telemetry envelopes received on the Application Insights ingestion endpoint, in arrival order. */
  ingestion(): IngestedEnvelope[];
  /** A connection string whose IngestionEndpoint is this sandbox (any instrumentation key works). */
  applicationInsightsConnectionString: string;
  tenant(): Tenant;
  setTenant(t: Tenant): void;
  setClock(iso: string): void;
  close(): Promise<void>;
}

export const DEFAULT_ARM_PAGE_SIZE = 50;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function apiOf(p: string): SandboxApi {
  const lower = p.toLowerCase();
  if (lower.startsWith('/v1/')) return 'logAnalytics';
  if (lower.startsWith('/providers/microsoft.resourcegraph/')) return 'resourceGraph';
  if (lower.startsWith('/emails')) return 'email';
  if (lower.startsWith('/teams/')) return 'teams';
  if (/^\/v2(\.1)?\/track$/.test(lower)) return 'ingestion';
  return 'arm';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serialize(reply: Reply): string | undefined {
  if (reply.body === undefined) return undefined;
  return typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
}

function write(res: ServerResponse, reply: Reply, text = serialize(reply)): void {
  const headers: Record<string, string> = { 'x-ms-request-id': crypto.randomUUID(), ...reply.headers };
  if (text !== undefined) {
    headers['content-type'] ??= 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(text));
  } else if (reply.status !== 204) {
    headers['content-length'] = '0';
  }
  res.writeHead(reply.status, headers);
  res.end(text);
}

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const tls = await resolveTls(opts.tls);
  const pageSize = opts.armPageSize ?? DEFAULT_ARM_PAGE_SIZE;
  const log = opts.log ?? (() => {});

  let tenant = parseTenant(opts.tenant, 'tenant');
  let index = new TenantIndex(tenant);
  let faults = new FaultTable(tenant.faults, typeof tenant.faultSeed === 'number' ? tenant.faultSeed : 1);
  const quota = new GraphQuota();
  let recorded: RecordedRequest[] = [];
  const teamsOutbox: PostedCard[] = [];
  const ingested: IngestedEnvelope[] = [];
  const email: EmailState = { accessKey: tenant.communication?.accessKey ?? DEFAULT_ACS_ACCESS_KEY, outbox: [], operations: new Map() };
  let baseUrl = '';

  function setTenant(t: Tenant): void {
    tenant = parseTenant(t, 'tenant');
    index = new TenantIndex(tenant);
    faults = new FaultTable(tenant.faults, typeof tenant.faultSeed === 'number' ? tenant.faultSeed : 1);
    quota.reset();
    email.accessKey = tenant.communication?.accessKey ?? DEFAULT_ACS_ACCESS_KEY;
  }

  function setClock(iso: string): void {
    if (Number.isNaN(Date.parse(iso))) throw new Error(`not a date-time: "${iso}"`);
    // Only the clock moves: the ARM index does not depend on it (parseTenant made `tenant` our own copy).
    tenant.now = iso;
  }

  function control(req: SandboxRequest): Reply {
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /_sandbox/requests': return { status: 200, body: recorded };
      case 'DELETE /_sandbox/requests': recorded = []; return { status: 204 };
      case 'GET /_sandbox/outbox': return { status: 200, body: { emails: email.outbox, teams: teamsOutbox } };
      case 'GET /_sandbox/ingestion': return { status: 200, body: { envelopes: ingested } };
      case 'DELETE /_sandbox/outbox': email.outbox.length = 0; teamsOutbox.length = 0; return { status: 204 };
      case 'GET /_sandbox/tenant': return { status: 200, body: tenant };
      case 'PUT /_sandbox/tenant': {
        const t = jsonBody(req);
        try {
          setTenant(t as Tenant);
        } catch (e) {
          return errorReply(400, 'InvalidTenant', (e as Error).message);
        }
        return { status: 204 };
      }
      // The clock alone: a client that needs only `now` need not read a tenant of 100,000 hosts.
      case 'GET /_sandbox/clock': return { status: 200, body: { now: tenant.now } };
      case 'POST /_sandbox/clock': {
        const now = jsonBody<{ now?: unknown }>(req)?.now;
        if (typeof now !== 'string' || Number.isNaN(Date.parse(now))) return errorReply(400, 'InvalidClock', 'Body must be {"now": "<ISO date-time>"}.');
        setClock(now);
        return { status: 200, body: { now } };
      }
      default: return errorReply(404, 'NotFound', `No sandbox control route ${route}.`);
    }
  }

  function route(api: SandboxApi, req: SandboxRequest): Reply {
    switch (api) {
      case 'arm': return armReply(req, { index, baseUrl, pageSize });
      case 'resourceGraph': return graphReply(req, tenant, quota);
      case 'logAnalytics': return logsReply(req, tenant);
      case 'email': return emailReply(req, email, baseUrl);
      case 'teams': return teamsReply(req, teamsOutbox, tenant.teams?.channels);
      case 'ingestion': return ingestionReply(req, ingested);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'https://127.0.0.1');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = url.pathname;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const sreq: SandboxRequest = { method, path: pathname, rawUrl, query: url.searchParams, headers: req.headers, body, note: {} };

    if (pathname.startsWith('/_sandbox/')) {
      write(res, control(sreq));
      return;
    }
    const api = apiOf(pathname);
    const record = (status: number) => {
      const entry: RecordedRequest = {
        api, method, path: pathname, apiVersion: url.searchParams.get('api-version'), status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(sreq.note.query !== undefined ? { query: sreq.note.query } : {}),
        ...(sreq.note.workspace !== undefined ? { workspace: sreq.note.workspace } : {}),
        ...(fault ? { fault: true as const } : {}),
      };
      recorded.push(entry);
      log(`${entry.status} ${method} ${rawUrl.length > 200 ? `${rawUrl.slice(0, 200)}…` : rawUrl} ${entry.ms}ms`);
    };

    const fault = faults.take(method, pathname);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.drop) {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      const err = fault.error ?? { code: defaultErrorCode(fault.status), message: `Injected fault: ${fault.status}.` };
      const reply: Reply = { status: fault.status, headers: fault.headers, body: { error: err } };
      write(res, reply);
      record(reply.status);
      return;
    }
    let reply: Reply;
    try {
      reply = route(api, sreq);
    } catch (e) {
      reply = errorReply(500, 'InternalServerError', `The sandbox failed: ${(e as Error).message}`);
      log(`sandbox error: ${(e as Error).stack ?? String(e)}`);
    }
    // Headers without a status go on the normal answer (e.g. Resource Graph's x-ms-tenant-subscription-limit-hit).
    if (fault?.headers) reply = { ...reply, headers: { ...reply.headers, ...fault.headers } };
    if (fault?.body === 'partial-error' && reply.status === 200 && reply.body && typeof reply.body === 'object') {
      // Log Analytics answers a query that failed in part with 200, the tables it has, and an error beside them.
      reply = { ...reply, body: { ...(reply.body as object), error: { code: 'PartialError', message: 'There were some errors when processing your query.', details: [{ code: 'EngineError', message: 'Injected fault: partial result.' }] } } };
    }
    if (fault?.body === 'malformed') {
      const text = serialize(reply) ?? '{"value":[]}';
      write(res, { status: 200, headers: reply.headers }, text.slice(0, Math.max(2, Math.floor(text.length / 2))));
      record(200);
      return;
    }
    write(res, reply);
    record(reply.status);
  }

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`sandbox error: ${(e as Error).message}`);
      if (!res.headersSent) write(res, errorReply(400, 'BadRequest', (e as Error).message));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;

  let tmpDir: string | undefined;
  let caCertPath = tls.certPath;
  if (!caCertPath) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbmon-sandbox-'));
    caCertPath = path.join(tmpDir, 'ca.pem');
    fs.writeFileSync(caCertPath, tls.cert);
  }

  const channels = tenant.teams?.channels ?? [];
  return {
    baseUrl,
    caCert: tls.cert,
    caCertPath,
    armEndpoint: baseUrl,
    logAnalyticsEndpoint: `${baseUrl}/v1`,
    acsConnectionString: `endpoint=${baseUrl}/;accesskey=${email.accessKey}`,
    acsAccessKey: email.accessKey,
    teamsWebhooks: Object.fromEntries(channels.map((c) => [c, `${baseUrl}/teams/${encodeURIComponent(c)}`])),
    requests: () => [...recorded],
    clearRequests: () => { recorded = []; },
    outbox: () => ({ emails: [...email.outbox], teams: [...teamsOutbox] }),
    ingestion: () => [...ingested],
    applicationInsightsConnectionString: `InstrumentationKey=00000000-0000-4000-8000-00000000a1b2;IngestionEndpoint=${baseUrl}/;LiveEndpoint=${baseUrl}/`,
    clearOutbox: () => { email.outbox.length = 0; teamsOutbox.length = 0; },
    tenant: () => tenant,
    setTenant,
    setClock,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

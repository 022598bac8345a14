// Credential and SDK client factory. Every endpoint is overridable (sovereign clouds, the sandbox); every client
// counts the HTTP requests it makes per API (RunStats.requests) through one per-retry pipeline policy, so retries
// are counted too. Clients are created once per context and reused for a whole sweep. Each SDK loads with the first
// client of its kind (cold start: a status page never loads the Log Analytics client; see shared/app.ts).
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { HttpClient, Pipeline, PipelinePolicy, PipelineRetryOptions } from '@azure/core-rest-pipeline';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { LogsQueryClient } from '@azure/monitor-query-logs';
import { emptyRequestCounts, type ApiName, type RequestCounts } from './model';
import { LOG_ANALYTICS_LIMITS, QueryGate, type GateOptions } from './query-gate';

export class RequestCounter {
  readonly counts: RequestCounts = emptyRequestCounts();
  add(api: ApiName, n = 1): void {
    this.counts[api] += n;
  }
  snapshot(): RequestCounts {
    return { ...this.counts };
  }
}

export function countingPolicy(counter: RequestCounter, api: ApiName): PipelinePolicy {
  return {
    name: `tbmonCount-${api}`,
    sendRequest: (req, next) => {
      counter.add(api);
      return next(req);
    },
  };
}

/** A credential that hands out a fixed token: for the sandbox, which accepts any bearer token. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token = 'tbmon-sandbox-token') {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

export interface AzureContextOptions {
  credential: TokenCredential;
  /** ARM base URL, e.g. https://management.azure.com (no trailing slash). */
  armEndpoint: string;
  /** Log Analytics query base URL including /v1, e.g. https://api.loganalytics.io/v1. */
  logAnalyticsEndpoint: string;
  /** Extra CA (PEM) to trust: the sandbox's self-signed certificate. */
  caCert?: string;
  retry?: PipelineRetryOptions;
  counter?: RequestCounter;
  /** The caller-side Log Analytics limits (default: the service's per-user limits, LOG_ANALYTICS_LIMITS). */
  logAnalyticsLimits?: GateOptions;
}

/** Thrown by the raw ARM helpers for a non-2xx answer; carries what a person needs, never the token. */
export class ArmError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly url: string) {
    super(message);
    this.name = 'ArmError';
  }
}

const ARM_SCOPE_SUFFIX = '/.default';
/** ARM clients (one per subscription) kept per context, the most recently used: see armClientOf. */
const ARM_CLIENTS_KEPT = 16;

export class AzureContext {
  readonly counter: RequestCounter;
  /** Log Analytics' per-user limits for this identity and endpoint: every query of this context passes it. */
  readonly logAnalyticsGate: QueryGate;
  private readonly mlClients = new Map<string, AzureMachineLearningWorkspaces>();
  private graph?: ResourceGraphClient;
  private logsClient?: LogsQueryClient;
  private rawPipeline?: Pipeline;
  private httpClient?: HttpClient;
  private tlsSettings?: { ca: string };

  constructor(readonly options: AzureContextOptions) {
    this.counter = options.counter ?? new RequestCounter();
    this.logAnalyticsGate = new QueryGate(options.logAnalyticsLimits ?? LOG_ANALYTICS_LIMITS);
  }

  get armScope(): string {
    const host = new URL(this.options.armEndpoint).origin;
    return host.includes('127.0.0.1') || host.includes('localhost') ? `https://management.azure.com${ARM_SCOPE_SUFFIX}` : `${host}${ARM_SCOPE_SUFFIX}`;
  }

  /**
   * One HTTP client and one TLS settings object for every client of this context, so they share one keep-alive agent:
   * the SDK keys its agents by the TLS settings object of each client's own HTTP client, and a client per subscription
   * (ML jobs) would otherwise open and keep a TLS connection of its own per subscription — at 1,000 subscriptions,
   * a thousand handshakes and about 100 MB of native memory held for the run.
   */
  private http(): HttpClient {
    if (!this.httpClient) {
      const { createDefaultHttpClient } = require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
      this.httpClient = createDefaultHttpClient();
    }
    return this.httpClient;
  }

  private tls(): { ca: string } | undefined {
    return this.options.caCert ? (this.tlsSettings ??= { ca: this.options.caCert }) : undefined;
  }

  /** Options every SDK client gets: endpoint, retry, TLS trust, counting, the shared HTTP client. */
  clientOptions(api: ApiName, endpoint: string) {
    return {
      endpoint,
      credentialScopes: api === 'logAnalytics' ? undefined : [this.armScope],
      retryOptions: this.options.retry,
      tlsOptions: this.tls(),
      httpClient: this.http(),
      additionalPolicies: [{ policy: countingPolicy(this.counter, api), position: 'perRetry' as const }],
    };
  }

  ml(subscriptionId: string): AzureMachineLearningWorkspaces {
    return this.armClientOf(this.mlClients, subscriptionId, () => (require('@azure/arm-machinelearning') as typeof import('@azure/arm-machinelearning')).AzureMachineLearningWorkspaces);
  }

  /**
   * An ARM client of one subscription, built on first use (its SDK package is loaded only then). The last
   * ARM_CLIENTS_KEPT are kept: a client holds its operation groups and pipeline (~14 KB of heap each), so keeping one
   * per subscription made the heap grow with the fleet (1,000 subscriptions: 14 MB); discovery lists ML workspaces in
   * order, so a subscription's workspaces come together. A client dropped while its request is in flight finishes it.
   */
  private armClientOf<C>(cache: Map<string, C>, subscriptionId: string, load: () => new (credential: TokenCredential, subscriptionId: string, options: ReturnType<AzureContext['clientOptions']>) => C): C {
    let c = cache.get(subscriptionId);
    if (c) {
      cache.delete(subscriptionId);
    } else {
      const Client = load();
      c = new Client(this.options.credential, subscriptionId, this.clientOptions('arm', this.options.armEndpoint));
      if (cache.size >= ARM_CLIENTS_KEPT) cache.delete(cache.keys().next().value!);
    }
    cache.set(subscriptionId, c);
    return c;
  }

  resourceGraph(): ResourceGraphClient {
    const { ResourceGraphClient } = require('@azure/arm-resourcegraph') as typeof import('@azure/arm-resourcegraph');
    this.graph ??= new ResourceGraphClient(this.options.credential, this.clientOptions('resourceGraph', this.options.armEndpoint));
    return this.graph;
  }

  logs(): LogsQueryClient {
    const { LogsQueryClient } = require('@azure/monitor-query-logs') as typeof import('@azure/monitor-query-logs');
    this.logsClient ??= new LogsQueryClient(this.options.credential, this.clientOptions('logAnalytics', this.options.logAnalyticsEndpoint));
    return this.logsClient;
  }

  /**
   * Raw ARM request returning parsed JSON — for fields the SDK models drop (the ML SDK predates customServices) and
   * for API versions newer than an SDK speaks. `pathOrUrl` is an ARM path (/subscriptions/…) or an absolute nextLink.
   */
  async armRequest<T = unknown>(method: 'GET' | 'POST', pathOrUrl: string, apiVersion?: string, body?: unknown, abortSignal?: AbortSignal): Promise<T> {
    const { bearerTokenAuthenticationPolicy, createPipelineFromOptions, createPipelineRequest, RestError } = require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
    if (!this.rawPipeline) {
      const p = createPipelineFromOptions({ retryOptions: this.options.retry, tlsOptions: this.tls() });
      p.addPolicy(bearerTokenAuthenticationPolicy({ credential: this.options.credential, scopes: this.armScope }));
      p.addPolicy(countingPolicy(this.counter, 'arm'), { phase: 'Retry' });
      this.rawPipeline = p;
    }
    const url = new URL(pathOrUrl.startsWith('https://') || pathOrUrl.startsWith('http://') ? pathOrUrl : `${this.options.armEndpoint}${pathOrUrl}`);
    // The pipeline attaches the ARM token: a nextLink or path that leads anywhere but the ARM endpoint gets none.
    if (url.origin !== new URL(this.options.armEndpoint).origin) {
      throw new ArmError(0, 'ForeignUrl', `${method} refused: ${url.origin} is not the ARM endpoint ${new URL(this.options.armEndpoint).origin}`, url.pathname);
    }
    if (apiVersion && !url.searchParams.has('api-version')) url.searchParams.set('api-version', apiVersion);
    const req = createPipelineRequest({ url: url.toString(), method, abortSignal });
    req.headers.set('accept', 'application/json');
    if (body !== undefined) {
      req.headers.set('content-type', 'application/json');
      req.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await this.rawPipeline.sendRequest(this.http(), req);
    } catch (e) {
      if (e instanceof RestError) throw new ArmError(e.statusCode ?? 0, e.code ?? 'RequestError', e.message, url.pathname);
      throw e;
    }
    const text = res.bodyAsText ?? '';
    if (res.status < 200 || res.status >= 300) {
      let code = `Http${res.status}`;
      let message = `${method} ${url.pathname} answered ${res.status}`;
      try {
        const err = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
        if (err?.code) code = err.code;
        if (err?.message) message = `${message}: ${err.message}`;
      } catch {
        /* not JSON: keep the status line */
      }
      throw new ArmError(res.status, code, message, url.pathname);
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ArmError(res.status, 'MalformedResponse', `${method} ${url.pathname} answered a body that is not JSON`, url.pathname);
    }
  }

  armGet<T = unknown>(pathOrUrl: string, apiVersion?: string, abortSignal?: AbortSignal): Promise<T> {
    return this.armRequest<T>('GET', pathOrUrl, apiVersion, undefined, abortSignal);
  }

  /** Pages of an ARM list (`{ value, nextLink }`), streamed: a large list never sits in one array. */
  async *armListPages<T = unknown>(path: string, apiVersion: string, abortSignal?: AbortSignal): AsyncGenerator<T[]> {
    let next: string | undefined = path;
    let first = true;
    while (next) {
      const page: { value?: T[]; nextLink?: string | null } = await this.armGet(next, first ? apiVersion : undefined, abortSignal);
      first = false;
      yield page.value ?? [];
      next = page.nextLink ?? undefined;
      if (next && !new URL(next, this.options.armEndpoint).searchParams.has('api-version')) {
        const u = new URL(next, this.options.armEndpoint);
        u.searchParams.set('api-version', apiVersion);
        next = u.toString();
      }
    }
  }
}

/** API versions the raw helpers use (current GA; the SDKs' own versions may be older). */
export const API_VERSIONS = {
  machineLearning: '2025-12-01',
  network: '2026-01-01',
  compute: '2024-07-01',
  diagnosticSettings: '2021-05-01-preview',
  operationalInsights: '2023-09-01',
  subscriptions: '2022-12-01',
  managementGroups: '2023-04-01',
} as const;

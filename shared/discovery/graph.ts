// Resource Graph paging as the service asks to be used (research/anchors.md §3): 1000 rows a page, `$skipToken`
// sent back by hand (client 5.0.0 does not page), the per-user quota honoured — when `x-ms-user-quota-remaining`
// reaches 0 the next request waits `x-ms-user-quota-resets-after` — and a 429 that outlived the SDK's own retries
// waited out by its Retry-After and sent again.
import type { AzureContext } from '../azure';
import { parseRetryAfter } from '../retry-after';

/** Rows per page: the most one Resource Graph response holds. */
export const GRAPH_PAGE_SIZE = 1000;
/** 429s waited out per page after the SDK's own retries gave up. */
const MAX_THROTTLE_WAITS = 5;
/** Wait when a 429 names no Retry-After. */
const DEFAULT_THROTTLE_WAIT_MS = 5_000;
/** A page that failed otherwise (5xx, a dropped connection, a cut answer) is asked again this many times first. */
const MAX_PAGE_RETRIES = 2;
const PAGE_RETRY_WAIT_MS = 500;

export interface GraphWait {
  ms: number;
  reason: 'quota' | 'throttled' | 'retry';
}

/** The Graph request scope: a subscription list, or (omitted) every subscription the identity can read. */
export interface GraphScope {
  subscriptions?: string[];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `hh:mm:ss` (Resource Graph's quota reset format) → milliseconds; null when it is not that. */
export function parseQuotaResetsAfter(v: string | undefined | null): number | null {
  const m = v ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(v.trim()) : null;
  return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 : null;
}

interface HeaderSource {
  get(name: string): string | undefined;
}

/**
 * One caller's Resource Graph quota as the service last reported it. Shared by every query of a discovery run so
 * that consecutive queries (subscription batches, then pages) pace together.
 */
export class GraphQuotaGate {
  private waitUntilMs = 0;
  /**
   * Set when Graph answered `x-ms-tenant-subscription-limit-hit: true`: a tenant-scope query covered only the first
   * 10,000 subscriptions, so hosts beyond them are missing from the answer.
   */
  subscriptionLimitHit = false;

  constructor(private readonly sleep: (ms: number) => Promise<void> = realSleep, private readonly onWait?: (w: GraphWait) => void) {}

  /** Records a response's quota headers. */
  observe(headers: HeaderSource): void {
    if (headers.get('x-ms-tenant-subscription-limit-hit')?.toLowerCase() === 'true') this.subscriptionLimitHit = true;
    const remaining = headers.get('x-ms-user-quota-remaining');
    if (remaining === undefined || Number(remaining) > 0) return;
    const resetMs = parseQuotaResetsAfter(headers.get('x-ms-user-quota-resets-after')) ?? DEFAULT_THROTTLE_WAIT_MS;
    this.waitUntilMs = Math.max(this.waitUntilMs, Date.now() + resetMs);
  }

  /** Waits out an exhausted quota before the next request. */
  async beforeRequest(): Promise<void> {
    const ms = this.waitUntilMs - Date.now();
    if (ms <= 0) return;
    this.onWait?.({ ms, reason: 'quota' });
    await this.sleep(ms);
  }

  async throttled(retryAfterMs: number, reason: GraphWait['reason'] = 'throttled'): Promise<void> {
    this.onWait?.({ ms: retryAfterMs, reason });
    await this.sleep(retryAfterMs);
  }
}

interface RestErrorLike {
  statusCode?: number;
  /** Set on a request that got no answer (REQUEST_SEND_ERROR, ECONNRESET, …); absent on an answer tbmon refused. */
  code?: string;
  response?: { headers?: HeaderSource };
}

/**
 * The rows of `query` over `scope`, one page at a time (objectArray rows). The query must project `id`, or Graph
 * returns no skip token. Throws the last error when a page cannot be read (after the SDK's retries, the throttle
 * waits and MAX_PAGE_RETRIES more tries of a page that failed otherwise).
 */
export async function* graphPages(
  azure: AzureContext,
  query: string,
  scope: GraphScope,
  gate: GraphQuotaGate,
  options: { abortSignal?: AbortSignal } = {},
): AsyncGenerator<Record<string, unknown>[]> {
  const client = azure.resourceGraph();
  let skipToken: string | undefined;
  do {
    let throttleWaits = 0;
    let pageRetries = 0;
    for (;;) {
      await gate.beforeRequest();
      try {
        const res = await client.resources(
          { query, subscriptions: scope.subscriptions, options: { top: GRAPH_PAGE_SIZE, skipToken, resultFormat: 'objectArray' } },
          { abortSignal: options.abortSignal, onResponse: (raw) => gate.observe(raw.headers) },
        );
        // An answer Graph cut short without a way to page on, or rows not in the asked-for format, would silently
        // shorten the host list (and make hosts look gone): fail the batch instead, so its subscriptions count as unread.
        if (!Array.isArray(res.data)) throw new Error('Resource Graph answered without an array of rows (objectArray)');
        if (res.resultTruncated === 'true' && !res.skipToken) {
          throw new Error(`Resource Graph truncated the answer at ${res.data.length} of ${res.totalRecords} rows without a skip token (the query must project id)`);
        }
        yield res.data as Record<string, unknown>[];
        skipToken = res.skipToken || undefined;
        break;
      } catch (e) {
        const err = e as RestErrorLike;
        // The same page again (its skip token): a transient failure after the SDK's retries costs a wait, not the batch.
        const transient = err.statusCode === undefined ? typeof err.code === 'string' : err.statusCode === 408 || err.statusCode >= 500;
        if (err.statusCode !== 429 && transient && pageRetries < MAX_PAGE_RETRIES && !options.abortSignal?.aborted) {
          pageRetries++;
          await gate.throttled(PAGE_RETRY_WAIT_MS * pageRetries, 'retry');
          continue;
        }
        if (err.statusCode !== 429 || throttleWaits >= MAX_THROTTLE_WAITS) throw e;
        throttleWaits++;
        const retryAfter = parseRetryAfter(err.response?.headers?.get('retry-after'))
          ?? parseQuotaResetsAfter(err.response?.headers?.get('x-ms-user-quota-resets-after'))
          ?? DEFAULT_THROTTLE_WAIT_MS;
        await gate.throttled(retryAfter);
      }
    }
  } while (skipToken);
}

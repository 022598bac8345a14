// The Application Insights ingestion endpoint (Breeze): POST /v2.1/track (and /v2/track) with a JSON array of
// telemetry envelopes, gzip-encoded as the Azure Monitor exporter sends them. It answers as Breeze does
// ({ itemsReceived, itemsAccepted, errors }) and records every envelope, so tests assert what the product exported.
import { gunzipSync } from 'node:zlib';
import { errorReply, type Reply, type SandboxRequest } from './http';

export interface IngestedEnvelope {
  name: string;
  time: string;
  iKey: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
  /** Whether the request carried an Entra ID bearer token (the deployed app authenticates; no key). */
  authenticated: boolean;
}

/** One metric point as the exporter sends it (MetricData: one metric per envelope, dimensions in properties). */
export interface IngestedMetric {
  name: string;
  value: number;
  count?: number;
  min?: number;
  max?: number;
  properties: Record<string, string>;
  time: string;
}

export function ingestionReply(req: SandboxRequest, log: IngestedEnvelope[]): Reply {
  if (req.method !== 'POST' || !/^\/v2(\.1)?\/track$/i.test(req.path)) return errorReply(404, 'NotFound', `No ingestion route at ${req.method} ${req.path}.`);
  let text: string;
  try {
    const gzipped = String(req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip' || (req.body[0] === 0x1f && req.body[1] === 0x8b);
    text = (gzipped ? gunzipSync(req.body) : req.body).toString('utf8');
  } catch {
    return { status: 400, body: { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: 'the body is not valid gzip' }] } };
  }
  let items: unknown[];
  try {
    const parsed: unknown = text.trim().startsWith('[') ? JSON.parse(text) : text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
    items = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return { status: 400, body: { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: 'the body is not JSON' }] } };
  }
  const authenticated = /^Bearer\s+\S+/i.test(String(req.headers.authorization ?? ''));
  const errors: { index: number; statusCode: number; message: string }[] = [];
  items.forEach((item, index) => {
    const e = item as Partial<IngestedEnvelope>;
    if (!e || typeof e.name !== 'string' || typeof e.time !== 'string' || typeof e.iKey !== 'string') {
      errors.push({ index, statusCode: 400, message: 'an envelope needs name, time and iKey' });
      return;
    }
    log.push({ name: e.name, time: e.time, iKey: e.iKey, tags: e.tags, data: e.data, authenticated });
  });
  return { status: errors.length ? 206 : 200, body: { itemsReceived: items.length, itemsAccepted: items.length - errors.length, errors } };
}

/** The metric points among the recorded envelopes, flattened (one envelope carries one or more metrics). */
export function metricsOf(envelopes: readonly IngestedEnvelope[]): IngestedMetric[] {
  const out: IngestedMetric[] = [];
  for (const e of envelopes) {
    if (e.data?.baseType !== 'MetricData') continue;
    const base = e.data.baseData as { metrics?: { name: string; value: number; count?: number; min?: number; max?: number }[]; properties?: Record<string, string> };
    for (const m of base.metrics ?? []) out.push({ name: m.name, value: m.value, count: m.count, min: m.min, max: m.max, properties: base.properties ?? {}, time: e.time });
  }
  return out;
}

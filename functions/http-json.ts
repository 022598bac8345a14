// The JSON error answer of the HTTP functions, and the JSON body of a POST read with the same refusals (415, 413,
// 400) in the same words by every function that takes one.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

export function errorResponse(status: number, code: string, message: string, extra: Record<string, unknown> = {}): HttpResponseInit {
  return { status, jsonBody: { error: { code, message, ...extra } }, headers: { 'cache-control': 'no-store' } };
}

/**
 * The parsed body, or the answer refusing it: not `application/json` (415, `what` says what to POST), larger than
 * `maxBytes` (413), not JSON (400).
 */
export async function readJsonBody(request: HttpRequest, maxBytes: number, what: string): Promise<{ ok: true; body: unknown } | { ok: false; response: HttpResponseInit }> {
  const refuse = (status: number, code: string, message: string) => ({ ok: false as const, response: errorResponse(status, code, message) });
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) return refuse(415, 'UnsupportedMediaType', `POST ${what} with content-type application/json`);
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) return refuse(413, 'BodyTooLarge', `the body is larger than ${maxBytes} bytes`);
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return refuse(400, 'BadJson', 'the body is not valid JSON');
  }
}

// The caller-side Log Analytics limits: at most 5 queries at once, at most N starts per window, Retry-After
// pauses every query that has not started, and a 429 is retried only as often as the policy allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { retryAfterMs, runThrottled } from '../../shared/evidence/logs-throttle';
import { QueryGate } from '../../shared/query-gate';
import { AzureContext, StaticTokenCredential } from '../../shared/azure';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function throttled(headers: Record<string, string>, status = 429): RestError {
  const request = createPipelineRequest({ url: 'https://127.0.0.1/v1/workspaces/x/query' });
  return new RestError('Too many requests', { statusCode: status, request, response: { status, headers: createHttpHeaders(headers), request } });
}

test('at most 5 queries run at once', async () => {
  const gate = new QueryGate({ maxConcurrent: 5, maxPerWindow: 1000, windowMs: 30_000 });
  let running = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 23 }, () => gate.run(async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(5);
    running--;
  })));
  assert.equal(peak, 5);
  assert.equal(gate.peakConcurrency, 5);
});

test('starts per window are capped', async () => {
  const gate = new QueryGate({ maxConcurrent: 5, maxPerWindow: 3, windowMs: 200 });
  const starts: number[] = [];
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 6 }, () => gate.run(async () => { starts.push(Date.now() - t0); })));
  starts.sort((a, b) => a - b);
  assert.ok(starts[3] >= 190, `fourth start at ${starts[3]} ms`);
});

test('Retry-After pauses the gate and the query is tried again', async () => {
  const gate = new QueryGate();
  let calls = 0;
  const t0 = Date.now();
  const out = await runThrottled(gate, async () => {
    calls++;
    if (calls < 3) throw throttled({ 'retry-after': '0.1' });
    return 'ok';
  }, { attempts: 5, baseDelayMs: 1, maxDelayMs: 1000 });
  assert.equal(out, 'ok');
  assert.equal(calls, 3);
  assert.ok(Date.now() - t0 >= 190, 'waited Retry-After twice');
});

test('retries stop at the policy limit; non-retryable errors are not retried', async () => {
  const gate = new QueryGate();
  let calls = 0;
  await assert.rejects(runThrottled(gate, async () => { calls++; throw throttled({ 'retry-after': '0' }, 503); }, { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }), /Too many/);
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(runThrottled(gate, async () => { calls++; throw throttled({}, 400); }, { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }));
  assert.equal(calls, 1);
});

test('Retry-After forms', () => {
  assert.equal(retryAfterMs(throttled({ 'retry-after': '2' })), 2000);
  assert.equal(retryAfterMs(throttled({ 'retry-after-ms': '150' })), 150);
  assert.equal(retryAfterMs(throttled({ 'x-ms-retry-after-ms': '75' })), 75);
  const now = Date.parse('2026-11-26T06:00:00Z');
  assert.equal(retryAfterMs(throttled({ 'retry-after': 'Thu, 26 Nov 2026 06:00:03 GMT' }), now), 3000);
  assert.equal(retryAfterMs(throttled({})), null);
  assert.equal(retryAfterMs(new Error('x')), null);
});

test('each AzureContext keeps its own gate, with the limits it was given', async () => {
  const options = { credential: new StaticTokenCredential(), armEndpoint: 'https://127.0.0.1:9', logAnalyticsEndpoint: 'https://127.0.0.1:9/v1' };
  const a = new AzureContext(options);
  const b = new AzureContext({ ...options, logAnalyticsLimits: { maxConcurrent: 2, maxPerWindow: 10, windowMs: 1_000 } });
  assert.notEqual(a.logAnalyticsGate, b.logAnalyticsGate);
  assert.deepEqual(a.logAnalyticsGate.options, { maxConcurrent: 5, maxPerWindow: 200, windowMs: 30_000 });
  assert.equal(b.logAnalyticsGate.options.maxConcurrent, 2);
  // One context's Retry-After pause holds only its own queries.
  a.logAnalyticsGate.pauseUntil(Date.now() + 60_000);
  const t0 = Date.now();
  assert.equal(await b.logAnalyticsGate.run(async () => 'ran'), 'ran');
  assert.ok(Date.now() - t0 < 1_000);
});

// Reads the parts of host.json the dev host honours, with the Functions host's own defaults for what is absent.
import fs from 'node:fs';
import path from 'node:path';

export interface QueueHostOptions {
  /** Messages fetched per poll (host default 16; max 32). */
  batchSize: number;
  /** Fetch the next batch when this few are still running (host default batchSize / 2). */
  newBatchThreshold: number;
  /** Attempts before a message moves to `<queue>-poison` (host default 5). */
  maxDequeueCount: number;
  /** How long a failed message stays invisible before its next attempt (host default 0). */
  visibilityTimeoutMs: number;
  /** Longest wait between polls of an empty queue (host default 1 minute). */
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostConfig {
  queues: QueueHostOptions;
  /** Longest a function may run (host.json functionTimeout); the dev host fails an invocation that runs longer. */
  functionTimeoutMs: number;
}

/** `[d.]hh:mm:ss[.fff]` (a .NET TimeSpan, as host.json writes durations) → milliseconds. */
export function parseTimeSpan(s: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a TimeSpan (hh:mm:ss)`);
  const [, d, h, min, sec, frac] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return (((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(sec)) * 1000 + ms;
}

export function hostConfigFrom(json: unknown): HostConfig {
  const root = (json ?? {}) as { functionTimeout?: string; extensions?: { queues?: Record<string, unknown> } };
  const q = root.extensions?.queues ?? {};
  const int = (key: string, def: number, min: number, max: number): number => {
    const v = q[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`host.json extensions.queues.${key} must be a whole number from ${min} to ${max}`);
    return v;
  };
  const span = (key: string, def: number): number => {
    const v = q[key];
    if (v === undefined) return def;
    if (typeof v !== 'string') throw new Error(`host.json extensions.queues.${key} must be a TimeSpan string (hh:mm:ss)`);
    return parseTimeSpan(v);
  };
  const batchSize = int('batchSize', 16, 1, 32);
  const encoding = q.messageEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'none') throw new Error('host.json extensions.queues.messageEncoding must be "base64" or "none"');
  return {
    queues: {
      batchSize,
      newBatchThreshold: int('newBatchThreshold', Math.floor(batchSize / 2), 0, 1000),
      maxDequeueCount: int('maxDequeueCount', 5, 1, 1000),
      visibilityTimeoutMs: span('visibilityTimeout', 0),
      maxPollingIntervalMs: span('maxPollingInterval', 60_000),
      messageEncoding: encoding,
    },
    functionTimeoutMs: root.functionTimeout ? parseTimeSpan(root.functionTimeout) : 30 * 60_000,
  };
}

/** The repository's host.json: ../host.json from the sources (tsx), ../../host.json from the build (dist/devhost). */
function defaultHostJson(): string {
  const candidates = [path.join(__dirname, '..', 'host.json'), path.join(__dirname, '..', '..', 'host.json')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

export function readHostConfig(file = defaultHostJson()): HostConfig {
  return hostConfigFrom(JSON.parse(fs.readFileSync(file, 'utf8')));
}

// What every trigger driver shares: logging through the InvocationContext's logHandler (prefixed with the function
// name), app-setting references (`%NAME%`) and the function timeout.
import { randomUUID } from 'node:crypto';
import { InvocationContext, type InvocationContextInit, type LogLevel } from '@azure/functions';

/** Where the dev host writes its lines (one line per call). */
export type DevLog = (line: string) => void;

export const stderrLog: DevLog = (line) => process.stderr.write(`${line}\n`);

function render(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.message;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}

/** A context as the host builds it: a fresh invocation id and a logHandler that prefixes the function name. */
export function invocationContext(functionName: string, log: DevLog, init: Omit<InvocationContextInit, 'invocationId' | 'functionName' | 'logHandler'> = {}): InvocationContext {
  return new InvocationContext({
    ...init,
    invocationId: randomUUID(),
    functionName,
    logHandler: (level: LogLevel, ...args: unknown[]) => {
      if (level === 'none') return;
      log(`[${functionName}] ${level === 'information' ? '' : `${level}: `}${args.map(render).join(' ')}`);
    },
  });
}

/** Resolves an app-setting reference (`%TBMON_SWEEP_SCHEDULE%`) the way the host does for trigger properties. */
export function resolveSetting(value: string, env: Record<string, string | undefined>): string {
  const m = /^%([^%]+)%$/.exec(value);
  if (!m) return value;
  const v = env[m[1]];
  if (v === undefined || v.trim() === '') throw new Error(`app setting ${m[1]} (referenced as ${value}) is not set`);
  return v.trim();
}

/** Runs the handler; an invocation that outlives the function timeout counts as failed (the handler is not stopped). */
export async function withTimeout<T>(run: () => Promise<T> | T, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} exceeded the function timeout (${timeoutMs} ms)`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve().then(run), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

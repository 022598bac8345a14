// Kusto scalar values in JavaScript. A value's Kusto type is known statically (per column or expression), so the
// runtime form stays plain: string → string (never null: Kusto strings have no null, only ""), int/long/real →
// number, bool → boolean, datetime → epoch milliseconds, timespan → milliseconds, guid → string, dynamic → JSON
// value. Any type but string can be null.
import { KqlError } from './errors';

export type KType = 'bool' | 'int' | 'long' | 'real' | 'decimal' | 'string' | 'datetime' | 'timespan' | 'guid' | 'dynamic';

export interface Column { name: string; type: KType }

export interface Table { columns: Column[]; rows: unknown[][] }

const TYPE_ALIASES: Record<string, KType> = {
  bool: 'bool', boolean: 'bool', int: 'int', int32: 'int', long: 'long', int64: 'long', real: 'real', double: 'real',
  decimal: 'decimal', string: 'string', datetime: 'datetime', date: 'datetime', timespan: 'timespan', time: 'timespan',
  guid: 'guid', uniqueid: 'guid', dynamic: 'dynamic',
};

export function typeFromName(name: string): KType {
  const t = TYPE_ALIASES[name.toLowerCase()];
  if (!t) throw new KqlError(`Unknown scalar type '${name}'`);
  return t;
}

export function isNumeric(t: KType): boolean {
  return t === 'int' || t === 'long' || t === 'real' || t === 'decimal';
}

/** Converts a tenant cell (JSON) to the runtime form of `type`. */
export function fromJson(value: unknown, type: KType): unknown {
  if (value === undefined || value === null) return type === 'string' ? '' : null;
  switch (type) {
    case 'string': return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'datetime': return toDatetime(value);
    case 'timespan': return toTimespan(value);
    case 'int': case 'long': { const n = toNumber(value); return n === null ? null : Math.trunc(n); }
    case 'real': case 'decimal': return toNumber(value);
    case 'bool': return toBool(value);
    case 'guid': return String(value).toLowerCase();
    case 'dynamic': return value;
  }
}

/** The form a value takes in an API answer: datetimes as ISO strings, timespans as `[d.]hh:mm:ss[.fffffff]`. */
export function toJson(value: unknown, type: KType): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'datetime') return formatDatetime(value as number);
  if (type === 'timespan') return formatTimespan(value as number);
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return value;
}

export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace('.000Z', 'Z');
}

export function formatTimespan(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000); rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000); rest -= m * 60_000;
  const s = Math.floor(rest / 1000); rest -= s * 1000;
  const pad = (n: number) => String(n).padStart(2, '0');
  const frac = rest > 0 ? '.' + String(Math.round(rest * 10_000)).padStart(7, '0') : '';
  return `${sign}${days > 0 ? days + '.' : ''}${pad(h)}:${pad(m)}:${pad(s)}${frac}`;
}

export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return null;
    const n = Number(t);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

export function toBool(v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  return null;
}

const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

export function toDatetime(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string' || v.trim() === '') return null;
  let t = v.trim();
  // Kusto reads a datetime without a zone as UTC.
  if (ISO_NO_ZONE.test(t)) t = t.replace(' ', 'T') + (t.length === 10 ? 'T00:00:00Z' : 'Z');
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

const TIMESPAN_UNITS: Record<string, number> = {
  d: 86_400_000, day: 86_400_000, days: 86_400_000, h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, s: 1000, sec: 1000, second: 1000, seconds: 1000,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1, microsecond: 0.001, microseconds: 0.001,
  tick: 0.0001, ticks: 0.0001,
};

export function toTimespan(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  const unit = /^(-?\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(t);
  if (unit) {
    const k = TIMESPAN_UNITS[unit[2].toLowerCase()];
    return k === undefined ? null : Number(unit[1]) * k;
  }
  const clock = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(t);
  if (clock) {
    const ms = Number(clock[2] ?? 0) * 86_400_000 + Number(clock[3]) * 3_600_000 + Number(clock[4]) * 60_000 +
      Number(clock[5] ?? 0) * 1000 + (clock[6] ? Number(clock[6]) * 1000 : 0);
    return clock[1] ? -ms : ms;
  }
  return null;
}

/** `tostring()`: Kusto's text form of any value (empty for null). */
export function toStringValue(v: unknown, type: KType): string {
  if (v === null || v === undefined) return '';
  if (type === 'datetime') return formatDatetime(v as number);
  if (type === 'timespan') return formatTimespan(v as number);
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The Kusto type of a JSON value read from a dynamic (for arithmetic and comparisons on dynamic operands). */
export function typeOfDynamic(v: unknown): KType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'real';
  if (typeof v === 'boolean') return 'bool';
  return 'dynamic';
}

/** Equality with Kusto's null rules left to the caller; dynamic arrays and bags compare by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  if (typeof a === 'number' && typeof b === 'string') return a === toNumber(b);
  if (typeof a === 'string' && typeof b === 'number') return toNumber(a) === b;
  return false;
}

/** Total order used by sort, min/max and comparisons; `null` when the operands are not comparable. */
export function compareValues(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'string') { const n = toNumber(b); return n === null ? null : a < n ? -1 : a > n ? 1 : 0; }
  if (typeof a === 'string' && typeof b === 'number') { const n = toNumber(a); return n === null ? null : n < b ? -1 : n > b ? 1 : 0; }
  return null;
}

/** The key a value groups under (summarize by, distinct, dcount, join): equal values, equal keys. */
export function groupKey(v: unknown): string {
  if (v === null || v === undefined) return '\u0000null';
  if (typeof v === 'string') return 's' + v;
  if (typeof v === 'number') return 'n' + v;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  return 'j' + JSON.stringify(v);
}

/** The type two operands unify to for arithmetic or for a column fed by both (iff, coalesce, union). */
export function commonType(a: KType, b: KType): KType {
  if (a === b) return a;
  if (isNumeric(a) && isNumeric(b)) {
    if (a === 'real' || b === 'real' || a === 'decimal' || b === 'decimal') return 'real';
    return 'long';
  }
  return a === 'dynamic' ? b : b === 'dynamic' ? a : a;
}

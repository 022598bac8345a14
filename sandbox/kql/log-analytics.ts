// Log Analytics on the engine: a workspace's tables typed as the real schemas say (others inferred from their
// values), the request's timespan bounding TimeGenerated against the tenant clock, and the answer in Log
// Analytics' shape (dynamic cells as JSON text, datetimes as ISO strings).
import type { LogRow, Tenant, TenantLogAnalyticsWorkspace } from '../tenant-types';
import type { LogAnalyticsRequestBody as LogAnalyticsRequest, LogAnalyticsResponse as LogAnalyticsAnswer } from './index';
import { KqlError } from './errors';
import { runQuery } from './engine';
import { logAnalyticsColumns } from './schemas';
import { type Column, type KType, type Table, fromJson, toDatetime, toJson } from './values';

/** Typed tables per tenant rows array; a row count that changed (rows pushed in place) means a rebuild. */
const typedTables = new WeakMap<LogRow[], { count: number; table: Table }>();

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function inferType(values: unknown[]): KType {
  let type: KType | null = null;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    let t: KType;
    if (typeof v === 'boolean') t = 'bool';
    else if (typeof v === 'number') t = Number.isInteger(v) ? 'long' : 'real';
    else if (typeof v === 'string') t = ISO_DATETIME.test(v) ? 'datetime' : 'string';
    else t = 'dynamic';
    if (type === null) type = t;
    else if (type !== t) {
      if ((type === 'long' && t === 'real') || (type === 'real' && t === 'long')) type = 'real';
      else if (type === 'string' && t === 'datetime' || type === 'datetime' && t === 'string') type = 'string';
      else return 'dynamic';
    }
  }
  return type ?? 'string';
}

/** A workspace table as the engine's typed table: the schema's columns first, then any other field the rows carry. */
export function typedTable(name: string, rows: LogRow[], workspaceId = ''): Table {
  const cached = typedTables.get(rows);
  if (cached && cached.count === rows.length) return cached.table;
  const known = logAnalyticsColumns(name);
  const columns: Column[] = known ? known.map((c) => ({ ...c })) : [];
  const seen = new Set(columns.map((c) => c.name));
  const extra: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); extra.push(k); }
  for (const k of extra) columns.push({ name: k, type: k === 'TimeGenerated' ? 'datetime' : inferType(rows.map((r) => r[k])) });
  if (!seen.has('TimeGenerated')) columns.push({ name: 'TimeGenerated', type: 'datetime' });
  if (!known && !seen.has('Type')) columns.push({ name: 'Type', type: 'string' });
  // Columns no row carries are filled once, not converted per row (a schema has many more columns than rows use).
  const present = new Set<string>();
  for (const r of rows) for (const k in r) present.add(k);
  // As Log Analytics fills them: Type is the table's name, TenantId the workspace's customer id.
  const template: unknown[] = columns.map((c) => (c.name === 'Type' ? name : c.name === 'TenantId' ? workspaceId : fromJson(undefined, c.type)));
  const converted = columns.map((c, i) => ({ i, name: c.name, type: c.type })).filter((c) => present.has(c.name));
  const table: Table = {
    columns,
    rows: rows.map((r) => {
      const out = template.slice();
      for (const c of converted) {
        const v = r[c.name];
        if (v !== undefined) out[c.i] = fromJson(v, c.type);
      }
      return out;
    }),
  };
  typedTables.set(rows, { count: rows.length, table });
  return table;
}

/** The request's timespan (`PT1H`, `start/end`, `start/PT1H`, `PT1H/end`) as [from, to] epoch ms; null = all data. */
export function parseTimespan(timespan: string | undefined, now: number): [number, number] | null {
  if (timespan === undefined || timespan === null || timespan === '') return null;
  const parts = String(timespan).split('/');
  const duration = (s: string): number | null => isoDuration(s);
  if (parts.length === 1) {
    const d = duration(parts[0]);
    if (d === null) throw new KqlError(`Invalid timespan '${timespan}'`, 'BadArgumentError');
    return [now - d, now];
  }
  if (parts.length === 2) {
    const [a, b] = parts;
    const da = duration(a), db = duration(b);
    const ta = da === null ? toDatetime(a) : null, tb = db === null ? toDatetime(b) : null;
    if (ta !== null && tb !== null) return [ta, tb];
    if (ta !== null && db !== null) return [ta, ta + db];
    if (da !== null && tb !== null) return [tb - da, tb];
  }
  throw new KqlError(`Invalid timespan '${timespan}'`, 'BadArgumentError');
}

/** ISO 8601 duration (`P1DT2H`, `PT30M`, `P2W`) in ms, or null. */
export function isoDuration(s: string): number | null {
  const t = s.trim().toUpperCase();
  const m = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(t);
  if (!m || t === 'P' || t.endsWith('T')) return null;
  const [w, d, h, min, sec] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return (((w * 7 + d) * 24 + h) * 60 + min) * 60_000 + sec * 1000;
}

function hasData(ws: TenantLogAnalyticsWorkspace): boolean {
  return Object.values(ws.tables ?? {}).some((rows) => Array.isArray(rows) && rows.length > 0);
}

function workspaceOf(tenant: Tenant, id: string): TenantLogAnalyticsWorkspace | undefined {
  const all = tenant.logAnalytics ?? {};
  if (all[id]) return all[id];
  const lower = id.toLowerCase();
  for (const [key, ws] of Object.entries(all)) {
    if (key.toLowerCase() === lower || ws.resourceId?.toLowerCase() === lower) return ws;
  }
  return undefined;
}

/** The customer id a workspace is keyed by in the tenant (what a row's TenantId holds). */
function workspaceKey(tenant: Tenant, ws: TenantLogAnalyticsWorkspace, fallback: string): string {
  return Object.entries(tenant.logAnalytics ?? {}).find(([, w]) => w === ws)?.[0] ?? fallback;
}

const LA_TYPE: Record<KType, string> = {
  bool: 'bool', int: 'int', long: 'long', real: 'real', decimal: 'decimal', string: 'string', datetime: 'datetime',
  timespan: 'timespan', guid: 'guid', dynamic: 'dynamic',
};

function laCell(v: unknown, type: KType): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'dynamic') return JSON.stringify(v);
  return toJson(v, type);
}

/** Runs `body.query` over the workspace (plus `body.workspaces`); null when the workspace holds no data (→ 204). */
export function queryWorkspace(tenant: Tenant, workspaceId: string, body: LogAnalyticsRequest): LogAnalyticsAnswer | null {
  if (!body || typeof body.query !== 'string') throw new KqlError("The request body needs a 'query' string", 'BadArgumentError');
  const primary = workspaceOf(tenant, workspaceId);
  if (!primary) throw new KqlError(`Workspace '${workspaceId}' was not found`, 'WorkspaceNotFoundError', 404);
  const workspaces = [primary];
  const idOf = new Map<TenantLogAnalyticsWorkspace, string>([[primary, workspaceKey(tenant, primary, workspaceId)]]);
  for (const extra of body.workspaces ?? []) {
    const ws = workspaceOf(tenant, extra);
    if (!ws) throw new KqlError(`Workspace '${extra}' was not found`, 'WorkspaceNotFoundError', 404);
    if (!workspaces.includes(ws)) { workspaces.push(ws); idOf.set(ws, workspaceKey(tenant, ws, extra)); }
  }
  if (!workspaces.some(hasData)) return null;
  const now = toDatetime(tenant.now);
  if (now === null) throw new KqlError('The tenant has no valid "now"', 'InternalError', 500);
  const window = parseTimespan(body.timespan, now);
  const table = runQuery(body.query, {
    now,
    resolveTable: (name) => {
      const parts = workspaces.filter((ws) => Array.isArray(ws.tables?.[name])).map((ws) => typedTable(name, ws.tables[name], idOf.get(ws)));
      if (parts.length === 0) return undefined;
      const merged = parts.length === 1 ? parts[0] : mergeTables(parts);
      return window ? withinWindow(merged, window) : merged;
    },
  });
  return {
    tables: [{
      name: 'PrimaryResult',
      columns: table.columns.map((c) => ({ name: c.name, type: LA_TYPE[c.type] })),
      rows: table.rows.map((r) => table.columns.map((c, i) => laCell(r[i], c.type))),
    }],
  };
}

function withinWindow(t: Table, [from, to]: [number, number]): Table {
  const i = t.columns.findIndex((c) => c.name === 'TimeGenerated');
  if (i < 0) return t;
  return { columns: t.columns, rows: t.rows.filter((r) => { const v = r[i] as number | null; return v !== null && v >= from && v <= to; }) };
}

/** The same table from several workspaces (a cross-workspace query): columns by name, rows one after another. */
function mergeTables(parts: Table[]): Table {
  const columns: Column[] = [];
  const pos = new Map<string, number>();
  for (const t of parts) for (const c of t.columns) if (!pos.has(c.name)) { pos.set(c.name, columns.length); columns.push(c); }
  const rows: unknown[][] = [];
  for (const t of parts) {
    const map = t.columns.map((c) => pos.get(c.name) as number);
    for (const r of t.rows) {
      const out: unknown[] = columns.map((c) => (c.type === 'string' ? '' : null));
      map.forEach((to, from) => { out[to] = r[from]; });
      rows.push(out);
    }
  }
  return { columns, rows };
}

// Resource Graph on the engine: `resources` and `resourcecontainers` built from the tenant as Graph shows them,
// scoped to the request's subscriptions or management groups, paged with `$top` / `$skip` / `$skipToken`.
import { createHash } from 'node:crypto';
import type { ArmResource, Tenant, TenantManagementGroup } from '../tenant-types';
import type { ResourceGraphRequestBody as ResourceGraphRequest, ResourceGraphResponse as ResourceGraphAnswer } from './index';
import { KqlError } from './errors';
import { runQuery } from './engine';
import { resourceGraphColumns } from './schemas';
import { type KType, type Table, fromJson, toDatetime, toJson } from './values';

const DEFAULT_TOP = 100;
const MAX_TOP = 1000;

/** The subscription and resource group an ARM id names (lower-cased, as Graph's columns are). */
function idParts(id: string): { subscriptionId: string; resourceGroup: string } {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(id);
  return { subscriptionId: (m?.[1] ?? '').toLowerCase(), resourceGroup: (m?.[2] ?? '').toLowerCase() };
}

function argRow(r: Record<string, unknown>, tenantId: string): Record<string, unknown> {
  return {
    id: r.id, name: r.name, type: String(r.type ?? '').toLowerCase(), tenantId, kind: r.kind ?? '', location: r.location ?? '',
    resourceGroup: r.resourceGroup ?? '', subscriptionId: r.subscriptionId ?? '', managedBy: r.managedBy ?? '', sku: r.sku ?? null,
    plan: r.plan ?? null, properties: r.properties ?? {}, tags: r.tags ?? {}, identity: r.identity ?? null, zones: r.zones ?? null,
    extendedLocation: r.extendedLocation ?? null,
  };
}

function toTable(objects: Record<string, unknown>[]): Table {
  const columns = resourceGraphColumns();
  return { columns, rows: objects.map((o) => columns.map((c) => fromJson(o[c.name], c.type))) };
}

function groupKeyOf(g: TenantManagementGroup): string[] {
  return [g.id.toLowerCase(), g.name.toLowerCase()];
}

function findGroup(tenant: Tenant, ref: string): TenantManagementGroup | undefined {
  const r = ref.toLowerCase();
  const tail = r.split('/').pop() as string;
  return (tenant.managementGroups ?? []).find((g) => groupKeyOf(g).includes(r) || g.name.toLowerCase() === tail);
}

/** A management group and all its descendants (cycles in a hand-written tenant are tolerated). */
function groupClosure(tenant: Tenant, root: TenantManagementGroup): TenantManagementGroup[] {
  const out: TenantManagementGroup[] = [];
  const stack = [root];
  while (stack.length) {
    const g = stack.pop() as TenantManagementGroup;
    if (out.includes(g)) continue;
    out.push(g);
    for (const child of g.children ?? []) {
      const c = findGroup(tenant, child);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** The ancestors of the group holding a subscription, nearest first (Graph's managementGroupAncestorsChain). */
function ancestorsOfSubscription(tenant: Tenant, subscriptionId: string): TenantManagementGroup[] {
  const groups = tenant.managementGroups ?? [];
  const parentOf = (g: TenantManagementGroup) => groups.find((p) => (p.children ?? []).some((c) => findGroup(tenant, c) === g));
  const holder = groups.find((g) => (g.subscriptions ?? []).some((s) => s.toLowerCase() === subscriptionId));
  const chain: TenantManagementGroup[] = [];
  for (let g = holder; g && !chain.includes(g); g = parentOf(g)) chain.push(g);
  return chain;
}

interface Scope { subscriptions: Set<string> | null; groups: Set<TenantManagementGroup> | null }

function scopeOf(tenant: Tenant, body: ResourceGraphRequest): Scope {
  if (body.subscriptions && body.subscriptions.length > 0) {
    return { subscriptions: new Set(body.subscriptions.map((s) => s.toLowerCase())), groups: new Set() };
  }
  if (body.managementGroups && body.managementGroups.length > 0) {
    const groups = new Set<TenantManagementGroup>();
    const subscriptions = new Set<string>();
    for (const ref of body.managementGroups) {
      const g = findGroup(tenant, ref);
      if (!g) throw new KqlError(`The management group '${ref}' was not found or you do not have access to it`, 'BadRequest', 400);
      for (const d of groupClosure(tenant, g)) {
        groups.add(d);
        for (const s of d.subscriptions ?? []) subscriptions.add(s.toLowerCase());
      }
    }
    return { subscriptions, groups };
  }
  return { subscriptions: null, groups: null };
}

/** Types Graph keeps in a table of their own rather than in `resources` (Graph's table and resource type reference). */
const OWN_TABLE: Record<string, string> = {
  'microsoft.insights/datacollectionruleassociations': 'insightresources',
};

/**
 * Types Resource Graph never indexes, whatever the tenant says: AzureML v2 jobs are listed only through the
 * workspace's ARM `…/jobs` (Jobs_List); tools that inventory them (Cloud Custodian's machine-learning-job) read ARM.
 */
const NOT_INDEXED = ['microsoft.machinelearningservices/workspaces/jobs'];

function buildResources(tenant: Tenant, scope: Scope, table = 'resources'): Table {
  const exclude = new Set([...NOT_INDEXED, ...(tenant.resourceGraph?.excludeTypes ?? []).map((t) => t.toLowerCase())]);
  const tenantId = tenant.tenantId ?? '';
  const rows: Record<string, unknown>[] = [];
  for (const r of tenant.resources ?? []) {
    const type = String(r.type).toLowerCase();
    if (exclude.has(type) || (OWN_TABLE[type] ?? 'resources') !== table) continue;
    const { subscriptionId, resourceGroup } = idParts(r.id);
    if (scope.subscriptions && !scope.subscriptions.has(subscriptionId)) continue;
    rows.push(argRow({ ...r, subscriptionId, resourceGroup }, tenantId));
  }
  return toTable(rows);
}

function buildContainers(tenant: Tenant, scope: Scope): Table {
  const tenantId = tenant.tenantId ?? '';
  const rows: Record<string, unknown>[] = [];
  for (const s of tenant.subscriptions ?? []) {
    const subscriptionId = s.subscriptionId.toLowerCase();
    if (scope.subscriptions && !scope.subscriptions.has(subscriptionId)) continue;
    const chain = ancestorsOfSubscription(tenant, subscriptionId).map((g) => ({ name: g.name, displayName: g.displayName ?? g.name }));
    rows.push(argRow({
      id: s.id ?? `/subscriptions/${s.subscriptionId}`, name: s.displayName ?? s.subscriptionId, type: 'microsoft.resources/subscriptions',
      subscriptionId, properties: { state: s.state ?? 'Enabled', managementGroupAncestorsChain: chain }, tags: s.tags ?? {},
    }, s.tenantId ?? tenantId));
  }
  // Resource groups, as Graph lists them in resourcecontainers, from the ids of the tenant's resources.
  const groupsSeen = new Map<string, ArmResource>();
  for (const r of tenant.resources ?? []) {
    const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)/i.exec(r.id);
    if (!m || groupsSeen.has(m[1].toLowerCase())) continue;
    groupsSeen.set(m[1].toLowerCase(), r);
    const { subscriptionId, resourceGroup } = idParts(r.id);
    if (scope.subscriptions && !scope.subscriptions.has(subscriptionId)) continue;
    rows.push(argRow({
      id: m[1], name: m[1].split('/').pop(), type: 'microsoft.resources/subscriptions/resourcegroups', subscriptionId, resourceGroup,
      properties: { provisioningState: 'Succeeded' },
    }, tenantId));
  }
  for (const g of tenant.managementGroups ?? []) {
    if (scope.groups && !scope.groups.has(g)) continue;
    rows.push(argRow({ id: g.id, name: g.name, type: 'microsoft.management/managementgroups', properties: { displayName: g.displayName ?? g.name } }, tenantId));
  }
  return toTable(rows);
}

const ARG_TYPE: Record<KType, string> = {
  bool: 'boolean', int: 'integer', long: 'integer', real: 'number', decimal: 'number', string: 'string', datetime: 'datetime',
  timespan: 'string', guid: 'string', dynamic: 'object',
};

interface SkipToken { o: number; h: string }

function queryHash(body: ResourceGraphRequest): string {
  const scope = JSON.stringify([body.query, body.subscriptions ?? [], body.managementGroups ?? []]);
  return createHash('sha256').update(scope).digest('base64url').slice(0, 16);
}

function readSkipToken(token: string, hash: string): number {
  let parsed: SkipToken;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as SkipToken;
  } catch {
    throw new KqlError('The $skipToken is not valid', 'InvalidSkipToken', 400);
  }
  if (typeof parsed?.o !== 'number' || parsed.h !== hash) throw new KqlError('The $skipToken does not belong to this query', 'InvalidSkipToken', 400);
  return parsed.o;
}

function pageSize(options: ResourceGraphRequest['options']): number {
  const top = options?.$top;
  if (top === undefined || top === null) return DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) throw new KqlError(`$top must be an integer from 1 to ${MAX_TOP}`, 'BadRequest', 400);
  return top;
}

/**
 * Built tables per tenant object and scope: paging through 100,000 resources re-reads the same tables for every
 * page. A replaced tenant (or a moved clock) is a new object, so a new cache; a tenant mutated in place is not seen.
 */
const builtTables = new WeakMap<Tenant, Map<string, Table>>();

function cachedTable(tenant: Tenant, key: string, build: () => Table): Table {
  let byKey = builtTables.get(tenant);
  if (!byKey) { byKey = new Map(); builtTables.set(tenant, byKey); }
  let t = byKey.get(key);
  if (!t) { t = build(); byKey.set(key, t); }
  return t;
}

export function queryResourceGraph(tenant: Tenant, body: ResourceGraphRequest): ResourceGraphAnswer {
  if (!body || typeof body.query !== 'string') throw new KqlError("The request body needs a 'query' string", 'BadRequest', 400);
  const scope = scopeOf(tenant, body);
  const now = toDatetime(tenant.now) ?? Date.now();
  const scopeKey = JSON.stringify([body.subscriptions ?? [], body.managementGroups ?? [], tenant.resources?.length ?? 0, tenant.resourceGraph?.excludeTypes ?? []]);
  const result = runQuery(body.query, {
    now,
    resolveTable: (name) => {
      const n = name.toLowerCase();
      if (n === 'resources') return cachedTable(tenant, `resources ${scopeKey}`, () => buildResources(tenant, scope));
      if (n === 'resourcecontainers') return cachedTable(tenant, `containers ${scopeKey}`, () => buildContainers(tenant, scope));
      if (n === 'insightresources') return cachedTable(tenant, `insights ${scopeKey}`, () => buildResources(tenant, scope, 'insightresources'));
      return undefined;
    },
  });
  const top = pageSize(body.options);
  const hash = queryHash(body);
  const skip = body.options?.$skipToken ? readSkipToken(body.options.$skipToken, hash) : Math.max(0, Number(body.options?.$skip ?? 0) || 0);
  const total = result.rows.length;
  const page = result.rows.slice(skip, skip + top);
  const more = skip + page.length < total;
  const pageable = result.columns.some((c) => c.name === 'id');
  const answer: ResourceGraphAnswer = {
    totalRecords: total,
    count: page.length,
    resultTruncated: more && !pageable ? 'true' : 'false',
    data: null,
    facets: [],
  };
  if (more && pageable) answer.$skipToken = Buffer.from(JSON.stringify({ o: skip + page.length, h: hash } satisfies SkipToken)).toString('base64');
  const cell = (v: unknown, type: KType) => toJson(v, type);
  if (body.options?.resultFormat === 'table') {
    answer.data = {
      columns: result.columns.map((c) => ({ name: c.name, type: ARG_TYPE[c.type] })),
      rows: page.map((r) => result.columns.map((c, i) => cell(r[i], c.type))),
    };
  } else {
    answer.data = page.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, cell(r[i], c.type)])));
  }
  return answer;
}

// ARM (management plane) answers derived from the tenant: subscriptions, resource groups, any resource by id, lists
// with nextLink paging, child collections embedded in a parent (VNet subnets, NSG rules), and the few provider
// endpoints the product reads (ML vmSizes, service tags, compute SKUs, diagnostic settings, management groups).
// Shapes follow the Azure REST examples in shared/fixtures/azure-rest-examples.
import { errorReply, type Reply, type SandboxRequest } from './http';
import type { TenantIndex } from './tenant-index';
import type { ArmResource, TenantManagementGroup } from './tenant-types';

export interface ArmContext {
  index: TenantIndex;
  baseUrl: string;
  pageSize: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const normLocation = (loc: string) => loc.toLowerCase().replace(/\s+/g, '');

/** One page of a list, with an absolute nextLink on the sandbox that keeps every query parameter (api-version too). */
export function pageReply(items: readonly unknown[], req: SandboxRequest, ctx: ArmContext): Reply {
  const token = req.query.get('$skiptoken') ?? req.query.get('$skipToken');
  const offset = token && /^\d+$/.test(token) ? Number(token) : 0;
  const end = offset + ctx.pageSize;
  const body: Json = { value: items.slice(offset, end) };
  if (end < items.length) {
    const params = new URLSearchParams(req.query);
    params.delete('$skipToken');
    params.set('$skiptoken', String(end));
    body.nextLink = `${ctx.baseUrl}${req.rawUrl.split('?')[0]}?${params.toString()}`;
  }
  return { status: 200, body };
}

const JOBS_PATH = /^subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+\/jobs$/;
const LIST_VIEW_TYPES = new Set(['activeonly', 'archivedonly', 'all']);

/**
 * Jobs_List (`…/workspaces/{ws}/jobs`): `listViewType` ActiveOnly (the default) hides archived jobs
 * (`properties.isArchived`), ArchivedOnly shows only them, All both; `$skip` is the continuation token of the
 * nextLink. The REST spec has no ordering parameter; the sandbox answers newest first by `systemData.createdAt`, as
 * the service is observed to, and the product must not depend on more than "a page wholly older than the horizon
 * ends the list" (shared/discovery/jobs.ts).
 */
function jobsReply(segs: string[], req: SandboxRequest, ctx: ArmContext): Reply {
  const view = (req.query.get('listViewType') ?? 'ActiveOnly').toLowerCase();
  if (!LIST_VIEW_TYPES.has(view)) return errorReply(400, 'UserError', `listViewType '${req.query.get('listViewType')}' is not one of ActiveOnly, ArchivedOnly, All.`);
  const workspace = ctx.index.resource(`/${segs.slice(0, -1).join('/')}`);
  if (!workspace) return notFound(`/${segs.slice(0, -1).join('/')}`);
  const archived = (j: ArmResource) => (j.properties as Json | undefined)?.isArchived === true;
  const created = (j: ArmResource) => String((j.systemData as Json | undefined)?.createdAt ?? '');
  const jobs = (ctx.index.collections.get(`/${segs.join('/')}`.toLowerCase()) ?? [])
    .filter((j) => (view === 'all' ? true : view === 'archivedonly' ? archived(j) : !archived(j)))
    .sort((a, b) => created(b).localeCompare(created(a)));
  const token = req.query.get('$skip');
  const offset = token && /^\d+$/.test(token) ? Number(token) : 0;
  // The request log tells a further page from the first (budget tests count pages).
  if (token) req.note.query = `$skip=${token}`;
  const end = offset + ctx.pageSize;
  const body: Json = { value: jobs.slice(offset, end) };
  if (end < jobs.length) {
    const params = new URLSearchParams(req.query);
    params.set('$skip', String(end));
    body.nextLink = `${ctx.baseUrl}${req.rawUrl.split('?')[0]}?${params.toString()}`;
  }
  return { status: 200, body };
}

function notFound(path: string): Reply {
  const segs = path.split('/').filter(Boolean);
  const p = segs.findIndex((s) => s.toLowerCase() === 'providers');
  const rgAt = segs.findIndex((s) => s.toLowerCase() === 'resourcegroups');
  if (p >= 0 && segs.length > p + 2) {
    const typeSegs = segs.slice(p + 1).filter((_, i) => i === 0 || i % 2 === 1);
    const what = `${typeSegs.join('/')}/${segs[segs.length - 1]}`;
    const rg = rgAt >= 0 ? ` under resource group '${segs[rgAt + 1]}'` : '';
    return errorReply(404, 'ResourceNotFound', `The Resource '${what}'${rg} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return errorReply(404, 'ResourceNotFound', `The resource '${path}' was not found.`);
}

const ROUTE_NOT_FOUND = (path: string) => errorReply(404, 'ResourceNotFound', `No route in the sandbox's ARM for '${path}'.`);

/** A VM as ARM answers it: Resource Graph's `properties.extended` is not part of ARM; `$expand=instanceView` adds statuses. */
function presentVm(vm: ArmResource, expand: string | null): ArmResource {
  const props = { ...(vm.properties ?? {}) };
  const extended = props.extended as Json | undefined;
  delete props.extended;
  if (expand && /instanceview/i.test(expand)) props.instanceView = vmInstanceView(vm, extended);
  return { ...vm, properties: props };
}

function vmInstanceView(vm: ArmResource, extended = vm.properties?.extended as Json | undefined): Json {
  const iv = isObject(extended?.instanceView) ? extended.instanceView : {};
  const power = isObject(iv.powerState) ? iv.powerState : undefined;
  const provisioning = String(vm.properties?.provisioningState ?? 'Succeeded');
  const statuses: Json[] = [
    { code: `ProvisioningState/${provisioning.toLowerCase()}`, level: 'Info', displayStatus: `Provisioning ${provisioning.toLowerCase()}` },
  ];
  if (power?.code) {
    statuses.push({ code: power.code, level: 'Info', displayStatus: power.displayStatus ?? `VM ${String(power.code).split('/')[1] ?? ''}` });
  }
  return { computerName: (vm.properties?.osProfile as Json | undefined)?.computerName, statuses };
}

function presentResource(r: ArmResource, req: SandboxRequest): ArmResource {
  return r.type.toLowerCase() === 'microsoft.compute/virtualmachines' ? presentVm(r, req.query.get('$expand')) : r;
}

/** Children kept inside a parent's properties (subnets of a VNet, rules of an NSG), with ids filled in. */
function embeddedChildren(parent: ArmResource, childSeg: string): Json[] | undefined {
  const props = parent.properties ?? {};
  const key = Object.keys(props).find((k) => k.toLowerCase() === childSeg.toLowerCase());
  const list = key ? props[key] : undefined;
  if (!Array.isArray(list)) return undefined;
  return list.filter(isObject).map((c) => (c.id ? c : { ...c, id: `${parent.id}/${key}/${String(c.name)}` }));
}

function managementGroupsReply(segs: string[], req: SandboxRequest, ctx: ArmContext): Reply {
  const groups = ctx.index.tenant.managementGroups ?? [];
  const byName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
  const tenantId = ctx.index.tenant.tenantId;
  const nameOf = (id: string) => id.split('/').filter(Boolean).pop() ?? id;
  const parentOf = (g: TenantManagementGroup) => groups.find((p) => (p.children ?? []).some((c) => nameOf(c).toLowerCase() === g.name.toLowerCase()));
  const summary = (g: TenantManagementGroup): Json => ({
    id: g.id, type: 'Microsoft.Management/managementGroups', name: g.name,
    properties: { tenantId, displayName: g.displayName ?? g.name },
  });
  const childrenOf = (g: TenantManagementGroup, recurse: boolean): Json[] => [
    ...(g.children ?? []).map((c) => byName.get(nameOf(c).toLowerCase())).filter((c): c is TenantManagementGroup => !!c).map((c) => ({
      type: 'Microsoft.Management/managementGroups', id: c.id, name: c.name, displayName: c.displayName ?? c.name,
      ...(recurse ? { children: childrenOf(c, true) } : {}),
    })),
    ...(g.subscriptions ?? []).map((s) => ({
      type: '/subscriptions', id: `/subscriptions/${s}`, name: s, displayName: ctx.index.subscription(s)?.displayName ?? s,
    })),
  ];
  if (segs.length === 3) return pageReply(groups.map(summary), req, ctx);
  const g = byName.get(segs[3].toLowerCase());
  if (!g) return errorReply(404, 'NotFound', `Management group '${segs[3]}' was not found.`);
  if (segs.length === 4) {
    const parent = parentOf(g);
    const properties: Json = {
      tenantId, displayName: g.displayName ?? g.name,
      details: { parent: parent ? { id: parent.id, name: parent.name, displayName: parent.displayName ?? parent.name } : null },
    };
    if (/children/i.test(req.query.get('$expand') ?? '')) properties.children = childrenOf(g, req.query.get('$recurse') === 'true');
    return { status: 200, body: { id: g.id, type: 'Microsoft.Management/managementGroups', name: g.name, properties } };
  }
  if (segs.length === 5 && segs[4].toLowerCase() === 'descendants') {
    const out: Json[] = [];
    const walk = (grp: TenantManagementGroup) => {
      for (const c of childrenOf(grp, false)) {
        out.push({ id: c.id, type: c.type, name: c.name, properties: { displayName: c.displayName, parent: { id: grp.id } } });
        const sub = c.type === '/subscriptions' ? undefined : byName.get(String(c.name).toLowerCase());
        if (sub) walk(sub);
      }
    };
    walk(g);
    return pageReply(out, req, ctx);
  }
  return ROUTE_NOT_FOUND(req.path);
}

function diagnosticSettingsReply(resourceId: string, name: string | undefined, req: SandboxRequest, ctx: ArmContext): Reply {
  const all = ctx.index.tenant.diagnosticSettings ?? {};
  const key = Object.keys(all).find((k) => k.toLowerCase() === resourceId.toLowerCase());
  if (!key && !ctx.index.resource(resourceId)) return notFound(resourceId);
  const settings = (key ? all[key] : []).map((s) => ({
    id: s.id ?? `${resourceId}/providers/microsoft.insights/diagnosticSettings/${s.name}`,
    type: 'Microsoft.Insights/diagnosticSettings',
    ...s,
  }));
  if (name === undefined) return { status: 200, body: { value: settings } };
  const one = settings.find((s) => s.name.toLowerCase() === name.toLowerCase());
  return one ? { status: 200, body: one } : errorReply(404, 'ResourceNotFound', `The diagnostic setting '${name}' doesn't exist.`);
}

/** Data Collection Rule Associations - List By Rule: every association whose dataCollectionRuleId is the rule. */
function ruleAssociationsReply(ruleId: string, req: SandboxRequest, ctx: ArmContext): Reply {
  if (!ctx.index.resource(ruleId)) return notFound(ruleId);
  const key = ruleId.toLowerCase();
  const associations = ctx.index.tenant.resources.filter((r) =>
    r.type.toLowerCase() === 'microsoft.insights/datacollectionruleassociations'
    && String(r.properties?.dataCollectionRuleId ?? '').toLowerCase() === key);
  return pageReply(associations, req, ctx);
}

function serviceTagsReply(subscriptionId: string, location: string, ctx: ArmContext): Reply {
  const all = ctx.index.tenant.serviceTags ?? {};
  const key = Object.keys(all).find((k) => normLocation(k) === normLocation(location));
  // Azure answers every tag of the cloud whatever the location; a tenant may list them under one location only.
  const values = key ? all[key] : [...new Map(Object.values(all).flat().map((t) => [t.name, t])).values()];
  return {
    status: 200,
    body: {
      name: 'Public', id: `/subscriptions/${subscriptionId}/providers/Microsoft.Network/serviceTags/Public`,
      type: 'Microsoft.Network/serviceTags', changeNumber: '1', cloud: 'Public',
      values: values.map((v) => ({ id: v.name, ...v })),
    },
  };
}

function subscriptionScoped(segs: string[], req: SandboxRequest, ctx: ArmContext): Reply | undefined {
  const sub = segs[1];
  const lower = segs.map((s) => s.toLowerCase());
  if (segs.length === 7 && lower[2] === 'providers' && lower[3] === 'microsoft.machinelearningservices' && lower[4] === 'locations' && lower[6] === 'vmsizes') {
    const all = ctx.index.tenant.vmSizes ?? {};
    const key = Object.keys(all).find((k) => normLocation(k) === normLocation(segs[5]));
    return { status: 200, body: { value: key ? all[key] : [] } };
  }
  if (segs.length === 7 && lower[2] === 'providers' && lower[3] === 'microsoft.network' && lower[4] === 'locations' && lower[6] === 'servicetags') {
    return serviceTagsReply(sub, segs[5], ctx);
  }
  if (segs.length === 5 && lower[2] === 'providers' && lower[3] === 'microsoft.compute' && lower[4] === 'skus') {
    const filter = /location\s+eq\s+'([^']*)'/i.exec(req.query.get('$filter') ?? '')?.[1];
    const skus = (ctx.index.tenant.computeSkus ?? []).filter((s) =>
      !filter || (Array.isArray(s.locations) && s.locations.some((l) => normLocation(String(l)) === normLocation(filter))));
    return pageReply(skus, req, ctx);
  }
  if (segs.length === 3 && lower[2] === 'resourcegroups') {
    const groups = [...ctx.index.resourceGroups.values()].filter((g) => g.subscriptionId.toLowerCase() === sub.toLowerCase());
    return pageReply(groups.map(resourceGroupBody), req, ctx);
  }
  if (segs.length === 4 && lower[2] === 'resourcegroups') {
    const g = ctx.index.resourceGroup(sub, segs[3]);
    return g ? { status: 200, body: resourceGroupBody(g) } : errorReply(404, 'ResourceGroupNotFound', `Resource group '${segs[3]}' could not be found.`);
  }
  return undefined;
}

function resourceGroupBody(g: { id: string; name: string; location?: string }): Json {
  return { id: g.id, name: g.name, type: 'Microsoft.Resources/resourceGroups', location: g.location, properties: { provisioningState: 'Succeeded' } };
}

/** Is this path a collection (a list) rather than one resource? Counted from the last `providers` segment. */
function isCollectionPath(segs: string[]): boolean {
  const p = segs.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (p < 0) return segs.length % 2 === 1; // /subscriptions, /subscriptions/{s}/resourceGroups, …/resources
  return (segs.length - p - 1) % 2 === 0;
}

function genericReply(segs: string[], req: SandboxRequest, ctx: ArmContext): Reply {
  const path = `/${segs.join('/')}`;
  const { index } = ctx;
  if (isCollectionPath(segs)) {
    const listed = index.collections.get(path.toLowerCase());
    if (listed) return pageReply(listed.map((r) => presentResource(r, req)), req, ctx);
    const parentPath = `/${segs.slice(0, -1).join('/')}`;
    const parent = index.resource(parentPath);
    if (parent) return pageReply(embeddedChildren(parent, segs[segs.length - 1]) ?? [], req, ctx);
    // An empty list where the scope exists (a subscription or resource group with none of that type).
    const lower = segs.map((s) => s.toLowerCase());
    if ((segs.length === 5 && lower[2] === 'providers') || (segs.length === 3 && lower[2] === 'resources')) return pageReply([], req, ctx);
    if (lower[2] === 'resourcegroups' && ((segs.length === 7 && lower[4] === 'providers') || (segs.length === 5 && lower[4] === 'resources'))) {
      return index.resourceGroup(segs[1], segs[3]) ? pageReply([], req, ctx) : errorReply(404, 'ResourceGroupNotFound', `Resource group '${segs[3]}' could not be found.`);
    }
    return notFound(parentPath);
  }
  const r = index.resource(path);
  if (r) return { status: 200, body: presentResource(r, req) };
  if (segs.length >= 3) {
    const parent = index.resource(`/${segs.slice(0, -2).join('/')}`);
    const child = parent && embeddedChildren(parent, segs[segs.length - 2])?.find((c) => String(c.name).toLowerCase() === segs[segs.length - 1].toLowerCase());
    if (child) return { status: 200, body: child };
  }
  if (segs.length >= 2 && segs[segs.length - 1].toLowerCase() === 'instanceview') {
    const vm = index.resource(`/${segs.slice(0, -1).join('/')}`);
    if (vm && vm.type.toLowerCase() === 'microsoft.compute/virtualmachines') return { status: 200, body: vmInstanceView(vm) };
  }
  const lower = segs.map((s) => s.toLowerCase());
  if (lower[2] === 'resourcegroups' && segs.length > 4 && !index.resourceGroup(segs[1], segs[3])) {
    return errorReply(404, 'ResourceGroupNotFound', `Resource group '${segs[3]}' could not be found.`);
  }
  return notFound(path);
}

export function armReply(req: SandboxRequest, ctx: ArmContext): Reply {
  if (req.method !== 'GET') return errorReply(405, 'MethodNotAllowed', `The sandbox's ARM answers GET only; ${req.method} ${req.path} is not supported.`);
  if (!req.query.get('api-version')) {
    return errorReply(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  const segs = req.path.split('/').filter(Boolean);
  const lower = segs.map((s) => s.toLowerCase());
  if (segs.length === 0) return ROUTE_NOT_FOUND(req.path);

  // {resourceId}/providers/Microsoft.Insights/diagnosticSettings[/{name}]
  const diag = lower.findIndex((s, i) => s === 'providers' && lower[i + 1] === 'microsoft.insights' && lower[i + 2] === 'diagnosticsettings');
  if (diag > 0) return diagnosticSettingsReply(`/${segs.slice(0, diag).join('/')}`, segs[diag + 3], req, ctx);

  // {dataCollectionRuleId}/associations: the associations (extension resources on their targets) naming this rule.
  const n = segs.length;
  if (n === 9 && lower[n - 1] === 'associations' && lower[n - 3] === 'datacollectionrules' && lower[n - 4] === 'microsoft.insights') {
    return ruleAssociationsReply(`/${segs.slice(0, -1).join('/')}`, req, ctx);
  }

  if (lower[0] === 'providers' && lower[1] === 'microsoft.management' && lower[2] === 'managementgroups') return managementGroupsReply(segs, req, ctx);
  if (lower[0] !== 'subscriptions') return ROUTE_NOT_FOUND(req.path);

  if (segs.length === 1) {
    return pageReply(ctx.index.tenant.subscriptions.map((s) => ({ id: `/subscriptions/${s.subscriptionId}`, ...s })), req, ctx);
  }
  const sub = ctx.index.subscription(segs[1]);
  if (!sub) return errorReply(404, 'SubscriptionNotFound', `The subscription '${segs[1]}' could not be found.`);
  if (segs.length === 2) return { status: 200, body: { id: `/subscriptions/${sub.subscriptionId}`, ...sub } };
  if (JOBS_PATH.test(lower.join('/'))) return jobsReply(segs, req, ctx);
  return subscriptionScoped(segs, req, ctx) ?? genericReply(segs, req, ctx);
}

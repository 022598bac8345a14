// Which resources are TensorBoard hosts, and what discovery knows about each (DESIGN.md § Host kinds). Pure: the
// same raw JSON — a Resource Graph row that kept `properties` whole, or an ARM object read raw — gives the same
// HostRecord, which is what makes the Graph path and the ARM fallback interchangeable.
import { canonicalId, type HostFacts, type HostKind, type HostRecord } from '../model';
import { parseResourceId, workspaceIdOfCompute, nameOfId } from './ids';
import { ownersFromTags } from './owners';

/** A resource as Azure returns it (ARM GET/list item, or a Resource Graph row projecting these columns). */
export interface RawResource {
  id: string;
  name?: string;
  type: string;
  location?: string | null;
  tags?: Record<string, unknown> | null;
  properties?: unknown;
}

export interface IdentifyOptions {
  /** TBMON_HOST_TAG. */
  hostTag: string;
  /** TBMON_OWNER_TAGS, in order. */
  ownerTags: readonly string[];
}

export interface IdentifiedHost {
  /** `logAnalyticsWorkspaceId` is null here: routing needs lookups (see log-analytics.ts). */
  record: HostRecord;
  /** The `tbmon-log-analytics` tag value (ARM id or customer id), when set. */
  logAnalyticsTag: string | null;
}

export const COMPUTE_TYPE = 'microsoft.machinelearningservices/workspaces/computes';
export const VM_TYPE = 'microsoft.compute/virtualmachines';
export const LOG_ANALYTICS_TAG = 'tbmon-log-analytics';
export const DEFAULT_TENSORBOARD_PORT = 6006;

/** Tag values that say "not a TensorBoard host" although the key is present (a tag someone switched off). */
const TAG_OFF = /^(false|no|off|disabled?)$/i;
const TENSORBOARD = /tensorboard/i;

type Json = Record<string, unknown>;

function obj(v: unknown): Json | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
function canonicalOrNull(id: string | null): string | null {
  return id === null ? null : canonicalId(id);
}
function port(v: unknown): number | null {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/** Tags as strings (Azure tag values are strings; anything else is stringified rather than dropped). */
export function normaliseTags(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(tags) ?? {})) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** A tag's value by key, compared case-insensitively as Azure does; undefined when absent. */
export function tagValue(tags: Record<string, string>, key: string): string | undefined {
  const k = key.toLowerCase();
  for (const [name, value] of Object.entries(tags)) if (name.toLowerCase() === k) return value;
  return undefined;
}

/** The host tag's port when the tag marks the host: a number, or 6006 for any other value; null when not tagged. */
function taggedPort(tags: Record<string, string>, hostTag: string): number | null {
  const v = tagValue(tags, hostTag);
  if (v === undefined || TAG_OFF.test(v.trim())) return null;
  return port(v) ?? DEFAULT_TENSORBOARD_PORT;
}

interface ServiceEndpoint {
  port: number | null;
  publishedPort: number | null;
}

/**
 * The TensorBoard custom application of a compute instance: a service whose name or image mentions tensorboard
 * (its endpoint on 6006, else one named for tensorboard, else its first), else any service with an endpoint whose
 * target is 6006. Null when there is none.
 */
export function tensorboardServiceEndpoint(customServices: unknown): ServiceEndpoint | null {
  const services = Array.isArray(customServices) ? customServices.map(obj).filter((s): s is Json => s !== null) : [];
  const endpointsOf = (s: Json) => (Array.isArray(s.endpoints) ? s.endpoints.map(obj).filter((e): e is Json => e !== null) : []);
  const toPorts = (e: Json | undefined): ServiceEndpoint => {
    const target = e ? port(e.target) : null;
    return { port: target, publishedPort: e ? port(e.published) ?? target : null };
  };
  for (const s of services) {
    const image = obj(s.image);
    if (!TENSORBOARD.test(String(s.name ?? '')) && !TENSORBOARD.test(String(image?.reference ?? ''))) continue;
    const eps = endpointsOf(s);
    return toPorts(eps.find((e) => port(e.target) === DEFAULT_TENSORBOARD_PORT) ?? eps.find((e) => TENSORBOARD.test(String(e.name ?? ''))) ?? eps[0]);
  }
  for (const s of services) {
    const ep = endpointsOf(s).find((e) => port(e.target) === DEFAULT_TENSORBOARD_PORT);
    if (ep) return toPorts(ep);
  }
  return null;
}

function errorsOf(props: Json, inner: Json): unknown[] | null {
  const lists = [props.provisioningErrors, inner.errors].filter((v): v is unknown[] => Array.isArray(v));
  return lists.length ? lists.flat() : null;
}

function lastOperationOf(v: unknown): HostFacts['lastOperation'] {
  const o = obj(v);
  if (!o) return null;
  const out: NonNullable<HostFacts['lastOperation']> = {};
  for (const k of ['operationName', 'operationTrigger', 'operationStatus', 'operationTime'] as const) {
    const s = str(o[k]);
    if (s !== null) out[k] = s;
  }
  return out;
}

function computeFacts(raw: RawResource, props: Json, inner: Json, customApplication: boolean): HostFacts {
  const enable = inner.enableNodePublicIp;
  return {
    vmSize: str(inner.vmSize),
    state: str(inner.state),
    provisioningState: str(props.provisioningState),
    errors: errorsOf(props, inner),
    lastOperation: lastOperationOf(inner.lastOperation),
    enableNodePublicIp: typeof enable === 'boolean' ? enable : null,
    subnetId: canonicalOrNull(str(obj(inner.subnet)?.id)),
    nicIds: [],
    computerName: null,
    workspaceId: canonicalOrNull(workspaceIdOfCompute(raw.id)),
    privateIp: str(obj(inner.connectivityEndpoints)?.privateIpAddress),
    customApplication,
    ...(String(props.computeType ?? '').toLowerCase() === 'computeinstance' ? { startupScript: hasStartupScript(inner.setupScripts) } : {}),
  };
}

/** `setupScripts.scripts.startupScript` with a script in it (scriptSource + scriptData, or scriptData inline). */
function hasStartupScript(setupScripts: unknown): boolean {
  const script = obj(obj(obj(setupScripts)?.scripts)?.startupScript);
  return !!script && (str(script.scriptData) !== null || str(script.scriptSource) !== null);
}

/** A VM's power state: Resource Graph's `extended.instanceView.powerState.code`, or ARM's instanceView statuses. */
function vmPowerState(props: Json): string | null {
  const graph = str(obj(obj(obj(props.extended)?.instanceView)?.powerState)?.code);
  if (graph) return graph;
  const statuses = obj(props.instanceView)?.statuses;
  if (!Array.isArray(statuses)) return null;
  for (const s of statuses) {
    const code = str(obj(s)?.code);
    if (code?.startsWith('PowerState/')) return code;
  }
  return null;
}

function vmFacts(props: Json): HostFacts {
  const nics = obj(props.networkProfile)?.networkInterfaces;
  const instanceView = obj(props.instanceView) ?? obj(obj(props.extended)?.instanceView);
  return {
    vmSize: str(obj(props.hardwareProfile)?.vmSize),
    state: vmPowerState(props),
    provisioningState: str(props.provisioningState),
    errors: null,
    lastOperation: null,
    enableNodePublicIp: null,
    subnetId: null,
    nicIds: Array.isArray(nics) ? nics.map((n) => str(obj(n)?.id)).filter((id): id is string => id !== null).map(canonicalId) : [],
    computerName: str(obj(props.osProfile)?.computerName) ?? str(instanceView?.computerName),
    workspaceId: null,
    customApplication: false,
  };
}

/**
 * The host this resource is, or null when it is not a TensorBoard host: a compute instance with a TensorBoard custom
 * application or the host tag, a compute cluster with the host tag, a VM with the host tag. Anything else (other
 * compute types, untagged clusters and VMs, other resource types) is null.
 */
export function identifyHost(raw: RawResource, options: IdentifyOptions): IdentifiedHost | null {
  const type = raw.type.toLowerCase();
  const tags = normaliseTags(raw.tags);
  const props = obj(raw.properties) ?? {};
  const place = parseResourceId(raw.id);
  if (!place) return null;
  const tagPort = taggedPort(tags, options.hostTag);
  let kind: HostKind;
  let ports: { port: number; publishedPort: number };
  let facts: HostFacts;
  let customApplication = false;
  let createdBy: string | null = null;
  let workspace: string | null = null;
  let location = str(raw.location);

  if (type === COMPUTE_TYPE) {
    const inner = obj(props.properties) ?? {};
    const computeType = String(props.computeType ?? '').toLowerCase();
    const workspaceId = workspaceIdOfCompute(raw.id);
    if (!workspaceId) return null;
    if (computeType === 'computeinstance') {
      const service = tensorboardServiceEndpoint(inner.customServices);
      if (!service && tagPort === null) return null;
      kind = 'compute-instance';
      customApplication = service !== null;
      const fallback = tagPort ?? DEFAULT_TENSORBOARD_PORT;
      ports = { port: service?.port ?? fallback, publishedPort: service?.publishedPort ?? service?.port ?? fallback };
    } else if (computeType === 'amlcompute') {
      if (tagPort === null) return null;
      kind = 'compute-cluster';
      ports = { port: tagPort, publishedPort: tagPort };
    } else {
      return null;
    }
    facts = computeFacts(raw, props, inner, customApplication);
    createdBy = str(obj(inner.createdBy)?.userName);
    workspace = nameOfId(workspaceId);
    location ??= str(props.computeLocation);
  } else if (type === VM_TYPE) {
    if (tagPort === null) return null;
    kind = 'vm';
    ports = { port: tagPort, publishedPort: tagPort };
    facts = vmFacts(props);
  } else {
    return null;
  }

  const name = raw.name ?? nameOfId(raw.id);
  const record: HostRecord = {
    // The one place a compute's or VM's ids become canonical (model.ts canonicalId); name and resource group keep Azure's spelling.
    id: canonicalId(raw.id),
    name,
    kind,
    subscriptionId: place.subscriptionId,
    resourceGroup: place.resourceGroup,
    workspace,
    location: location ?? '',
    ...ports,
    owners: ownersFromTags(tags, options.ownerTags, createdBy, `host ${name}`),
    logAnalyticsWorkspaceId: null,
    tags,
    facts,
  };
  const laTag = tagValue(tags, LOG_ANALYTICS_TAG)?.trim();
  return { record, logAnalyticsTag: laTag ? laTag : null };
}

// What a person has in hand when TensorBoard answers 502 — parsed once, here, for the HTTP check, the CLI and
// discovery (findHost consumes the union), before anything reaches an Azure API. Accepted:
//   - a compute or VM name;
//   - an ARM id of a compute, a VM or an AzureML v2 job (any case, trailing slash);
//   - a compute instance's custom-application URL `https://<instance>-<port>.<region>.instances.azureml.ms/…`
//     (research/domain-facts.md "CI, URL form"), or its bare `https://<instance>.<region>.instances.azureml.ms/…`;
//   - a Jupyter proxy URL on the instance, `…/proxy/<port>/…` and `…/lab/…/proxy/<port>/…` (jupyter-server-proxy),
//     with a fragment, a query or more path;
//   - any of these URLs without `https://`;
//   - the studio URL of a compute (`https://ml.azure.com/compute/<name>/details?wsid=…`) or of a job
//     (`https://ml.azure.com/runs/<name>?wsid=…`, also `…/experiments/<id>/runs/<name>`);
//   - public and sovereign clouds. Compute-instance domains (azure-docs, "Configure inbound and outbound network
//     traffic" and the private DNS zone table): public `instances.azureml.ms` and `instances.azureml.net`, Azure
//     Government `instances.azureml.us`, Azure China `instances.azureml.cn`. Studio: `ml.azure.com`, `ml.azure.us`,
//     `studio.ml.azure.cn` (same page, "Azure Machine Learning studio" row).
// Anything else is a message that names what is wrong (a 400 on HTTP, exit 2 in the CLI).
import { canonicalId } from './model';

export type Cloud = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

/** One way to read the first label of an instance URL: the instance, and the port the URL asks it for. */
export interface InstanceUrlReading {
  instance: string;
  /** The port the URL reaches on the instance (`<instance>-<port>` or `/proxy/<port>/`); null when it names none. */
  port: number | null;
}

export type HostQuery =
  | { kind: 'name'; name: string }
  | {
    kind: 'id';
    hostKind: 'compute' | 'vm';
    /** Without a trailing slash, as written otherwise. */
    id: string;
    subscriptionId: string;
    resourceGroup: string;
    /** The ML workspace of a compute; null for a VM. */
    workspace: string | null;
    name: string;
    /** Where the id came from: typed as an id, or read from a studio URL's path and wsid. */
    from: 'arm-id' | 'studio-url';
  }
  | {
    /** An AzureML v2 job (`…/workspaces/{ws}/jobs/{name}`), from its ARM id or its studio URL. */
    kind: 'job';
    id: string;
    subscriptionId: string;
    resourceGroup: string;
    workspace: string;
    name: string;
    from: 'arm-id' | 'studio-url';
  }
  | {
    kind: 'url';
    form: 'custom-application' | 'jupyter-proxy';
    /** The URL without its query and fragment (a Jupyter query can hold a token): safe to show. */
    url: string;
    region: string;
    cloud: Cloud;
    /** The readings of the URL's first label, most likely first. */
    readings: InstanceUrlReading[];
  };

export type ParsedHostQuery = { ok: true; query: HostQuery } | { ok: false; message: string };

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// Resource group: letters (incl. Unicode), digits, _ ( ) - . ; not ending in a period; 1–90 characters.
const RG = "[\\p{L}\\p{N}_().-]{0,89}[\\p{L}\\p{N}_()-]";
// Workspace names: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$ (REST spec, workspaceName parameter).
const WS = '[A-Za-z0-9][A-Za-z0-9_-]{2,32}';
/** Compute (instance/cluster) and VM names: letters, digits, - _ . ; start with a letter or digit; ≤ 64. */
const NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}';
/** AzureML v2 job names: letters, digits, - _ ; start with a letter or digit; ≤ 255. */
const JOB = '[A-Za-z0-9][A-Za-z0-9_-]{0,254}';
const ARM_PREFIX = `^/subscriptions/(${GUID})/resourceGroups/(${RG})/providers/`;
const COMPUTE_ID = new RegExp(`${ARM_PREFIX}Microsoft\\.MachineLearningServices/workspaces/(${WS})/computes/(${NAME})$`, 'iu');
const JOB_ID = new RegExp(`${ARM_PREFIX}Microsoft\\.MachineLearningServices/workspaces/(${WS})/jobs/(${JOB})$`, 'iu');
const VM_ID = new RegExp(`${ARM_PREFIX}Microsoft\\.Compute/virtualMachines/(${NAME})$`, 'iu');
/** A studio URL's wsid: `/subscriptions/…/resourcegroups/…/workspaces/…`, with or without the providers segment. */
const WSID = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/(${RG})/(?:providers/Microsoft\\.MachineLearningServices/)?workspaces/(${WS})/?$`, 'iu');
const NAME_ONLY = new RegExp(`^${NAME}$`);
/** Compute instance names: 3–24 letters, digits and hyphens, starting with a letter (azure-docs, create compute instance). */
const INSTANCE = /^[a-z][a-z0-9-]{2,23}$/;
const INSTANCE_HOST = /^([a-z0-9][a-z0-9-]*)\.([a-z0-9]+)\.instances\.azureml\.(ms|net|us|cn)$/;
const INSTANCE_CLOUD: Record<string, Cloud> = { ms: 'AzureCloud', net: 'AzureCloud', us: 'AzureUSGovernment', cn: 'AzureChinaCloud' };
const STUDIO_HOSTS = new Set(['ml.azure.com', 'ml.azure.us', 'studio.ml.azure.cn']);
const MAX_INPUT = 2048;

const ACCEPTED = 'an ARM resource id, a compute or VM name, a TensorBoard URL or a studio URL';

/**
 * Parses what a person pasted. `label` names the input in messages (`"host"` for the HTTP check, the argument in the
 * CLI), so every refusal says which input is wrong.
 */
export function parseHostQuery(input: unknown, label = '"host"'): ParsedHostQuery {
  const no = (why: string): ParsedHostQuery => ({ ok: false, message: `${label} ${why}` });
  if (typeof input !== 'string') return no(`must be a string: ${ACCEPTED}`);
  const raw = input.trim();
  if (raw === '') return no(`is empty: give ${ACCEPTED}`);
  if (raw.length > MAX_INPUT) return no(`is longer than ${MAX_INPUT} characters`);
  if (/[\u0000-\u001f\u007f]/.test(raw)) return no('contains control characters');

  if (raw.startsWith('/')) return parseArmId(raw, 'arm-id', no);
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) return parseUrl(raw, no);
  // A URL pasted without its scheme: the host part is one of ours.
  const hostPart = raw.split(/[/?#]/, 1)[0].toLowerCase();
  if (INSTANCE_HOST.test(hostPart) || STUDIO_HOSTS.has(hostPart)) return parseUrl(`https://${raw}`, no);
  if (NAME_ONLY.test(raw)) return { ok: true, query: { kind: 'name', name: raw } };
  if (/^subscriptions\//i.test(raw)) return no('is not a valid ARM resource id: it starts with /subscriptions/');
  return no(`is not ${ACCEPTED} (a name is letters, digits, - _ . ; at most 64)`);
}

function parseArmId(text: string, from: 'arm-id' | 'studio-url', no: (why: string) => ParsedHostQuery): ParsedHostQuery {
  // One trailing slash is how ids are often copied; more, or an empty or dot segment, is not an id.
  const id = text.endsWith('/') ? text.slice(0, -1) : text;
  if (id.includes('//') || id.split('/').some((s) => s === '.' || s === '..')) return no('is not a valid ARM resource id (an empty or dot segment)');
  const c = COMPUTE_ID.exec(id);
  if (c) return { ok: true, query: { kind: 'id', hostKind: 'compute', id, subscriptionId: canonicalId(c[1]), resourceGroup: c[2], workspace: c[3], name: c[4], from } };
  const v = VM_ID.exec(id);
  if (v) return { ok: true, query: { kind: 'id', hostKind: 'vm', id, subscriptionId: canonicalId(v[1]), resourceGroup: v[2], workspace: null, name: v[3], from } };
  const j = JOB_ID.exec(id);
  if (j) return { ok: true, query: { kind: 'job', id, subscriptionId: canonicalId(j[1]), resourceGroup: j[2], workspace: j[3], name: j[4], from } };
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\//i.test(id)) {
    return no('is an ARM id of a resource type tbmon does not check: give an AzureML compute (…/workspaces/{ws}/computes/{name}), an AzureML job (…/workspaces/{ws}/jobs/{name}) or a VM (…/Microsoft.Compute/virtualMachines/{name})');
  }
  return no('is not a valid ARM resource id (/subscriptions/{id}/resourceGroups/{rg}/providers/…)');
}

function parseUrl(text: string, no: (why: string) => ParsedHostQuery): ParsedHostQuery {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return no('looks like a URL but does not parse');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return no(`is a ${url.protocol} URL; TensorBoard URLs are https://`);
  if (url.username || url.password) return no('is a URL with a user name or password in it; paste the URL without them');
  const hostname = url.hostname.toLowerCase();
  if (STUDIO_HOSTS.has(hostname)) return parseStudioUrl(url, no);
  const m = INSTANCE_HOST.exec(hostname);
  if (!m) return no('is a URL, but not of an AzureML compute instance (https://<instance>-<port>.<region>.instances.azureml.ms/…) or of the studio (https://ml.azure.com/compute/<name>/details?wsid=…)');
  const [, first, region, tld] = m;
  const shown = `${url.protocol}//${hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  const segments = url.pathname.split('/');
  const proxyAt = segments.indexOf('proxy');
  if (proxyAt >= 0) {
    // jupyter-server-proxy: /proxy/<port>/… (also /proxy/absolute/<port>/…), anywhere under /lab/… or /user/<name>/….
    const portText = segments[proxyAt + 1] === 'absolute' ? segments[proxyAt + 2] : segments[proxyAt + 1];
    const port = portOf(portText);
    if (port === null) return no(`is a Jupyter proxy URL without a valid port after /proxy/ (…/proxy/6006/)`);
    // The Jupyter host is the instance's own (no port in its first label).
    if (!INSTANCE.test(first)) return no(`is a URL whose instance name "${first}" is not a compute instance name (3–24 letters, digits and hyphens, starting with a letter)`);
    return { ok: true, query: { kind: 'url', form: 'jupyter-proxy', url: shown, region, cloud: INSTANCE_CLOUD[tld], readings: [{ instance: first, port }] } };
  }
  const readings: InstanceUrlReading[] = [];
  const suffix = /^(.+)-(\d{1,5})$/.exec(first);
  if (suffix) {
    const port = portOf(suffix[2]);
    if (port === null) return no(`is a URL that names port ${suffix[2]}, which is not a port (1–65535); if "${first}" is the instance's own name, give the name`);
    if (INSTANCE.test(suffix[1])) readings.push({ instance: suffix[1], port });
  }
  if (INSTANCE.test(first)) readings.push({ instance: first, port: null });
  if (!readings.length) return no(`is a URL whose first label "${first}" is not <instance>-<port> nor a compute instance name (3–24 letters, digits and hyphens, starting with a letter)`);
  return { ok: true, query: { kind: 'url', form: 'custom-application', url: shown, region, cloud: INSTANCE_CLOUD[tld], readings } };
}

function parseStudioUrl(url: URL, no: (why: string) => ParsedHostQuery): ParsedHostQuery {
  const segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponentSafe(s));
  const wsids = url.searchParams.getAll('wsid');
  const ws = wsids.length === 1 ? WSID.exec(wsids[0].trim()) : null;
  if (wsids.length > 1) return no('is a studio URL with more than one wsid=');
  if (wsids.length === 1 && !ws) return no('is a studio URL whose wsid= is not a workspace (/subscriptions/{id}/resourceGroups/{rg}/workspaces/{ws})');
  const workspaceId = ws ? `/subscriptions/${ws[1]}/resourceGroups/${ws[2]}/providers/Microsoft.MachineLearningServices/workspaces/${ws[3]}` : null;
  if (segments[0] === 'compute' && segments[1] && segments[1] !== 'list') {
    const name = segments[1];
    if (!NAME_ONLY.test(name)) return no(`is a studio compute URL whose compute name "${name.slice(0, 70)}" is not a compute name`);
    if (!workspaceId) return { ok: true, query: { kind: 'name', name } };
    return parseArmId(`${workspaceId}/computes/${name}`, 'studio-url', no);
  }
  const runsAt = segments.indexOf('runs');
  if (runsAt >= 0 && segments[runsAt + 1] && (runsAt === 0 || segments[0] === 'experiments')) {
    const name = segments[runsAt + 1];
    if (!new RegExp(`^${JOB}$`).test(name)) return no(`is a studio job URL whose job name "${name.slice(0, 70)}" is not a job name`);
    if (!workspaceId) return no('is a studio job URL without its wsid= (copy the whole address from the browser)');
    return parseArmId(`${workspaceId}/jobs/${name}`, 'studio-url', no);
  }
  return no('is a studio URL, but not of a compute (…/compute/<name>/details?wsid=…) or a job (…/runs/<name>?wsid=…)');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function portOf(text: string | undefined): number | null {
  if (!text || !/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/** The cloud an ARM endpoint belongs to (for telling a person their URL is of another cloud); null when not known. */
export function cloudOfArmEndpoint(armEndpoint: string): Cloud | null {
  const host = (() => {
    try {
      return new URL(armEndpoint).hostname.toLowerCase();
    } catch {
      return '';
    }
  })();
  if (host === 'management.azure.com') return 'AzureCloud';
  if (host === 'management.usgovcloudapi.net') return 'AzureUSGovernment';
  if (host === 'management.chinacloudapi.cn') return 'AzureChinaCloud';
  return null;
}

/** A short description of the query for messages ("name \"ci-1\"", "URL https://…", "id /subscriptions/…"). */
export function describeHostQuery(q: HostQuery): string {
  switch (q.kind) {
    case 'name': return `name "${q.name}"`;
    case 'id': return q.from === 'studio-url' ? `studio URL of ${q.id}` : `id ${q.id}`;
    case 'job': return `job ${q.id}`;
    case 'url': return `URL ${q.url}`;
  }
}

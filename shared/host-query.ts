// What a person has in hand when TensorBoard answers 502 — an ARM id, a compute or VM name, or the TensorBoard URL —
// parsed and validated before anything reaches an Azure API. Anything else is a clear 4xx-style message.

export type HostQuery =
  | { kind: 'id'; id: string; subscriptionId: string; resourceGroup: string; name: string; hostKind: 'compute' | 'vm' }
  | { kind: 'name'; name: string }
  | { kind: 'url'; name: string; port: number; region: string };

export type ParsedHostQuery = { ok: true; query: HostQuery } | { ok: false; message: string };

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// Resource group: letters (incl. Unicode), digits, _ ( ) - . ; not ending in a period; 1–90 characters.
const RG = "[\\p{L}\\p{N}_().-]{0,89}[\\p{L}\\p{N}_()-]";
const WS = '[A-Za-z0-9][A-Za-z0-9_-]{1,32}';
/** Compute (instance/cluster) and VM names: letters, digits, - _ . ; start with a letter or digit; ≤ 64. */
const NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}';
const COMPUTE_ID = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/(${RG})/providers/Microsoft\\.MachineLearningServices/workspaces/(${WS})/computes/(${NAME})$`, 'iu');
const VM_ID = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/(${RG})/providers/Microsoft\\.Compute/virtualMachines/(${NAME})$`, 'iu');
const NAME_ONLY = new RegExp(`^${NAME}$`);
const MAX_INPUT = 2048;

export function parseHostQuery(input: unknown): ParsedHostQuery {
  if (typeof input !== 'string') return { ok: false, message: '"host" must be a string: an ARM resource id, a compute or VM name, or a TensorBoard URL' };
  const raw = input.trim();
  if (raw === '') return { ok: false, message: '"host" is empty: give an ARM resource id, a compute or VM name, or a TensorBoard URL' };
  if (raw.length > MAX_INPUT) return { ok: false, message: `"host" is longer than ${MAX_INPUT} characters` };
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, message: '"host" contains control characters' };

  if (raw.startsWith('/')) {
    if (raw.includes('..') || raw.includes('//')) return { ok: false, message: '"host" is not a valid ARM resource id (path traversal or empty segment)' };
    const c = COMPUTE_ID.exec(raw);
    if (c) return { ok: true, query: { kind: 'id', id: raw, subscriptionId: c[1].toLowerCase(), resourceGroup: c[2], name: c[4], hostKind: 'compute' } };
    const v = VM_ID.exec(raw);
    if (v) return { ok: true, query: { kind: 'id', id: raw, subscriptionId: v[1].toLowerCase(), resourceGroup: v[2], name: v[3], hostKind: 'vm' } };
    if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\//i.test(raw)) {
      return { ok: false, message: '"host" is an ARM id of a resource type tbmon does not check: give an AzureML compute (…/workspaces/{ws}/computes/{name}) or a VM (…/Microsoft.Compute/virtualMachines/{name})' };
    }
    return { ok: false, message: '"host" is not a valid ARM resource id' };
  }

  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, message: '"host" looks like a URL but does not parse' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: `"host" URL must be http(s), not ${url.protocol}` };
    const m = /^([a-z0-9][a-z0-9-]{0,62})-(\d{1,5})\.([a-z0-9]+)\.instances\.azureml\.(ms|net|cn|us)$/i.exec(url.hostname);
    if (!m) return { ok: false, message: '"host" URL is not an AzureML TensorBoard URL (https://<instance>-<port>.<region>.instances.azureml.ms/…)' };
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return { ok: false, message: `"host" URL has an invalid port ${m[2]}` };
    return { ok: true, query: { kind: 'url', name: m[1], port, region: m[3].toLowerCase() } };
  }

  if (NAME_ONLY.test(raw)) return { ok: true, query: { kind: 'name', name: raw } };
  return { ok: false, message: '"host" is not an ARM resource id, a TensorBoard URL or a valid compute/VM name (letters, digits, - _ . ; at most 64)' };
}

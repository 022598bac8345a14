// The host's VM size in the size catalogue: AzureML `…/locations/{loc}/vmSizes` for compute instances and clusters,
// Compute resource SKUs (`capabilities` vCPUs / MemoryGB, string values) for VMs. Each catalogue is read once per
// location per sweep (ctx.cache) — a subscription's own only for a size the location's lacks; sizes compare
// case-insensitively (AzureML writes `STANDARD_D2_V2` where the catalogue says `Standard_D2_v2`).
import { API_VERSIONS } from '../azure';
import type { Gathered, HostRecord } from '../model';
import { cached, type EvidenceContext } from './context';
import type { VmSizeInfo } from './types';

type Catalogue = Map<string, VmSizeInfo>;

const ML_SIZES_API = API_VERSIONS.machineLearning;
const COMPUTE_SKUS_API = '2021-07-01';

export function normaliseLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

function toNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** ML vmSizes `value[]` → catalogue. */
export function catalogueFromMlSizes(value: unknown[]): Catalogue {
  const out: Catalogue = new Map();
  for (const item of value) {
    const s = item as { name?: unknown; vCPUs?: unknown; memoryGB?: unknown };
    const vCPUs = toNumber(s.vCPUs);
    const memoryGB = toNumber(s.memoryGB);
    if (typeof s.name === 'string' && vCPUs !== null && memoryGB !== null) out.set(s.name.toLowerCase(), { name: s.name, vCPUs, memoryGB });
  }
  return out;
}

/** Compute resource SKUs → catalogue of `virtualMachines` sizes (capabilities are name/value strings). */
export function catalogueFromComputeSkus(value: unknown[]): Catalogue {
  const out: Catalogue = new Map();
  for (const item of value) {
    const s = item as { name?: unknown; resourceType?: unknown; capabilities?: { name?: unknown; value?: unknown }[] };
    if (typeof s.name !== 'string' || String(s.resourceType).toLowerCase() !== 'virtualmachines') continue;
    const cap = (n: string) => toNumber(s.capabilities?.find((c) => String(c.name).toLowerCase() === n.toLowerCase())?.value);
    const vCPUs = cap('vCPUs');
    const memoryGB = cap('MemoryGB');
    if (vCPUs !== null && memoryGB !== null) out.set(s.name.toLowerCase(), { name: s.name, vCPUs, memoryGB });
  }
  return out;
}

interface CatalogueKey {
  source: 'ml-vmsizes' | 'compute-skus';
  subscriptionId: string;
  location: string;
}

function catalogueKeyOf(host: HostRecord): CatalogueKey {
  return { source: host.kind === 'vm' ? 'compute-skus' : 'ml-vmsizes', subscriptionId: host.subscriptionId, location: normaliseLocation(host.location) };
}

const cacheKey = (k: CatalogueKey) => `vm-size:${k.source}:${k.subscriptionId}:${k.location}`;

async function readCatalogue(k: CatalogueKey, ctx: EvidenceContext): Promise<Catalogue> {
  const sub = encodeURIComponent(k.subscriptionId);
  const loc = encodeURIComponent(k.location);
  if (k.source === 'ml-vmsizes') {
    const res = await ctx.azure.armGet<{ value?: unknown[] }>(`/subscriptions/${sub}/providers/Microsoft.MachineLearningServices/locations/${loc}/vmSizes`, ML_SIZES_API, ctx.abortSignal);
    return catalogueFromMlSizes(res?.value ?? []);
  }
  const items: unknown[] = [];
  const filter = encodeURIComponent(`location eq '${k.location}'`);
  for await (const page of ctx.azure.armListPages(`/subscriptions/${sub}/providers/Microsoft.Compute/skus?$filter=${filter}`, COMPUTE_SKUS_API, ctx.abortSignal)) items.push(...page);
  return catalogueFromComputeSkus(items);
}

const SIZE_HINT = 'tbmon reads the size from the compute (properties.properties.vmSize) or the VM (hardwareProfile.vmSize) and looks it up in the size catalogue of the host\'s location; grant Reader on the subscription.';

/** Reads each catalogue once (memoised in ctx.cache for the sweep); a failed read is a run error and a reason. */
async function readCatalogues(keys: Map<string, CatalogueKey>, ctx: EvidenceContext): Promise<Map<string, Gathered<Catalogue>>> {
  const catalogues = new Map<string, Gathered<Catalogue>>();
  await Promise.all([...keys].map(async ([key, k]) => {
    try {
      catalogues.set(key, { ok: true, value: await cached(ctx, key, () => readCatalogue(k, ctx)) });
    } catch (e) {
      const what = k.source === 'ml-vmsizes' ? 'AzureML VM sizes' : 'Compute resource SKUs';
      const message = `reading ${what} for ${k.location} in subscription ${k.subscriptionId} failed: ${(e as Error).message}`;
      ctx.errors.push({ scope: k.subscriptionId, code: (e as { code?: string }).code ?? 'VmSizeCatalogue', message });
      catalogues.set(key, { ok: false, reason: message, hint: SIZE_HINT });
    }
  }));
  return catalogues;
}

/**
 * A size's vCPUs and memory are the same in every subscription of a location (subscriptions differ in which sizes
 * they may deploy, not in what a size is), so one catalogue per location serves the fleet: a 1,000-subscription
 * fleet reads a few catalogues, not thousands. Only a host whose size that catalogue lacks (or could not be read)
 * has its own subscription's catalogue read.
 */
export async function gatherVmSizes(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<VmSizeInfo>>> {
  const out = new Map<string, Gathered<VmSizeInfo>>();
  const perLocation = new Map<string, CatalogueKey>();
  const locationKey = (k: CatalogueKey) => `vm-size:${k.source}:*:${k.location}`;
  for (const h of hosts) {
    if (!h.facts.vmSize) continue;
    const k = catalogueKeyOf(h);
    // The first subscription seen for a location reads its catalogue; memoised under the location for the sweep.
    if (!perLocation.has(locationKey(k))) perLocation.set(locationKey(k), k);
  }
  const shared = await cachedLocationCatalogues(perLocation, ctx);
  const own = new Map<string, CatalogueKey>();
  for (const h of hosts) {
    const size = h.facts.vmSize;
    if (!size) continue;
    const k = catalogueKeyOf(h);
    const cat = shared.get(locationKey(k));
    if (!(cat?.ok && cat.value.has(size.toLowerCase()))) own.set(cacheKey(k), k);
  }
  const catalogues = own.size ? await readCatalogues(own, ctx) : new Map<string, Gathered<Catalogue>>();
  for (const h of hosts) {
    const size = h.facts.vmSize;
    if (!size) {
      out.set(h.id, { ok: false, reason: 'the host\'s VM size is not known', hint: SIZE_HINT });
      continue;
    }
    const k = catalogueKeyOf(h);
    const fromLocation = shared.get(locationKey(k));
    const info = fromLocation?.ok ? fromLocation.value.get(size.toLowerCase()) : undefined;
    if (info) {
      out.set(h.id, { ok: true, value: info });
      continue;
    }
    const cat = catalogues.get(cacheKey(k)) as Gathered<Catalogue>;
    if (!cat.ok) {
      out.set(h.id, cat);
      continue;
    }
    const own = cat.value.get(size.toLowerCase());
    out.set(h.id, own
      ? { ok: true, value: own }
      : { ok: false, reason: `VM size ${size} is not in the ${k.source === 'ml-vmsizes' ? 'AzureML VM size' : 'Compute SKU'} catalogue of ${k.location}`, hint: SIZE_HINT });
  }
  return out;
}

/**
 * The per-location catalogues, memoised under the location. A failed read is no run error here: the hosts fall back
 * to their own subscription's catalogue, whose failure is reported.
 */
async function cachedLocationCatalogues(keys: Map<string, CatalogueKey>, ctx: EvidenceContext): Promise<Map<string, Gathered<Catalogue>>> {
  const out = new Map<string, Gathered<Catalogue>>();
  await Promise.all([...keys].map(async ([key, k]) => {
    try {
      out.set(key, { ok: true, value: await cached(ctx, key, () => cached(ctx, cacheKey(k), () => readCatalogue(k, ctx))) });
    } catch (e) {
      out.set(key, { ok: false, reason: (e as Error).message, hint: SIZE_HINT });
    }
  }));
  return out;
}

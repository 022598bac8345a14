// The words and links every channel shares (email, Teams card, report, status page): a host's stable anchor on the
// status page, the links a person opens (status page section, studio/portal, the TensorBoard URL, the portal page of
// the NSG / route table / load balancer that decided), the title of a digest in words, "since" dates, and how to
// silence a check. Pure.
import { createHash } from 'node:crypto';
import { type CheckResult, type Host, canonicalId } from '../model';
import type { Notice } from '../notices';
import { ALL_CHECKS, plainSentence } from '../checks/registry';
import { cutWords } from '../checks/words';
import { SUPPRESS_TAG } from '../suppressions';
import type { Digest, HostSection } from './digest';

/**
 * The host's anchor on the status page: its name (for people reading the URL) and a hash of its lower-cased ARM id
 * (unique and stable: ids are case-insensitive, names repeat across workspaces).
 */
export function hostAnchor(host: Pick<Host, 'id' | 'name'>): string {
  const slug = host.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'host';
  return `host-${slug}-${createHash('sha256').update(canonicalId(host.id)).digest('hex').slice(0, 10)}`;
}

/**
 * The link to a host's section of the status page: filtered to the host (so paging never hides it) and scrolled to
 * its anchor. Never a key: the page keeps its own protection. null when no status URL is configured.
 */
export function statusLink(statusUrl: string | null | undefined, host: Pick<Host, 'id' | 'name'>): string | null {
  if (!statusUrl) return null;
  const anchor = hostAnchor(host);
  return `${statusUrl}?host=${encodeURIComponent(anchor)}#${anchor}`;
}

/** A filtered view of the status page (subscription, workspace, status, check). */
export function statusFilterLink(statusUrl: string | null | undefined, filters: Record<string, string | undefined>): string | null {
  if (!statusUrl) return null;
  const q = Object.entries(filters).filter(([, v]) => v).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v as string)}`).join('&');
  return q ? `${statusUrl}?${q}` : statusUrl;
}

/**
 * Where TensorBoard of a compute instance answers: `https://<instance>-<port>.<region>.instances.azureml.ms/`
 * (research/domain-facts.md S32: the form that works from outside the VNet). null for clusters and VMs (no
 * AzureML-published URL).
 */
export function tensorboardUrl(host: Pick<Host, 'kind' | 'name' | 'publishedPort' | 'location'>): string | null {
  if (host.kind !== 'compute-instance' || !host.location) return null;
  return `https://${encodeURIComponent(host.name.toLowerCase())}-${host.publishedPort}.${encodeURIComponent(host.location.toLowerCase())}.instances.azureml.ms/`;
}

/** The ARM resources the evidence names as deciding (an NSG, a route table, a load balancer), for portal links. */
export function decidingResources(c: Pick<CheckResult, 'evidence'>): { kind: 'NSG' | 'route table' | 'load balancer'; name: string; id: string }[] {
  const out: { kind: 'NSG' | 'route table' | 'load balancer'; name: string; id: string }[] = [];
  const ev = (c.evidence ?? {}) as Record<string, unknown>;
  const add = (kind: 'NSG' | 'route table' | 'load balancer', id: unknown) => {
    if (typeof id !== 'string' || !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/[^/]+\/[^/]+$/i.test(id)) return;
    if (out.some((o) => canonicalId(o.id) === canonicalId(id))) return;
    out.push({ kind, name: id.split('/').pop() as string, id });
  };
  const parts = [...(Array.isArray(ev.denied) ? ev.denied : []), ...(Array.isArray((ev.probeSource as Record<string, unknown> | undefined)?.denied) ? ((ev.probeSource as Record<string, unknown>).denied as unknown[]) : [])];
  for (const p of parts) add('NSG', ((p as Record<string, unknown>)?.decidedBy as Record<string, unknown> | undefined)?.nsgId);
  add('route table', ev.routeTable);
  for (const lb of Array.isArray(ev.loadBalancers) ? ev.loadBalancers : []) add('load balancer', lb);
  return out;
}

/** The Azure portal page of an ARM resource. */
export function portalLink(id: string, opts: { tenantId?: string | null; portalBaseUrl?: string } = {}): string {
  const base = (opts.portalBaseUrl ?? 'https://portal.azure.com').replace(/\/+$/, '');
  const tenant = opts.tenantId ? encodeURIComponent(opts.tenantId) : '';
  return `${base}/#@${tenant}/resource${id.split('/').map((seg) => encodeURIComponent(seg)).join('/')}`;
}

/** `2026-11-26T05:45:00.000Z` → `26 Nov 2026 05:45 UTC`. */
export function when(iso: string | null | undefined): string {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return 'an unknown time';
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}

const CHECK_RANK = new Map(ALL_CHECKS.map((c, i) => [c.id, i]));

/** Fail before warn, then the registry's order: the order of the report, the email and the card. */
export function byReportOrder(a: Pick<Notice, 'to' | 'checkId'>, b: Pick<Notice, 'to' | 'checkId'>): number {
  return (a.to === 'fail' ? 0 : 1) - (b.to === 'fail' ? 0 : 1) || (CHECK_RANK.get(a.checkId ?? '') ?? 999) - (CHECK_RANK.get(b.checkId ?? '') ?? 999);
}

/** The plain sentence of a notice's check result (its summary when the notice carries none). */
export function noticeSentence(n: Notice): string {
  if (n.check) return plainSentence(n.check, n.host);
  if (n.kind === 'gone') return `${n.host.name} no longer exists (tbmon did not find it in two sweeps)`;
  return `${n.host.name}: ${n.kind}`;
}

/** "new", "back again", or '' when tbmon cannot tell. */
export function repeatWords(n: Pick<Notice, 'repeat' | 'from'>): string {
  if (n.repeat === 'again') return 'back again';
  if (n.repeat === 'new' || n.from === null) return 'new';
  return '';
}

/** When the host's current failing run began: the earliest observation among its regressions. */
export function failingSince(h: HostSection): string | null {
  const times = h.regressions.map((n) => n.observedAt).filter(Boolean).sort();
  return times[0] ?? null;
}

/** The exact `tbmon-suppress` tag value that silences these checks until `until` (YYYY-MM-DD), for the fix block. */
export function suppressValue(checkIds: readonly string[], until: string | null): string {
  return [...new Set(checkIds)].map((id) => (until ? `${id}:${until}` : id)).join(',');
}

/** The `az tag update` command that sets the suppress tag on a host (merging: other tags stay). */
export function suppressCommand(host: Pick<Host, 'id'>, value: string): string {
  return `az tag update --operation merge --resource-id '${host.id.replace(/'/g, `'\\''`)}' --tags ${SUPPRESS_TAG}=${value}`;
}

/** A date `days` after `iso`, as YYYY-MM-DD (the default end of a suppression: silence never lasts forever by accident). */
export function dateAfter(iso: string, days: number): string {
  const t = Date.parse(iso);
  return new Date((Number.isNaN(t) ? Date.now() : t) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The title of a digest in words — what broke, where, and whether it is new — for the email subject and the card:
 * "tbmon: new — TensorBoard on ci-nsg-deny is unreachable: NSG nsg-locked rule deny-6006 blocks port 6006 from the VNet",
 * "tbmon: 3 TensorBoard hosts failing — ci-nsg-deny (new): TensorBoard is unreachable …". No check id.
 */
export function messageTitle(d: Digest, max = 170): string {
  const regressed = d.hosts.filter((h) => h.regressions.length);
  const recovered = d.hosts.filter((h) => h.group === 'recovered');
  const others: string[] = [];
  if (d.counts['no-data']) others.push(`${d.counts['no-data']} without data`);
  if (recovered.length) others.push(`${recovered.length} recovered`);
  if (d.counts.gone) others.push(`${d.counts.gone} gone`);
  let title: string;
  if (regressed.length) {
    const worst = regressed[0];
    const n = [...worst.regressions].sort(byReportOrder)[0];
    const tag = repeatWords(n);
    const sentence = noticeSentence(n);
    const more = regressed.length > 1 ? `${regressed.length} TensorBoard hosts ${d.counts.failing ? 'failing' : 'with warnings'} — worst: ` : '';
    const lead = `tbmon: ${more}${tag ? `${tag} — ` : ''}`;
    const tail = others.length ? ` (also ${others.join(', ')})` : '';
    title = `${lead}${cutWords(sentence, Math.max(60, max - lead.length - tail.length))}${tail}`;
  } else if (recovered.length && !d.counts['no-data'] && !d.counts.gone) {
    title = `tbmon: recovered — ${cutWords(recovered.map((h) => h.host.name).join(', '), max - 22)} ${recovered.length === 1 ? 'is' : 'are'} fine again`;
  } else if (d.hosts.length === 1 && d.hosts[0].dataGaps.length) {
    title = `tbmon: no data — ${cutWords(noticeSentence(d.hosts[0].dataGaps[0]), max - 20)}`;
  } else if (others.length) {
    const hosts = (n: number) => `${n} TensorBoard host${n === 1 ? '' : 's'}`;
    title = `tbmon: ${[
      recovered.length ? `${hosts(recovered.length)} fine again` : '',
      d.counts['no-data'] ? `${hosts(d.counts['no-data'])} without data` : '',
      d.counts.gone ? `${hosts(d.counts.gone)} gone` : '',
    ].filter(Boolean).join(', ')}`;
  } else title = 'tbmon: nothing to report';
  return title.replace(/[\r\n\t]+/g, ' ');
}

/** Where the launcher script is served: the app's `/api/launcher`, next to the status page. */
export function launcherLink(statusUrl: string | null | undefined): string | null {
  if (!statusUrl) return null;
  return /\/api\/status$/.test(statusUrl) ? statusUrl.replace(/\/status$/, '/launcher') : null;
}

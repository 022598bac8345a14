// One digest per recipient per alert run (CHECKS.md § What counts as a regression): every pending notice of a
// recipient — this sweep's and any that pacing held back from earlier ones — merged into one message, hosts worst
// first. Pure: the renderers (email.ts, teams.ts) and the sender (alert.ts) share it.
import { createHash } from 'node:crypto';
import { type Host, type Severity, canonicalId } from '../model';
import type { Notice } from '../notices';

/**
 * What a host's section says, worst first: the status groups of the Teams card and the email's order. The group is
 * where a host is listed; its section still holds, and every renderer shows, all of its regressions, recoveries and
 * data gaps (a host with a data gap and a recovery is listed under "No data" and tells both).
 */
export type HostGroup = 'failing' | 'warning' | 'no-data' | 'recovered' | 'gone';

export interface HostSection {
  host: Host;
  group: HostGroup;
  /** Regressions, worst first (to fail before to warn, then severity, then check id). */
  regressions: Notice[];
  recoveries: Notice[];
  dataGaps: Notice[];
  gone: Notice | null;
  /**
   * Notices a newer one of the same host tells instead (an older change of the same check; everything before a newer
   * `gone`, or a `gone` the host came back from). Marked sent with the rest, because what replaced them is shown.
   */
  superseded: Notice[];
}

export interface Digest {
  /** Stable for the same recipient and the same set of notices: the ACS `Operation-Id`, the Teams dedupe key. */
  id: string;
  recipient: string;
  sweepId: string;
  /** Every notice the digest covers, duplicates and superseded transitions included (all are marked sent together). */
  notices: Notice[];
  /** Hosts in group order (failing, warning, no-data, recovered, gone), worst first within a group. */
  hosts: HostSection[];
  counts: Record<HostGroup, number> & { regressedHosts: number };
}

const GROUP_ORDER: HostGroup[] = ['failing', 'warning', 'no-data', 'recovered', 'gone'];
const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function buildDigest(recipient: string, sweepId: string, notices: readonly Notice[]): Digest {
  const byHost = new Map<string, Notice[]>();
  for (const n of notices) {
    const key = canonicalId(n.host.id);
    const list = byHost.get(key);
    if (list) list.push(n);
    else byHost.set(key, [n]);
  }

  const hosts: HostSection[] = [];
  for (const list of byHost.values()) {
    const section = hostSection(list);
    if (section) hosts.push(section);
  }
  hosts.sort(compareSections);

  const counts = { failing: 0, warning: 0, 'no-data': 0, recovered: 0, gone: 0, regressedHosts: 0 };
  for (const h of hosts) {
    counts[h.group] += 1;
    if (h.regressions.length) counts.regressedHosts += 1;
  }
  return { id: digestId(recipient, notices), recipient, sweepId, notices: [...notices], hosts, counts };
}

/** The worst regressed host and its worst check, for subjects and headers; null when nothing regressed. */
export function worstRegression(d: Digest): { host: Host; checkId: string } | null {
  const first = d.hosts.find((h) => h.regressions.length > 0);
  return first ? { host: first.host, checkId: first.regressions[0].checkId ?? 'unknown check' } : null;
}

/**
 * A UUID-shaped id derived from the recipient and the notice ids (order-free), so a digest rebuilt after a crash
 * from the same rows carries the same `Operation-Id`.
 */
export function digestId(recipient: string, notices: readonly Pick<Notice, 'id'>[]): string {
  const ids = [...new Set(notices.map((n) => n.id))].sort();
  const h = createHash('sha256').update(recipient.toLowerCase()).update('\n').update(ids.join('\n')).digest('hex');
  // Version nibble 8 (RFC 9562 custom) and the RFC variant bits, so strict UUID parsers accept it.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * One host's notices → its section. Per check only the newest status change counts (a regression that pacing held
 * back and that recovered since is told as the recovery), with a data gap beside it when the gap came later; a `gone`
 * newer than everything else replaces the rest.
 */
function hostSection(list: Notice[]): HostSection | null {
  const newest = [...list].sort((a, b) => a.observedAt.localeCompare(b.observedAt));
  const host = newest[newest.length - 1].host;
  const gone = newest.filter((n) => n.kind === 'gone').pop() ?? null;
  // Per check: the newest status change, and a data gap only when it is newer still. A gap leaves the last known
  // status as it was (CHECKS.md), so it never hides the regression or recovery it followed.
  const changes = new Map<string, Notice>();
  const gaps = new Map<string, Notice>();
  for (const n of newest) {
    if (n.kind === 'gone') continue;
    if (gone && n.observedAt <= gone.observedAt) continue;
    const check = n.checkId ?? '';
    if (n.kind === 'data-gap') gaps.set(check, n);
    else {
      changes.set(check, n);
      gaps.delete(check);
    }
  }
  const latest = [...changes.values()];
  const regressions = latest.filter((n) => n.kind === 'regression').sort(compareRegressions);
  const recoveries = latest.filter((n) => n.kind === 'recovery').sort(byCheckId);
  const dataGaps = [...gaps.values()].sort(byCheckId);
  const liveGone = regressions.length || recoveries.length || dataGaps.length ? null : gone;
  const told = new Set<Notice>([...latest, ...dataGaps, ...(liveGone ? [liveGone] : [])]);
  const superseded = list.filter((n) => !told.has(n));

  let group: HostGroup;
  if (regressions.some((n) => n.to === 'fail')) group = 'failing';
  else if (regressions.length) group = 'warning';
  else if (dataGaps.length) group = 'no-data';
  else if (recoveries.length) group = 'recovered';
  else if (liveGone) group = 'gone';
  else return null;
  return { host, group, regressions, recoveries, dataGaps, gone: liveGone, superseded };
}

function compareRegressions(a: Notice, b: Notice): number {
  const to = (n: Notice) => (n.to === 'fail' ? 0 : 1);
  const sev = (n: Notice) => SEVERITY_RANK[n.check?.severity ?? 'low'];
  return to(a) - to(b) || sev(a) - sev(b) || byCheckId(a, b);
}

function byCheckId(a: Notice, b: Notice): number {
  return (a.checkId ?? '').localeCompare(b.checkId ?? '');
}

function compareSections(a: HostSection, b: HostSection): number {
  const g = GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group);
  if (g) return g;
  if (a.regressions.length && b.regressions.length) {
    const w = compareRegressions(a.regressions[0], b.regressions[0]);
    if (w) return w;
    if (a.regressions.length !== b.regressions.length) return b.regressions.length - a.regressions.length;
  }
  return a.host.name.localeCompare(b.host.name) || a.host.id.localeCompare(b.host.id);
}

/**
 * The one-line summary used as the email subject and the card's title, e.g.
 * `tbmon: 3 TensorBoard hosts regressed — worst: ci-gpu-1 (network.tensorboard-port)`.
 */
export function digestTitle(d: Digest): string {
  const hosts = (n: number) => `${n} TensorBoard host${n === 1 ? '' : 's'}`;
  const others = ([[d.counts['no-data'], 'without data'], [d.counts.recovered, 'recovered'], [d.counts.gone, 'gone']] as [number, string][])
    .filter(([n]) => n > 0);
  const rest = (list: [number, string][]) => (list.length ? `; ${list.map(([n, what]) => `${n} ${what}`).join(', ')}` : '');
  const worst = worstRegression(d);
  let title: string;
  if (worst) title = `tbmon: ${hosts(d.counts.regressedHosts)} regressed — worst: ${worst.host.name} (${worst.checkId})${rest(others)}`;
  else if (others.length) title = `tbmon: ${hosts(others[0][0])} ${others[0][1]}${rest(others.slice(1))}`;
  else title = 'tbmon: nothing to report';
  // A header line: Azure names cannot hold line breaks, but nothing from outside goes into a header unchecked.
  return title.replace(/[\r\n\t]+/g, ' ');
}

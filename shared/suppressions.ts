// Suppressions a person put on a host: tag `tbmon-suppress` = comma-separated check ids, each optionally
// `id:until-date` (`network.aml-outbound:2026-12-31`). A suppressed check keeps its real status in the report with
// `suppressed: true` and the reason, and never alerts; once the date has passed the entry is ignored. An entry that
// cannot be read suppresses nothing (a typo must not silence a check) and is reported as a note.
import type { CheckResult } from './model';

export const SUPPRESS_TAG = 'tbmon-suppress';

export interface Suppression {
  checkId: string;
  /** The last instant it holds (a date alone means through the end of that day, UTC); null for no end. */
  until: Date | null;
  /** The entry as written, for the reason text. */
  entry: string;
}

const CHECK_ID = /^[a-z]+\.[a-z0-9-]+$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Entries of the tag (tag keys compare case-insensitively, as Azure's do) and the entries that could not be read. */
export function parseSuppressions(tags: Readonly<Record<string, string>> | undefined): { entries: Suppression[]; problems: string[] } {
  const value = Object.entries(tags ?? {}).find(([k]) => k.toLowerCase() === SUPPRESS_TAG)?.[1];
  const entries: Suppression[] = [];
  const problems: string[] = [];
  if (!value) return { entries, problems };
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const idx = entry.indexOf(':');
    const checkId = (idx < 0 ? entry : entry.slice(0, idx)).trim().toLowerCase();
    const untilText = idx < 0 ? null : entry.slice(idx + 1).trim();
    if (!CHECK_ID.test(checkId)) {
      problems.push(`tag ${SUPPRESS_TAG}: "${entry}" is not a check id (e.g. network.tensorboard-port) — ignored`);
      continue;
    }
    let until: Date | null = null;
    if (untilText !== null) {
      until = parseUntil(untilText);
      if (!until) {
        problems.push(`tag ${SUPPRESS_TAG}: "${entry}" has an end that is not a date (YYYY-MM-DD or an ISO time) — ignored`);
        continue;
      }
    }
    entries.push({ checkId, until, entry });
  }
  return { entries, problems };
}

function parseUntil(text: string): Date | null {
  if (DATE_ONLY.test(text)) {
    const d = new Date(`${text}T23:59:59.999Z`);
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text ? null : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Check id → reason, for the suppressions still in force at `now`. */
export function activeSuppressions(entries: readonly Suppression[], now: Date): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of entries) {
    if (s.until && s.until.getTime() < now.getTime()) continue;
    const reason = s.until
      ? `suppressed by the host's ${SUPPRESS_TAG} tag until ${s.until.toISOString()}`
      : `suppressed by the host's ${SUPPRESS_TAG} tag`;
    out.set(s.checkId, reason);
  }
  return out;
}

/** Marks the suppressed results (their status is kept); the rest are returned as they are. */
export function applySuppressions(results: readonly CheckResult[], active: ReadonlyMap<string, string>): CheckResult[] {
  return results.map((r) => {
    const reason = active.get(r.id);
    return reason ? { ...r, suppressed: true, suppressReason: reason } : r;
  });
}

// A host's owners as discovery resolves them (DESIGN.md § Host kinds, issue 8): owner tags in TBMON_OWNER_TAGS
// order, then the compute's createdBy.userName when it is an email address. Every address is validated; a bad one is
// skipped and logged (by position, not value, when it is not an address at all — a tag value can hold anything).
// Addresses are lower-cased so one person is one outbox partition. notify/recipients.ts adds the fallback list.
import { isEmailAddress } from '../config';

export type OwnerLog = (message: string) => void;

/** Splits a tag value or setting that may list several addresses (`a@x.com; b@x.com`, `a@x.com, b@x.com`). */
export function splitAddresses(value: string): string[] {
  return value.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
}

/** Valid, lower-cased, de-duplicated addresses from `candidates`, in order; each invalid one is logged and skipped. */
export function validAddresses(candidates: readonly string[], where: string, log: OwnerLog = () => {}): string[] {
  const out: string[] = [];
  for (const raw of candidates) {
    const a = stripDisplayName(raw.trim()).toLowerCase();
    if (a === '') continue;
    if (!isEmailAddress(a)) {
      log(`tbmon alert: skipped an owner entry of ${where} that is not an email address (${describeInvalid(a)})`);
      continue;
    }
    if (!out.includes(a)) out.push(a);
  }
  return out;
}

/**
 * Owner addresses from a resource's tags and creator, first match wins as DESIGN.md says: the first owner tag
 * (in `ownerTags` order, tag keys compared case-insensitively as Azure does) holding at least one valid address,
 * else `createdByUserName` when it is an email address. Empty when neither yields one.
 */
export function ownersFromTags(
  tags: Readonly<Record<string, string>> | undefined,
  ownerTags: readonly string[],
  createdByUserName: string | null | undefined,
  where: string,
  log: OwnerLog = () => {},
): string[] {
  const byKey = new Map<string, string>();
  for (const [k, v] of Object.entries(tags ?? {})) byKey.set(k.toLowerCase(), v);
  for (const key of ownerTags) {
    const value = byKey.get(key.toLowerCase());
    if (value === undefined) continue;
    const found = validAddresses(splitAddresses(value), `${where} (tag ${key})`, log);
    if (found.length) return found;
  }
  if (createdByUserName && isEmailAddress(createdByUserName.trim())) return [createdByUserName.trim().toLowerCase()];
  return [];
}

/** `Jane Doe <jane@contoso.com>` → `jane@contoso.com`; anything else unchanged. */
function stripDisplayName(s: string): string {
  const m = /<([^<>]+)>\s*$/.exec(s);
  return m ? m[1].trim() : s;
}

/** Says what is wrong without echoing a value that may be anything (a token pasted into a tag, say). */
function describeInvalid(s: string): string {
  if (!s.includes('@')) return 'no @';
  if (s.length > 254) return 'longer than 254 characters';
  return 'not of the form name@domain.tld';
}

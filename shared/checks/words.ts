// Helpers for the plain sentence each check writes beside its rule (CheckDefinition.sentence): the words a person
// without tbmon's vocabulary reads first in every channel — email, Teams, report, status page. Pure; they read only
// the outcome the rule returned and the host.
import type { CheckOutcome, Host } from '../model';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** A value from the outcome's evidence as a string ('' when absent). */
export function evidenceText(o: CheckOutcome, key: string): string {
  return str(obj(o.evidence)[key]);
}

/** A number from the outcome's evidence, or null. */
export function evidenceNumber(o: CheckOutcome, key: string): number | null {
  const v = obj(o.evidence)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** An array from the outcome's evidence, its items as objects. */
export function evidenceList(o: CheckOutcome, key: string): Json[] {
  return list(obj(o.evidence)[key]).map(obj);
}

/** The last segment of an ARM id (the resource's name). */
export function armName(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}

/** Cut at a word boundary with "…" when longer than `max` characters. */
export function cutWords(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const at = cut.lastIndexOf(' ');
  return `${(at > max / 2 ? cut.slice(0, at) : cut).replace(/[\s,;:.(–-]+$/, '')}…`;
}

/** A log line quoted in a sentence: one line, cut at a word boundary. */
export function quoteLine(message: string, max = 140): string {
  return `“${cutWords(message, max)}”`;
}

/** Percent for people: 4.2 %. */
export function pct(n: number): string {
  return `${Math.round(n * 10) / 10} %`;
}

/** "1 time" / "3 times", "1 node" / "2 nodes". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The reason after a check title's "Title: " prefix in a summary (or the summary itself). */
export function afterTitle(summary: string, title: string): string {
  return summary.startsWith(`${title}: `) ? summary.slice(title.length + 2) : summary;
}

/** Names of Azure service tags and address labels, as a person says them. */
export function plainRemote(label: string): string {
  const base = label.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
  const lower = base.toLowerCase();
  if (lower === 'virtualnetwork') return 'the VNet';
  if (lower === 'azureloadbalancer') return 'the Azure load balancer probe';
  if (lower === 'internet') return 'the internet';
  if (lower === '*' || lower === 'any') return 'anywhere';
  if (lower.startsWith('azuremachinelearning')) return 'AzureML';
  const regional = /^(Storage|BatchNodeManagement|AzureMachineLearning)\.(.+)$/i.exec(base);
  if (regional) return `${regional[1] === 'Storage' ? 'Azure Storage' : regional[1] === 'BatchNodeManagement' ? 'Azure Batch' : 'AzureML'} in ${regional[2]}`;
  if (lower === 'azureactivedirectory') return 'Microsoft Entra ID';
  if (lower === 'azureresourcemanager') return 'Azure Resource Manager';
  if (lower === 'azurefrontdoor.frontend') return 'Azure Front Door';
  if (lower === 'microsoftcontainerregistry') return 'the Microsoft Container Registry';
  return base || 'its clients';
}

/** A denied part as outcomeOf()/partsEvidence() record it: the deciding rule and the far end. */
export interface DeniedFact {
  nsgName: string;
  ruleName: string;
  isDefault: boolean;
  port: string;
  /** The far end as a person says it ("the VNet", "AzureML", "10.1.0.0/24"). */
  remote: string;
}

/** The first denied part in the outcome's evidence (`denied`, or `probeSource.denied` of the load balancer check). */
export function firstDenied(o: CheckOutcome, direction: 'Inbound' | 'Outbound' = 'Inbound'): DeniedFact | null {
  const ev = obj(o.evidence);
  const parts = [...list(ev.denied), ...list(obj(ev.probeSource).denied)].map(obj);
  const p = parts.find((x) => obj(x.decidedBy).ruleName);
  if (!p) return null;
  const by = obj(p.decidedBy);
  return {
    nsgName: str(by.nsgName),
    ruleName: str(by.ruleName),
    isDefault: by.isDefault === true,
    port: str(p.ports),
    remote: plainRemote(str(direction === 'Inbound' ? p.source : p.destination)),
  };
}

/** "NSG nsg-locked rule deny-6006" or "the default rule DenyAllInBound of NSG nsg-ml". */
export function ruleWords(d: DeniedFact): string {
  return d.isDefault ? `the default rule ${d.ruleName} of NSG ${d.nsgName}` : `NSG ${d.nsgName} rule ${d.ruleName}`;
}

/** "NSG nsg-locked rule deny-6006 blocks port 6006 from the VNet". */
export function blocksWords(d: DeniedFact, direction: 'Inbound' | 'Outbound', fallbackPort: number | string): string {
  return `${ruleWords(d)} blocks port ${d.port || fallbackPort} ${direction === 'Inbound' ? 'from' : 'to'} ${d.remote}`;
}

/** The sentence for an `unknown`: what tbmon cannot tell, and the plain reason (the hint says how to enable it). */
export function cannotTell(host: Host, what: string, why: string): string {
  return `tbmon cannot tell whether ${what} on ${host.name}: ${why}`;
}

/** Why a script check is unknown, from the reasons the launch log reader gives. */
export function launchLogWhy(o: CheckOutcome): string {
  return /launch log (is not available|for )|No TensorBoard launch log/i.test(o.summary)
    ? 'its launch log is not collected'
    : 'its launch log does not say';
}

/** Why a resource check is unknown: the evidence it needs is not collected. */
export function notCollected(what: string): string {
  return `${what} from it are not collected`;
}

/** The sentence for a `skipped` the rule gave: not checked on this host, and why. */
export function notChecked(host: Host, o: CheckOutcome, title: string): string {
  return `Not checked on ${host.name}: ${lowerFirst(afterTitle(o.summary, title))}`;
}

export function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

export function upperFirst(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

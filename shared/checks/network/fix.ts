// The exact fix for a flow an NSG denies: an allow rule at a free priority above (lower number than) the blocking
// rule, with the real resource group and NSG names — or, when no priority above it is free (the blocker sits at 100
// or everything below it is taken), the change to the blocking rule itself.
import { IntervalSet, type Endpoint, type FlowPart, type FlowProtocol, type NsgRule, type ParsedNsg } from '../../nsg';

export const MIN_USER_PRIORITY = 100;
export const MAX_USER_PRIORITY = 4096;

/** Shell-safe single-quoted word (names come from Azure and are already restricted; this keeps `*` literal). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_.\-/:]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A free priority for a new rule that must be evaluated before `blocker` in `direction`: the closest free multiple
 * of 10 below the blocker (then any free number), or — when the blocker is a default rule — the first free multiple
 * of 10 after the NSG's last user rule. null when none is free.
 */
export function freePriorityAbove(nsg: ParsedNsg, direction: 'Inbound' | 'Outbound', blockerPriority: number): number | null {
  const used = new Set(nsg.rules.filter((r) => r.direction === direction && !r.isDefault).map((r) => r.priority));
  const ceiling = Math.min(blockerPriority - 1, MAX_USER_PRIORITY);
  if (blockerPriority > MAX_USER_PRIORITY) {
    const last = Math.max(MIN_USER_PRIORITY - 10, ...used);
    for (let p = Math.ceil((last + 1) / 10) * 10; p <= ceiling; p += 10) if (!used.has(p)) return p;
  }
  for (let p = Math.floor(ceiling / 10) * 10; p >= MIN_USER_PRIORITY; p -= 10) if (!used.has(p)) return p;
  for (let p = ceiling; p >= MIN_USER_PRIORITY; p--) if (!used.has(p)) return p;
  return null;
}

function ruleName(nsg: ParsedNsg, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 76).replace(/[^A-Za-z0-9_]+$/, '');
  const taken = new Set(nsg.rules.map((r) => r.name.toLowerCase()));
  let name = clean;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${clean}-${i}`;
  return name;
}

function portsList(set: IntervalSet): string[] {
  return set.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
}

/** Addresses a part covers, as `az` takes them: the split-off prefixes, else the endpoint's tag or prefixes. */
export function partAddresses(part: FlowPart, side: 'source' | 'destination', endpoint: Endpoint | undefined): string[] {
  const prefixes = side === 'source' ? part.sourcePrefixes : part.destinationPrefixes;
  if (prefixes?.length) return prefixes;
  if (endpoint?.tag && !endpoint.prefixes) return [endpoint.tag];
  if (endpoint?.prefixes?.length) return endpoint.prefixes;
  return ['*'];
}

export interface FixRequest {
  part: FlowPart;
  nsg: ParsedNsg;
  direction: 'Inbound' | 'Outbound';
  protocol: FlowProtocol | '*';
  port: number;
  source: string[];
  destination: string[];
  /** What the rule is for, used in its name (e.g. `tensorboard`, `aml-44224`). */
  purpose: string;
}

/** The `az` command that lets this part through the NSG that denied it. */
export function fixCommand(req: FixRequest): string {
  const { part, nsg, direction } = req;
  const blocker = part.decidedBy;
  if (!blocker) return '';
  const rg = shellWord(nsg.resourceGroup);
  const nsgName = shellWord(nsg.name);
  const sub = nsg.subscriptionId ? ` --subscription ${shellWord(nsg.subscriptionId)}` : '';
  const priority = freePriorityAbove(nsg, direction, blocker.priority);
  if (priority !== null) {
    const name = ruleName(nsg, `tbmon-allow-${req.purpose}-${direction === 'Inbound' ? 'in' : 'out'}`);
    return [
      `az network nsg rule create${sub} --resource-group ${rg} --nsg-name ${nsgName} --name ${shellWord(name)}`,
      `--priority ${priority} --direction ${direction} --access Allow --protocol ${shellWord(req.protocol === '*' ? '*' : req.protocol)}`,
      `--source-address-prefixes ${req.source.map(shellWord).join(' ')} --source-port-ranges '*'`,
      `--destination-address-prefixes ${req.destination.map(shellWord).join(' ')} --destination-port-ranges ${req.port}`,
    ].join(' ');
  }
  // No free priority above the blocker: take the port out of the blocking rule (other traffic keeps its verdict).
  const rule = nsg.rules.find((r: NsgRule) => r.name === blocker.ruleName && r.direction === direction && r.priority === blocker.priority);
  const remaining = (rule?.destinationPorts ?? IntervalSet.EMPTY).subtract(IntervalSet.range(BigInt(req.port), BigInt(req.port)));
  const base = `${sub} --resource-group ${rg} --nsg-name ${nsgName} --name ${shellWord(blocker.ruleName)}`;
  if (remaining.isEmpty) return `az network nsg rule delete${base}`;
  return `az network nsg rule update${base} --destination-port-ranges ${portsList(remaining).join(' ')}`;
}

// Judging one required flow on every path to a host: which parts are allowed, denied (with the deciding rule and
// the fix) or unknown (with why), and the words a person reads. Shared by the network checks.
import { type CheckOutcome, canonicalId } from '../../model';
import { FlowMemo, type Endpoint, type FlowPart, type FlowProtocol, type RuleRef } from '../../nsg';
import type { HostPath } from './path';
import { fixCommand, partAddresses } from './fix';

export interface Requirement {
  direction: 'Inbound' | 'Outbound';
  protocol: FlowProtocol;
  port: number;
  /** The far end: client sources (inbound) or service tags (outbound). */
  remote: Endpoint[];
  /** Used in the name of a proposed rule. */
  purpose: string;
}

export interface JudgedPart {
  path: HostPath;
  part: FlowPart;
  fix?: string;
}

export interface Judged {
  denied: JudgedPart[];
  unknown: { path: HostPath; reason: string; part?: FlowPart }[];
  allowed: JudgedPart[];
}

export function describeRule(r: RuleRef): string {
  return `${r.nsgName}/${r.ruleName} (priority ${r.priority}${r.isDefault ? ', default rule' : ''})`;
}

export function describeRequirement(req: Requirement): string {
  return `${req.direction} ${req.protocol.toUpperCase()} ${req.port}`;
}

/**
 * Clients "from VirtualNetwork" are the hosts of the VNet and its peers. Rules keep Azure's wider meaning of the tag
 * (UDR prefixes included, so a 0.0.0.0/0 route lets AllowVnetInBound take the whole internet), but a client source
 * does not become the internet because of a route.
 */
function clientsInVnet(e: Endpoint, path: HostPath): Endpoint {
  const v = path.addresses.virtualNetwork;
  if (e.prefixes || e.tag?.toLowerCase() !== 'virtualnetwork' || !v?.addressSpace.length) return e;
  return { ...e, prefixes: [...v.addressSpace, ...(v.peeredAddressSpace ?? [])] };
}

/** Verdicts per (path, flow): the hosts of a subnet share them (the memo holds them only while their evidence lives). */
const verdicts = new FlowMemo();

export function judge(paths: HostPath[], req: Requirement): Judged {
  const out: Judged = { denied: [], unknown: [], allowed: [] };
  for (const path of paths) {
    if (path.problem) {
      out.unknown.push({ path, reason: path.problem });
      continue;
    }
    const inbound = req.direction === 'Inbound';
    const remote = req.remote.map((e) => clientsInVnet(e, path));
    const v = verdicts.evaluate(
      { direction: req.direction, protocol: req.protocol, source: inbound ? remote : path.host, destination: inbound ? path.host : remote, destinationPorts: req.port },
      path.nsgs,
      path.addresses,
    );
    for (const part of v.parts) {
      if (part.access === 'allow') out.allowed.push({ path, part });
      else if (part.access === 'unknown') out.unknown.push({ path, part, reason: part.reason ?? 'the verdict could not be decided' });
      else {
        const nsg = part.decidedBy ? path.byId.get(canonicalId(part.decidedBy.nsgId)) : undefined;
        const remote = req.remote[inbound ? part.sourceIndex : part.destinationIndex];
        const fix = nsg
          ? fixCommand({
              part,
              nsg,
              direction: req.direction,
              protocol: req.protocol,
              port: req.port,
              source: partAddresses(part, 'source', inbound ? remote : path.host),
              destination: partAddresses(part, 'destination', inbound ? path.host : remote),
              purpose: req.purpose,
            })
          : undefined;
        out.denied.push({ path, part, fix });
      }
    }
  }
  return out;
}

function remoteOf(j: JudgedPart, req: Requirement): string {
  return req.direction === 'Inbound' ? j.part.source : j.part.destination;
}

/** "Inbound TCP 6006 from VirtualNetwork [10.0.0.0/24] is denied by nsg-ml/deny-6006 (priority 200) on subnet vnet/ml". */
export function deniedSentence(j: JudgedPart, req: Requirement): string {
  const dir = req.direction === 'Inbound' ? 'from' : 'to';
  return `${describeRequirement(req)} ${dir} ${remoteOf(j, req)} is denied by ${j.part.decidedBy ? describeRule(j.part.decidedBy) : 'an NSG'} on ${j.path.label}`;
}

export function allowedSentence(j: JudgedPart, req: Requirement): string {
  const dir = req.direction === 'Inbound' ? 'from' : 'to';
  const by = j.part.decidedBy ? `by ${describeRule(j.part.decidedBy)}` : '(no NSG on the path)';
  return `${describeRequirement(req)} ${dir} ${remoteOf(j, req)} is allowed ${by} on ${j.path.label}`;
}

/**
 * Evidence a verdict carries: each part with the rule that decided it (with its NSG's id) and, per level looked at,
 * the NSG and the rule that answered there by name and priority — the deciding rule is not repeated whole per level,
 * and no rule list is copied (a report stays small when thousands of hosts share one NSG).
 */
export function partsEvidence(parts: JudgedPart[]): Record<string, unknown>[] {
  return parts.map(({ path, part, fix }) => ({
    path: path.label, source: part.source, destination: part.destination, ports: part.destinationPorts, access: part.access, decidedBy: part.decidedBy,
    levels: part.levels.map((l) => ({ level: l.level, nsgName: l.nsgName, access: l.access, ...(l.rule ? { ruleName: l.rule.ruleName, priority: l.rule.priority } : {}) })),
    ...(fix ? { fix } : {}),
  }));
}

export function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The common outcome of a check that needs one flow allowed on every path. */
export function outcomeOf(j: Judged, req: Requirement, what: string, extraNotes: string[] = []): CheckOutcome {
  const notes = [...extraNotes, ...[...j.allowed, ...j.denied].flatMap((x) => x.part.notes ?? [])];
  const n = notes.length ? { notes: unique(notes) } : {};
  if (j.denied.length) {
    return {
      status: 'fail',
      summary: `${what}: ${unique(j.denied.map((d) => deniedSentence(d, req))).join('; ')}`,
      evidence: { denied: partsEvidence(j.denied), allowed: partsEvidence(j.allowed), unknown: j.unknown.map((u) => ({ path: u.path.label, reason: u.reason })) },
      remediation: unique(j.denied.map((d) => d.fix).filter((f): f is string => !!f)).join('\n'),
      ...n,
    };
  }
  if (j.unknown.length) {
    return {
      status: 'unknown',
      summary: `${what}: cannot tell whether ${describeRequirement(req)} is allowed: ${unique(j.unknown.map((u) => u.reason)).join('; ')}`,
      hint: 'Give tbmon read access to the NSGs, subnets, route tables and service tags on the host’s path (Reader on their resource groups), and check that the rules hold valid prefixes and priorities.',
      evidence: { unknown: j.unknown.map((u) => ({ path: u.path.label, reason: u.reason })), allowed: partsEvidence(j.allowed) },
      ...n,
    };
  }
  if (!j.allowed.length) {
    // Nothing denied and nothing allowed: no path was judged, which proves nothing.
    return {
      status: 'unknown',
      summary: `${what}: cannot tell whether ${describeRequirement(req)} is allowed: no network path to the host was evaluated`,
      hint: 'tbmon needs the host\'s subnet (computes) or network interfaces (VMs) to evaluate the NSGs on its path; grant Reader on their resource groups.',
      ...n,
    };
  }
  return { status: 'pass', summary: `${what}: ${unique(j.allowed.map((a) => allowedSentence(a, req))).join('; ')}`, evidence: { allowed: partsEvidence(j.allowed) }, ...n };
}

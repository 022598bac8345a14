// Evaluating the same flow on the same path once. The hosts of a subnet share its NSGs and address context, and
// every network check evaluates its flows for each of them; the verdicts differ only in the names of the ends
// (a host's name is its endpoint's label). So a verdict is kept per (path, flow without labels) and handed out
// with the caller's labels put in.
//
// The path's identity is the identity of its objects — the parsed NSGs and the address context — held in WeakMaps,
// so an entry lives exactly as long as the evidence it was computed from, and a re-read NSG (a new object) is
// evaluated afresh. The objects must not be changed once evaluated (evidence is read-only).
import { evaluateFlow, type Endpoint, type Flow, type FlowPart, type FlowVerdict, type NsgPath } from './evaluate';
import type { AddressContext } from './address-space';
import type { ParsedNsg } from './rules';

/** A chain of WeakMaps: a value per sequence of objects, kept while every object of the sequence is alive. */
export class IdentityMemo<V> {
  private readonly root: MemoNode<V> = { next: new WeakMap() };

  get(keys: readonly object[], compute: () => V): V {
    let node = this.root;
    for (const k of keys) {
      let child = node.next.get(k);
      if (!child) {
        child = { next: new WeakMap() };
        node.next.set(k, child);
      }
      node = child;
    }
    if (!node.has) {
      node.value = compute();
      node.has = true;
    }
    return node.value as V;
  }
}

interface MemoNode<V> {
  next: WeakMap<object, MemoNode<V>>;
  has?: boolean;
  value?: V;
}

// Stand-ins for the levels of a path that hold no NSG (null: none; undefined: not visible), as WeakMap keys.
const NO_NSG = {};
const HIDDEN_NSG = {};

/** Labels in a remembered verdict: a token per end of the flow that cannot occur in any name. */
const token = (side: 's' | 'd', index: number) => `\u0000${side}${index}\u0000`;
const TOKEN = /\u0000([sd])(\d+)\u0000/g;

function asList<T>(x: T | T[]): T[] {
  return Array.isArray(x) ? x : [x];
}

function unlabelled(list: Endpoint[], side: 's' | 'd'): Endpoint[] {
  return list.map((e, i) => ({ ...e, label: token(side, i) }));
}

/**
 * evaluateFlow, remembered per (path, flow). Returns what evaluateFlow would: the same verdict with the caller's
 * labels (the parts are new objects; the rule references inside them are shared between callers).
 */
export class FlowMemo {
  private readonly byPath = new IdentityMemo<Map<string, FlowVerdict>>();

  evaluate(flow: Flow, path: NsgPath, addresses: AddressContext = {}): FlowVerdict {
    const sources = asList(flow.source);
    const destinations = asList(flow.destination);
    const canonical: Flow = { ...flow, source: unlabelled(sources, 's'), destination: unlabelled(destinations, 'd') };
    const verdicts = this.byPath.get([levelKey(path.subnet), levelKey(path.nic), addresses], () => new Map());
    const key = JSON.stringify([canonical.direction, canonical.protocol, String(canonical.sourcePorts ?? '*'), String(canonical.destinationPorts), canonical.ipVersion ?? 4, canonical.source, canonical.destination]);
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = evaluateFlow(canonical, path, addresses);
      verdicts.set(key, verdict);
    }
    const labels = { s: sources.map((e) => e.label), d: destinations.map((e) => e.label) };
    const put = (text: string) => text.replace(TOKEN, (_, side: 's' | 'd', i: string) => labels[side][Number(i)]);
    return { ...verdict, parts: verdict.parts.map((p): FlowPart => ({ ...p, source: put(p.source), destination: put(p.destination), ...(p.reason ? { reason: put(p.reason) } : {}), ...(p.notes ? { notes: p.notes.map(put) } : {}) })) };
  }
}

function levelKey(nsg: ParsedNsg | null | undefined): object {
  return nsg === undefined ? HIDDEN_NSG : nsg === null ? NO_NSG : nsg;
}

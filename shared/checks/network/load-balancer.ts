// network.load-balancer (CHECKS.md): a host in a load balancer backend pool needs a load-balancing rule that forwards
// to backend port <publishedPort>, a health probe on that port (TCP, or HTTP(S) on a path TensorBoard answers), and
// NSGs that let the probe source AzureLoadBalancer in — else the LB marks the host down and the client sees a 502.
import { type CheckOutcome, canonicalId } from '../../model';
import { idOf, inner, obj, props, type Json } from '../../arm-json';
import type { ArmObject } from '../../evidence/network-types';
import type { CheckDefinition } from '../types';
import { NETWORK_HINT, networkUnavailable } from './common';
import { hostPaths, loadBalancersNamedByNics, sourceEndpoint } from './path';
import { deniedSentence, judge, partsEvidence, unique, type Requirement } from './judge';
import { shellWord } from './fix';
import { exampleLoadBalancer, exampleNetwork } from '../examples';
import { afterTitle, blocksWords, cannotTell, firstDenied, notChecked } from '../words';
import { azScopeOfId } from '../az';

const TITLE = 'Load balancer rule and probe match TensorBoard';

/** Paths TensorBoard answers with 200 (tensorflow/tensorboard core_plugin: index and /data routes). */
const TENSORBOARD_PATHS = new Set(['/', '/index.html', '/data/logdir', '/data/environment', '/data/runs', '/data/plugins_listing']);

/** A resource's or reference's id in canonical form ('' when there is none): what the pools and probes are matched by. */
const keyOf = (v: unknown): string => canonicalId(idOf(v) ?? '');

/** Backend pool ids (lower-case) holding one of the host's NIC IP configurations. */
function hostPools(lb: ArmObject, nicIpConfigIds: Set<string>, poolsFromNics: Set<string>, ips: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const pool of (props(lb).backendAddressPools as unknown[]) ?? []) {
    const id = keyOf(pool);
    const p = inner(pool);
    const byConfig = ((p.backendIPConfigurations as unknown[]) ?? []).some((c) => nicIpConfigIds.has(keyOf(c)));
    const byAddress = ((p.loadBalancerBackendAddresses as unknown[]) ?? []).some((a) => ips.has(String(inner(a).ipAddress ?? '')));
    if (poolsFromNics.has(id) || byConfig || byAddress) out.add(id);
  }
  return out;
}

function probeAnswered(probe: Json, port: number): string | null {
  const protocol = String(probe.protocol ?? '').toLowerCase();
  if (Number(probe.port) !== port) return `probes port ${probe.port}, not ${port}`;
  if (protocol === 'tcp') return null;
  if (protocol === 'http' || protocol === 'https') {
    const path = String(probe.requestPath ?? '/').split('?')[0] || '/';
    const normal = path.startsWith('/') ? path : `/${path}`;
    return TENSORBOARD_PATHS.has(normal) ? null : `requests ${normal}, which TensorBoard answers with 404`;
  }
  return `uses protocol ${probe.protocol}`;
}

export const loadBalancerCheck: CheckDefinition = {
  id: 'network.load-balancer',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['vm'],
  run({ host, network }): CheckOutcome {
    if (!network.ok) return networkUnavailable(TITLE, network);
    const ev = network.value;
    // What could not be read: a load balancer a NIC names but the evidence lacks, a NIC whose backend pools are unknown.
    const held = new Set(ev.loadBalancers.map((l) => canonicalId(l.id)));
    const unread = [
      ...loadBalancersNamedByNics(ev).filter((id) => !held.has(canonicalId(id))).map((id) => `the load balancer ${id} that holds ${host.name} in a backend pool could not be read`),
      ...ev.nics.flatMap((r) => (r.state === 'unreadable' ? [`the NIC ${r.id} could not be read (its backend pools are unknown): ${r.reason}`] : [])),
    ];
    const unreadOutcome = (known: string): CheckOutcome => ({ status: 'unknown', summary: `${TITLE}: ${known}${known ? '; ' : ''}${unread.join('; ')}`, hint: NETWORK_HINT });
    if (!ev.loadBalancers.length) {
      return unread.length ? unreadOutcome('') : { status: 'skipped', summary: `${TITLE}: ${host.name} is not in a load balancer backend pool` };
    }
    const port = host.publishedPort;
    const nicIpConfigIds = new Set<string>();
    const poolsFromNics = new Set<string>();
    const ips = new Set<string>();
    for (const ref of ev.nics) {
      if (ref.state !== 'found') continue;
      for (const c of (props(ref.value.nic).ipConfigurations as unknown[]) ?? []) {
        nicIpConfigIds.add(keyOf(c));
        const p = inner(c);
        if (typeof p.privateIPAddress === 'string') ips.add(p.privateIPAddress);
        for (const pool of (p.loadBalancerBackendAddressPools as unknown[]) ?? []) poolsFromNics.add(keyOf(pool));
      }
    }
    const problems: string[] = [];
    const fixes: string[] = [];
    const good: string[] = [];
    for (const lb of ev.loadBalancers) {
      const pools = hostPools(lb, nicIpConfigIds, poolsFromNics, ips);
      if (!pools.size) continue;
      const at = azScopeOfId(lb.id, host);
      const lbName = shellWord(lb.name ?? '');
      const rules = ((props(lb).loadBalancingRules as unknown[]) ?? []).filter((r) => {
        const p = inner(r);
        return pools.has(keyOf(p.backendAddressPool)) || ((p.backendAddressPools as unknown[]) ?? []).some((x) => pools.has(keyOf(x)));
      });
      if (!rules.length) {
        problems.push(`load balancer ${lb.name} has no load-balancing rule for the backend pool of ${host.name}`);
        fixes.push(`az network lb rule create ${at} --lb-name ${lbName} --name tensorboard --protocol Tcp --frontend-port ${port} --backend-port ${port} --backend-pool-name ${shellWord([...pools][0].split('/').pop() ?? '')} --probe-name tensorboard`);
        continue;
      }
      // HA-ports rules (protocol All, ports 0) forward every port.
      const forwarding = rules.filter((r) => Number(inner(r).backendPort) === port || (String(inner(r).protocol).toLowerCase() === 'all' && Number(inner(r).backendPort) === 0));
      if (!forwarding.length) {
        const r0 = obj(rules[0]);
        problems.push(`load balancer ${lb.name} forwards to backend port ${rules.map((r) => inner(r).backendPort).join(', ')} (rule ${rules.map((r) => obj(r).name).join(', ')}), not ${port}`);
        fixes.push(`az network lb rule update ${at} --lb-name ${lbName} --name ${shellWord(String(r0.name))} --backend-port ${port}`);
        continue;
      }
      for (const r of forwarding) {
        const probeId = keyOf(inner(r).probe);
        const probe = ((props(lb).probes as unknown[]) ?? []).find((p) => keyOf(p) === probeId);
        const ruleName = String(obj(r).name);
        if (!probe) {
          problems.push(`rule ${ruleName} of ${lb.name} has no health probe`);
          fixes.push(`az network lb probe create ${at} --lb-name ${lbName} --name tensorboard --protocol Tcp --port ${port} && az network lb rule update ${at} --lb-name ${lbName} --name ${shellWord(ruleName)} --probe-name tensorboard`);
          continue;
        }
        const why = probeAnswered(inner(probe), port);
        if (why) {
          problems.push(`health probe ${obj(probe).name} of ${lb.name} (rule ${ruleName}) ${why}`);
          fixes.push(`az network lb probe update ${at} --lb-name ${lbName} --name ${shellWord(String(obj(probe).name))} --protocol Tcp --port ${port}`);
        } else good.push(`${lb.name}/${ruleName} forwards to ${port} with probe ${obj(probe).name}`);
      }
    }
    if (!problems.length && !good.length && unread.length) return unreadOutcome('');
    if (!problems.length && !good.length) return { status: 'skipped', summary: `${TITLE}: no backend pool of ${ev.loadBalancers.map((l) => l.name).join(', ')} holds ${host.name}` };
    // The probe comes from AzureLoadBalancer (168.63.129.16): the NSGs on every path must allow it to the port.
    const req: Requirement = { direction: 'Inbound', protocol: 'Tcp', port, remote: [sourceEndpoint('AzureLoadBalancer')], purpose: `lb-probe-${port}` };
    const j = judge(hostPaths(host, ev), req);
    for (const d of j.denied) {
      problems.push(deniedSentence(d, req));
      if (d.fix) fixes.push(d.fix);
    }
    const evidence = { loadBalancers: ev.loadBalancers.map((l) => l.id), probeSource: { denied: partsEvidence(j.denied), allowed: partsEvidence(j.allowed) } };
    if (problems.length) return { status: 'fail', summary: `${TITLE}: ${unique(problems).join('; ')}`, evidence, remediation: unique(fixes).join('\n') };
    if (unread.length) return { ...unreadOutcome(good.join('; ')), evidence };
    if (j.unknown.length) return { status: 'unknown', summary: `${TITLE}: ${good.join('; ')}; whether the NSGs allow the probe from AzureLoadBalancer is unknown: ${unique(j.unknown.map((u) => u.reason)).join('; ')}`, hint: NETWORK_HINT, evidence };
    return { status: 'pass', summary: `${TITLE}: ${good.join('; ')}; the NSGs allow the probe from AzureLoadBalancer`, evidence };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const d = firstDenied(o);
      const first = afterTitle(o.summary, TITLE).split('; ')[0];
      const why = d && /^Inbound /.test(first) ? blocksWords(d, 'Inbound', host.publishedPort) : first;
      return `TensorBoard on ${host.name} is unreachable through its load balancer: ${why}`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'its load balancer forwards to TensorBoard', 'it could not read the load balancer, the network interface or the security groups on the way');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `The load balancer in front of ${host.name} forwards to TensorBoard and its health probe gets an answer`;
  },
  examples(host, settings) {
    const port = host.publishedPort;
    const run = (lb: ReturnType<typeof exampleLoadBalancer>, rules: Parameters<typeof exampleNetwork>[1] = {}) => loadBalancerCheck.run(exampleNetwork(host, { ...rules, loadBalancers: [lb] }), settings);
    return {
      fail: [
        run(exampleLoadBalancer(host, port, { protocol: 'Http', port, requestPath: '/healthz' })),
        run(exampleLoadBalancer(host, 8080, { protocol: 'Tcp', port: 8080 })),
        run(exampleLoadBalancer(host, port, { protocol: 'Tcp', port }), { rules: [['deny-probe', 200, 'Inbound', 'Deny', '*', 'AzureLoadBalancer', '*']] }),
      ],
      pass: [run(exampleLoadBalancer(host, port, { protocol: 'Tcp', port }))],
      unknown: [loadBalancerCheck.run({ ...exampleNetwork(host), network: { ok: false, reason: '403 AuthorizationFailed' } }, settings)],
      skipped: [loadBalancerCheck.run(exampleNetwork(host), settings)],
    };
  },
};

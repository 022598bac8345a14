// network.route-table (CHECKS.md; domain-facts N06): a compute with a public IP whose subnet route table sends
// 0.0.0.0/0 to a virtual appliance or gateway (forced tunnelling) needs a route for AzureMachineLearning — the
// service tag, or every prefix of the tag for the region — with next hop Internet, or AzureML's traffic to the
// node's public IP returns through the firewall and is dropped (asymmetric routing).
import type { CheckOutcome } from '../../model';
import { IntervalSet, parsePrefix, addressResolver } from '../../nsg';
import type { CheckDefinition } from '../types';
import { hasPublicIp, NETWORK_HINT, networkUnavailable, notInCustomerVnet } from './common';
import { addressContext, routesOf } from './path';
import { shellWord } from './fix';
import { exampleEvidence, exampleNetwork, outsideVnet } from '../examples';
import { armName, cannotTell, evidenceText, notChecked } from '../words';
import { azScopeOfId } from '../az';

const TITLE = 'Forced tunnelling keeps a route for AzureMachineLearning';
const TUNNEL_HOPS = new Set(['virtualappliance', 'virtualnetworkgateway']);

type Route = ReturnType<typeof routesOf>[number];

/** Whether every address in `tag` leaves by a route with next hop Internet (longest prefix match over the UDRs). */
function tagRoutedToInternet(tag: IntervalSet, routes: Route[]): boolean {
  const cidrRoutes = routes.map((r) => ({ r, p: parsePrefix(r.addressPrefix) })).filter((x) => x.p && x.p.family === 4) as { r: Route; p: NonNullable<ReturnType<typeof parsePrefix>> }[];
  // Longest prefix first: an address takes the first route that holds it.
  cidrRoutes.sort((a, b) => Number(a.p.set.size - b.p.set.size));
  let rest = tag;
  for (const { r, p } of cidrRoutes) {
    const hit = rest.intersect(p.set);
    if (hit.isEmpty) continue;
    if (r.nextHopType.toLowerCase() !== 'internet') return false;
    rest = rest.subtract(hit);
    if (rest.isEmpty) return true;
  }
  return rest.isEmpty;
}

export const routeTableCheck: CheckDefinition = {
  id: 'network.route-table',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['compute-instance', 'compute-cluster'],
  run({ host, network }): CheckOutcome {
    if (notInCustomerVnet(host)) return { status: 'skipped', summary: `${TITLE}: ${host.name} is not in a customer virtual network` };
    if (!hasPublicIp(host)) return { status: 'skipped', summary: `${TITLE}: ${host.name} has no public IP (no return path from AzureML to protect)` };
    if (!network.ok) return networkUnavailable(TITLE, network);
    const ev = network.value;
    if (ev.subnet.state !== 'found') {
      return { status: 'unknown', summary: `${TITLE}: the subnet ${host.facts.subnetId} could not be read${ev.subnet.state === 'unreadable' ? `: ${ev.subnet.reason}` : ''}`, hint: NETWORK_HINT };
    }
    const subnet = ev.subnet.value;
    if (subnet.routeTable.state === 'none') return { status: 'pass', summary: `${TITLE}: the subnet has no route table (Azure's system routes send Internet traffic to the Internet)` };
    if (subnet.routeTable.state === 'unreadable') return { status: 'unknown', summary: `${TITLE}: the route table ${subnet.routeTable.id} could not be read: ${subnet.routeTable.reason}`, hint: NETWORK_HINT };
    const rt = subnet.routeTable.value;
    const routes = routesOf(rt);
    const tunnel = routes.find((r) => r.addressPrefix === '0.0.0.0/0' && TUNNEL_HOPS.has(r.nextHopType.toLowerCase()));
    if (!tunnel) return { status: 'pass', summary: `${TITLE}: route table ${rt.name} does not send 0.0.0.0/0 to an appliance or gateway` };
    const amlTags = ['azuremachinelearning', `azuremachinelearning.${host.location.toLowerCase()}`];
    const tagRoute = routes.find((r) => amlTags.includes(r.addressPrefix.toLowerCase()) && r.nextHopType.toLowerCase() === 'internet');
    const remediation = `az network route-table route create ${azScopeOfId(rt.id, host)} --route-table-name ${shellWord(rt.name ?? '')} --name AzureMachineLearning --address-prefix AzureMachineLearning --next-hop-type Internet`;
    const evidence = { routeTable: rt.id, forcedTunnel: tunnel, routes };
    if (tagRoute) return { status: 'pass', summary: `${TITLE}: ${rt.name} tunnels 0.0.0.0/0 via ${tunnel.nextHopType} and route ${tagRoute.name} sends ${tagRoute.addressPrefix} to the Internet`, evidence };
    const internetRoutes = routes.filter((r) => r.nextHopType.toLowerCase() === 'internet');
    const fail = (why: string): CheckOutcome => ({
      status: 'fail',
      summary: `${TITLE}: route table ${rt.name} sends 0.0.0.0/0 to ${tunnel.nextHopType}${tunnel.nextHopIpAddress ? ` ${tunnel.nextHopIpAddress}` : ''} (route ${tunnel.name}) ${why}, so AzureML's replies to ${host.name}'s public IP are routed through it and dropped`,
      evidence,
      remediation,
    });
    if (!internetRoutes.length) return fail('and has no route to the Internet for AzureMachineLearning');
    // CIDR routes to the Internet may cover the tag's prefixes: resolve the regional tag (or the global one).
    const resolver = addressResolver(addressContext(subnet, ev), 4);
    let r = resolver.resolve(`AzureMachineLearning.${host.location}`);
    if (!('exact' in r) || r.exact.isEmpty) r = resolver.resolve('AzureMachineLearning');
    if (!('exact' in r)) return { status: 'unknown', summary: `${TITLE}: ${rt.name} tunnels 0.0.0.0/0; whether its Internet routes cover AzureMachineLearning is unknown: ${r.reason}`, hint: 'tbmon resolves service tags through the Service Tags API (serviceTags.list); grant Network Reader on the subscription.', evidence };
    if (tagRoutedToInternet(r.exact, routes)) return { status: 'pass', summary: `${TITLE}: ${rt.name} tunnels 0.0.0.0/0 but routes every AzureMachineLearning prefix to the Internet`, evidence };
    return fail('and its Internet routes do not cover every AzureMachineLearning prefix');
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const tunnel = (o.evidence?.forcedTunnel ?? {}) as { nextHopType?: string; nextHopIpAddress?: string };
      const hop = tunnel.nextHopType?.toLowerCase() === 'virtualnetworkgateway' ? 'the VPN gateway' : `the appliance${tunnel.nextHopIpAddress ? ` ${tunnel.nextHopIpAddress}` : ''}`;
      return `AzureML cannot reach ${host.name}: route table ${armName(evidenceText(o, 'routeTable'))} sends all internet traffic through ${hop}, and AzureML's replies are dropped there (no route sends AzureMachineLearning to the internet)`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'AzureML\'s traffic returns by the internet', 'it could not read the subnet, its route table or the AzureML service tag');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `AzureML's replies to ${host.name} are routed straight to the internet`;
  },
  examples(host, settings) {
    const run = (n: Parameters<typeof exampleNetwork>[1]) => routeTableCheck.run(exampleNetwork(host, n), settings);
    const tunnel: [string, string, string] = ['default-via-firewall', '0.0.0.0/0', 'VirtualAppliance'];
    return {
      fail: [run({ routes: [tunnel] })],
      pass: [run({}), run({ routes: [tunnel, ['aml', 'AzureMachineLearning', 'Internet']] })],
      unknown: [routeTableCheck.run({ ...exampleNetwork(host), network: { ok: false, reason: '403 AuthorizationFailed on the subnet' } }, settings)],
      skipped: [routeTableCheck.run(outsideVnet(host), settings), routeTableCheck.run(exampleEvidence(host, { facts: { enableNodePublicIp: false, subnetId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s' } }), settings)],
    };
  },
};

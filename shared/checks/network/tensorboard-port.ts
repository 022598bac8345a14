// network.tensorboard-port (CHECKS.md): inbound TCP <publishedPort> from every configured client source
// (TBMON_CLIENT_SOURCES, default VirtualNetwork; plus AzureLoadBalancer when a load balancer fronts the host) must be
// allowed by the NSGs on the path (subnet, then NIC).
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { prepare } from './common';
import { loadBalancersNamedByNics, sourceEndpoint } from './path';
import { judge, outcomeOf, type Requirement } from './judge';
import { exampleNetwork, outsideVnet } from '../examples';
import { blocksWords, cannotTell, firstDenied, notChecked } from '../words';

const TITLE = 'TensorBoard port reachable through the NSGs';

export const tensorboardPortCheck: CheckDefinition = {
  id: 'network.tensorboard-port',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run(evidence, settings): CheckOutcome {
    const prep = prepare(evidence, TITLE);
    if (!prep.ok) return prep.outcome;
    const sources = (settings.clientSources.length ? settings.clientSources : ['VirtualNetwork']).map(sourceEndpoint);
    const loadBalanced = prep.ev.loadBalancers.length > 0 || loadBalancersNamedByNics(prep.ev).length > 0;
    if (loadBalanced && !sources.some((s) => s.tag?.toLowerCase() === 'azureloadbalancer')) sources.push(sourceEndpoint('AzureLoadBalancer'));
    const req: Requirement = { direction: 'Inbound', protocol: 'Tcp', port: evidence.host.publishedPort, remote: sources, purpose: `tensorboard-${evidence.host.publishedPort}` };
    const notes = prep.paths.flatMap((p) => p.notes);
    return outcomeOf(judge(prep.paths, req), req, `Clients → ${evidence.host.name}:${evidence.host.publishedPort}`, notes);
  },
  sentence(o, host) {
    const port = host.publishedPort;
    if (o.status === 'fail') {
      const d = firstDenied(o);
      return `TensorBoard on ${host.name} is unreachable: ${d ? blocksWords(d, 'Inbound', port) : `a network security group blocks port ${port}`}`;
    }
    if (o.status === 'unknown') return cannotTell(host, `port ${port} is open to TensorBoard's clients`, 'it could not read every network security group on the way');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `Port ${port} of ${host.name} is open to TensorBoard's clients`;
  },
  examples(host, settings) {
    const p = String(host.publishedPort);
    const run = (rules: Parameters<typeof exampleNetwork>[1]) => tensorboardPortCheck.run(exampleNetwork(host, rules), settings);
    return {
      fail: [run({ rules: [['deny-tensorboard', 200, 'Inbound', 'Deny', 'Tcp', '*', p]] }), run({ rules: [['deny-all-vnet', 4000, 'Inbound', 'Deny', '*', 'VirtualNetwork', '*']] })],
      pass: [run({ rules: [] })],
      unknown: [run({ nsgUnreadable: true })],
      ...(host.kind === 'vm' ? {} : { skipped: [tensorboardPortCheck.run(outsideVnet(host), settings)] }),
    };
  },
};

// network.tensorboard-port (CHECKS.md): inbound TCP <publishedPort> from every configured client source
// (TBMON_CLIENT_SOURCES, default VirtualNetwork; plus AzureLoadBalancer when a load balancer fronts the host) must be
// allowed by the NSGs on the path (subnet, then NIC).
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { prepare } from './common';
import { loadBalancersNamedByNics, sourceEndpoint } from './path';
import { judge, outcomeOf, type Requirement } from './judge';

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
};

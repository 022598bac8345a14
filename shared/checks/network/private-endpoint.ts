// network.private-endpoint (CHECKS.md; domain-facts N07): a compute without a public IP is only reachable through
// the workspace's private endpoint; without an approved private endpoint connection, AzureML cannot reach it.
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { approved, hasPublicIp, NETWORK_HINT, networkUnavailable } from './common';
import { shellWord } from './fix';
import { exampleNetwork } from '../examples';
import { armName, cannotTell, evidenceText, notChecked } from '../words';
import { azScopeOfId } from '../az';

const TITLE = 'No-public-IP compute has a workspace private endpoint';

export const privateEndpointCheck: CheckDefinition = {
  id: 'network.private-endpoint',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['compute-instance', 'compute-cluster'],
  run({ host, network }): CheckOutcome {
    if (hasPublicIp(host)) return { status: 'skipped', summary: `${TITLE}: ${host.name} has a public IP` };
    if (!network.ok) return networkUnavailable(TITLE, network);
    const ws = network.value.workspace;
    if (ws.state !== 'found') {
      return { status: 'unknown', summary: `${TITLE}: the workspace ${host.facts.workspaceId ?? host.workspace ?? ''} could not be read${ws.state === 'unreadable' ? `: ${ws.reason}` : ''}`, hint: NETWORK_HINT };
    }
    const conns = Array.isArray(ws.value.properties?.privateEndpointConnections) ? (ws.value.properties?.privateEndpointConnections as unknown[]) : [];
    const ok = conns.filter(approved);
    const evidence = { workspace: ws.value.id, privateEndpointConnections: conns };
    if (ok.length) return { status: 'pass', summary: `${TITLE}: workspace ${ws.value.name} has ${ok.length} approved private endpoint connection(s)`, evidence };
    const subnetId = host.facts.subnetId ?? '';
    const seg = subnetId.split('/');
    const vnet = seg[8] ?? '<vnet>';
    const subnet = seg[10] ?? '<subnet>';
    const rg = seg[4] ?? host.resourceGroup;
    return {
      status: 'fail',
      summary: `${TITLE}: ${host.name} has no public IP and workspace ${ws.value.name} has ${conns.length ? 'no approved' : 'no'} private endpoint connection${conns.length ? ` (${conns.length} pending or rejected)` : ''}, so AzureML cannot reach the compute`,
      evidence,
      remediation: `az network private-endpoint create ${azScopeOfId(subnetId, { subscriptionId: host.subscriptionId, resourceGroup: rg })} --name ${shellWord(`${ws.value.name}-pe`)} --vnet-name ${shellWord(vnet)} --subnet ${shellWord(subnet)} --private-connection-resource-id ${shellWord(ws.value.id)} --group-id amlworkspace --connection-name ${shellWord(`${ws.value.name}-pe`)}`,
    };
  },
  sentence(o, host) {
    const ws = armName(evidenceText(o, 'workspace')) || host.workspace || 'its workspace';
    if (o.status === 'fail') return `AzureML cannot reach ${host.name}: the compute has no public IP and workspace ${ws} has no approved private endpoint`;
    if (o.status === 'unknown') return cannotTell(host, 'AzureML can reach the compute through a private endpoint', 'it could not read the workspace or the network');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `AzureML reaches ${host.name} through an approved private endpoint of workspace ${ws}`;
  },
  examples(host, settings) {
    const noPublicIp = { ...host, facts: { ...host.facts, enableNodePublicIp: false } };
    const run = (n: Parameters<typeof exampleNetwork>[1]) => privateEndpointCheck.run(exampleNetwork(noPublicIp, n), settings);
    return {
      fail: [run({ privateEndpoint: null }), run({ privateEndpoint: 'Pending' })],
      pass: [run({ privateEndpoint: 'Approved' })],
      unknown: [privateEndpointCheck.run({ ...exampleNetwork(noPublicIp), network: { ok: false, reason: '403 AuthorizationFailed' } }, settings)],
      skipped: [privateEndpointCheck.run(exampleNetwork(host), settings)],
    };
  },
};

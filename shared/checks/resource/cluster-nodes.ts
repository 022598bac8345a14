// resource.cluster-nodes (CHECKS.md; domain-facts R08): unusable nodes → fail; preempted nodes (a string column)
// → warn. From the newest AmlComputeClusterEvent in the window (unusable) and the most preempted seen (preempted).
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { unknownFrom } from './common';
import { clusterEvents, exampleEvidence } from '../examples';
import { cannotTell, count, evidenceNumber, notCollected } from '../words';
import { partialOutcome, type MissingSource } from '../partial';
import { azScope, workspaceOf } from '../az';
import { shellWord } from '../network/fix';

export const clusterNodesCheck: CheckDefinition = {
  id: 'resource.cluster-nodes',
  class: 'resource',
  severity: 'medium',
  title: 'Cluster nodes are usable',
  appliesTo: ['compute-cluster'],
  run({ host, logs }, settings): CheckOutcome {
    if (!logs.cluster.ok) return unknownFrom(logs.cluster, 'Cluster events');
    const c = logs.cluster.value;
    const evidence = { table: 'AmlComputeClusterEvent', ...c };
    if ((c.unusableNodeCount ?? 0) > 0) {
      return {
        status: 'fail',
        summary: `${host.name} has ${c.unusableNodeCount} unusable node(s) (newest event ${c.lastTime}${c.clusterErrorCodes ? `, errors ${c.clusterErrorCodes}` : ''})`,
        evidence,
        remediation: `az ml compute show ${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))} --name ${shellWord(host.name)} --query "properties.errors"; unusable nodes are replaced when the cluster scales to 0 and back`,
      };
    }
    if ((c.maxPreemptedNodeCount ?? 0) > 0) {
      // Preempted nodes seen, but events without UnusableNodeCount cannot rule out unusable nodes (fail): partial.
      const unusableUnread: MissingSource[] = c.unusableNodeCount === null
        ? [{ source: 'UnusableNodeCount', reason: 'the newest cluster event carries none', hint: 'Send the ML workspace\'s AmlComputeClusterEvent diagnostics (cluster status events carry the node counts) to the Log Analytics workspace.' }]
        : [];
      return partialOutcome({
        status: 'warn',
        summary: `${host.name} had up to ${c.maxPreemptedNodeCount} preempted node(s) in the last ${settings.lookback}: a job's TensorBoard dies with its node`,
        evidence,
        remediation: `Run jobs whose TensorBoard must stay up on dedicated nodes: az ml compute create --name ${host.name}-dedicated --type AmlCompute --tier dedicated --size ${shellWord(host.facts.vmSize ?? '<size>')} ${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))}`,
      }, unusableUnread);
    }
    // A pass needs both counts: an event that does not carry one (null) proves nothing about the nodes.
    const unread = [c.unusableNodeCount === null ? 'UnusableNodeCount' : '', c.maxPreemptedNodeCount === null ? 'PreemptedNodeCount' : ''].filter(Boolean);
    if (unread.length) {
      return {
        status: 'unknown',
        summary: `${host.name}: the cluster events of the last ${settings.lookback} carry no ${unread.join(' or ')}, so unusable or preempted nodes cannot be ruled out`,
        evidence,
        hint: 'Send the ML workspace\'s AmlComputeClusterEvent diagnostics (cluster status events carry the node counts) to the Log Analytics workspace.',
      };
    }
    return { status: 'pass', summary: `${host.name}: no unusable or preempted nodes in ${c.events} event(s)`, evidence };
  },
  sentence(o, host) {
    if (o.status === 'fail') return `Cluster ${host.name} has ${count(evidenceNumber(o, 'unusableNodeCount') ?? 0, 'unusable node')}, and a TensorBoard on them cannot answer`;
    if (o.status === 'warn') return `Cluster ${host.name} lost ${count(evidenceNumber(o, 'maxPreemptedNodeCount') ?? 0, 'node')} to preemption, and a job's TensorBoard dies with its node`;
    if (o.status === 'unknown') return cannotTell(host, 'the cluster\'s nodes are usable', notCollected('cluster events with node counts'));
    return `Cluster ${host.name}'s nodes are usable`;
  },
  examples(host, settings) {
    const run = (over: Parameters<typeof clusterEvents>[0]) => clusterNodesCheck.run(exampleEvidence(host, { logs: { cluster: clusterEvents(over) } }), settings);
    return {
      fail: [run({ unusableNodeCount: 2, clusterErrorCodes: 'DiskFull' })],
      warn: [run({ maxPreemptedNodeCount: 3 })],
      pass: [run({})],
      unknown: [run({ unusableNodeCount: null }), clusterNodesCheck.run(exampleEvidence(host), settings)],
    };
  },
};

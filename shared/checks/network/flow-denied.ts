// network.flow-denied (CHECKS.md): traffic analytics saw inbound flows to the published port or 44224 toward the
// host denied in the window → fail. Built with the Log Analytics checks (NTANetAnalytics, gathered per workspace).
// Never green without coverage: a pass needs flow rows that show this host (its VM, NIC, IP or subnet) in the window
// — rows of other subnets in the workspace prove nothing about this one. A flow is tied to the host by VM or NIC
// (VMs), by private IP (compute instances), and by subnet only when no address is known (clusters), which is said.
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { AML_MANAGEMENT_PORT, type DeniedFlow, type FlowEvidence } from '../../evidence/log-types';
import type { HostRecord } from '../../model';
import { unknownFrom } from '../resource/common';
import { exampleEvidence, flows, minutesAgo } from '../examples';
import { cannotTell, count, evidenceList } from '../words';

/**
 * The command that shows the denying rule. Traffic analytics names the NSG `subscription/resourceGroup/nsg` (NsgList)
 * and the rule `UserRule_<name>` or `DefaultRule_<name>`.
 */
function remediation(flow: DeniedFlow): string {
  const short = /^([0-9a-f-]{36})\/([^/]+)\/([^/\s]+)$/i.exec(flow.nsg);
  const arm = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkSecurityGroups\/([^/]+)$/i.exec(flow.nsg);
  const m = short ?? arm;
  const where = m ? `--subscription ${m[1]} --resource-group ${m[2]} --nsg-name ${m[3]}` : '--subscription <subscription of the NSG> --resource-group <resource group of the NSG> --nsg-name <NSG>';
  const isDefault = /^DefaultRule_/i.test(flow.nsgRule);
  const rule = flow.nsgRule.replace(/^(User|Default)Rule_/i, '') || '<rule>';
  const show = isDefault
    ? `az network nsg rule list ${where} --include-default --query "[?name=='${rule}']"`
    : `az network nsg rule show ${where} --name ${rule}`;
  return `${show}  # this rule denied traffic to port ${flow.destPort}; allow the sources above it (network.tensorboard-port / network.aml-inbound propose the exact rule)`;
}

const SUBNET_ONLY = 'matched by subnet only: no private IP is known for this host (cluster nodes come and go), so denied flows toward any address in its subnet count';

function matchingNote(flows: FlowEvidence): string {
  return flows.matching === 'subnet-only' ? ` (${SUBNET_ONLY})` : '';
}

/** Where flow logs must be enabled for this host: its subnet, else its NICs. */
function whereToLog(host: HostRecord): string {
  const subnet = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(host.facts.subnetId ?? '');
  if (subnet) return `subnet ${subnet[2]} of VNet ${subnet[1]} (or the NSG on it)`;
  const nics = host.facts.nicIds.map((id) => id.split('/').pop()).filter(Boolean);
  return nics.length ? `the VNet/subnet of NIC ${nics.join(', ')} (or its NSG)` : 'the host\'s subnet or NSG';
}

export const flowDeniedCheck: CheckDefinition = {
  id: 'network.flow-denied',
  class: 'network',
  severity: 'medium',
  title: 'No denied flows toward the TensorBoard or AzureML port',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run({ host, logs }, settings): CheckOutcome {
    if (!logs.flows.ok) return unknownFrom(logs.flows, 'Traffic-analytics flows');
    const flows = logs.flows.value;
    const { workspaceRows, hostRows, denied } = flows;
    const ports = new Set([host.publishedPort, AML_MANAGEMENT_PORT]);
    const relevant = denied.filter((d) => ports.has(d.destPort));
    if (relevant.length) {
      const byRule = relevant.map((d) => `${d.deniedInFlows || d.records} to port ${d.destPort} by ${d.nsgRule || 'an NSG rule'} (e.g. from ${d.sampleSrcIp || 'unknown'})`).join('; ');
      const first = relevant[0];
      return {
        status: 'fail',
        summary: `Traffic analytics saw denied inbound flows toward ${host.name} in the last ${settings.lookback}: ${byRule}${matchingNote(flows)}`,
        evidence: { table: 'NTANetAnalytics', denied: relevant, matching: flows.matching, ...(flows.matching === 'subnet-only' ? { note: SUBNET_ONLY } : {}) },
        remediation: remediation(first),
      };
    }
    if (hostRows === 0) {
      return {
        status: 'unknown',
        summary: workspaceRows === 0
          ? `No traffic-analytics rows (NTANetAnalytics) in the host's Log Analytics workspace in the last ${settings.lookback}`
          : `No traffic-analytics flow rows show ${host.name} (its VM, NIC, IP or subnet) in the last ${settings.lookback}, though the workspace holds ${workspaceRows} rows of other traffic: its traffic is not logged`,
        hint: `Enable VNet flow logs (or NSG flow logs) with traffic analytics for ${whereToLog(host)}, sending to this Log Analytics workspace.`,
      };
    }
    return {
      status: 'pass',
      summary: `No denied inbound flows to port ${host.publishedPort} or ${AML_MANAGEMENT_PORT} toward ${host.name} in the last ${settings.lookback}${matchingNote(flows)}`,
      evidence: { table: 'NTANetAnalytics', hostRows, coveredBy: flows.coveredBy, matching: flows.matching },
    };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const d = evidenceList(o, 'denied')[0] ?? {};
      const n = Number(d.deniedInFlows || d.records) || 0;
      const rule = String(d.nsgRule ?? '').replace(/^(User|Default)Rule_/i, '');
      const nsg = String(d.nsg ?? '').split('/').filter(Boolean).pop() ?? '';
      const by = rule ? ` by ${/^DefaultRule_/i.test(String(d.nsgRule)) ? 'the default rule ' : 'rule '}${rule}${nsg ? ` of NSG ${nsg}` : ''}` : '';
      return `Azure's flow logs show ${count(n, 'connection')} to port ${String(d.destPort ?? host.publishedPort)} of ${host.name} refused${by}${d.sampleSrcIp ? ` (for example from ${String(d.sampleSrcIp)})` : ''}`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'connections to TensorBoard are refused', 'the network\'s flow logs do not reach tbmon\'s Log Analytics workspace');
    return `Azure's flow logs show no refused connection to ${host.name}`;
  },
  examples(host, settings) {
    const run = (f: Parameters<typeof flows>[0]) => flowDeniedCheck.run(exampleEvidence(host, { logs: { flows: flows(f) } }), settings);
    const denied = { destPort: host.publishedPort, nsgRule: 'UserRule_deny-tensorboard', nsg: `${host.subscriptionId}/rg-net/nsg-ml`, deniedInFlows: 14, records: 3, time: minutesAgo(10), sampleSrcIp: '10.0.2.15', srcIps: 2, matchedBy: 'ip' as const };
    return {
      fail: [run({ denied: [denied] }), run({ denied: [{ ...denied, destPort: AML_MANAGEMENT_PORT, nsgRule: 'DefaultRule_DenyAllInBound', sampleSrcIp: '20.41.0.101' }] })],
      pass: [run({})],
      unknown: [run({ hostRows: 0 }), run({ hostRows: 0, workspaceRows: 0 }), flowDeniedCheck.run(exampleEvidence(host), settings)],
    };
  },
};

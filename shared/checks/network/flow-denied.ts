// network.flow-denied (CHECKS.md): traffic analytics saw inbound flows to the published port or 44224 toward the
// host denied in the window → fail. Built with the Log Analytics checks (NTANetAnalytics, gathered per workspace).
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { AML_MANAGEMENT_PORT } from '../../evidence/log-types';
import { unknownFrom } from '../resource/common';

export const flowDeniedCheck: CheckDefinition = {
  id: 'network.flow-denied',
  class: 'network',
  severity: 'medium',
  title: 'No denied flows toward the TensorBoard or AzureML port',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run({ host, logs }, settings): CheckOutcome {
    if (!logs.flows.ok) return unknownFrom(logs.flows, 'Traffic-analytics flows');
    const { workspaceRows, denied } = logs.flows.value;
    const ports = new Set([host.publishedPort, AML_MANAGEMENT_PORT]);
    const relevant = denied.filter((d) => ports.has(d.destPort));
    if (relevant.length) {
      const byRule = relevant.map((d) => `${d.deniedInFlows || d.records} to port ${d.destPort} by ${d.nsgRule || 'an NSG rule'} (e.g. from ${d.sampleSrcIp || 'unknown'})`).join('; ');
      const first = relevant[0];
      return {
        status: 'fail',
        summary: `Traffic analytics saw denied inbound flows toward ${host.name} in the last ${settings.lookback}: ${byRule}`,
        evidence: { table: 'NTANetAnalytics', denied: relevant },
        remediation: `Allow the sources in the NSG rule that denies them (NsgRule ${first.nsgRule || '<rule>'}), e.g. az network nsg rule create --resource-group <nsg resource group> --nsg-name <nsg> --name allow-tensorboard-${first.destPort} --priority <free priority above the denying rule> --direction Inbound --access Allow --protocol Tcp --source-address-prefixes ${first.sampleSrcIp || '<source>'} --destination-port-ranges ${first.destPort}`,
      };
    }
    if (workspaceRows === 0) {
      return {
        status: 'unknown',
        summary: `No traffic-analytics rows (NTANetAnalytics) in the host's Log Analytics workspace in the last ${settings.lookback}`,
        hint: 'Enable VNet or NSG flow logs with traffic analytics into this Log Analytics workspace.',
      };
    }
    return { status: 'pass', summary: `No denied inbound flows to port ${host.publishedPort} or ${AML_MANAGEMENT_PORT} toward ${host.name} in the last ${settings.lookback}` };
  },
};

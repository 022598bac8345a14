// network.flow-denied (CHECKS.md): traffic analytics saw inbound flows to the published port or 44224 toward the
// host denied in the window → fail. Built with the Log Analytics checks (NTANetAnalytics, gathered per workspace).
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { AML_MANAGEMENT_PORT, type DeniedFlow } from '../../evidence/log-types';
import { unknownFrom } from '../resource/common';

/**
 * The command that shows the denying rule. Traffic analytics names the NSG `subscription/resourceGroup/nsg` (NsgList)
 * and the rule `UserRule_<name>` or `DefaultRule_<name>`.
 */
function remediation(flow: DeniedFlow): string {
  const short = /^([0-9a-f-]{36})\/([^/]+)\/([^/\s]+)$/i.exec(flow.nsg);
  const arm = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkSecurityGroups\/([^/]+)$/i.exec(flow.nsg);
  const m = short ?? arm;
  const where = m ? `--subscription ${m[1]} --resource-group ${m[2]} --nsg-name ${m[3]}` : '--resource-group <resource group of the NSG> --nsg-name <NSG>';
  const isDefault = /^DefaultRule_/i.test(flow.nsgRule);
  const rule = flow.nsgRule.replace(/^(User|Default)Rule_/i, '') || '<rule>';
  const show = isDefault
    ? `az network nsg rule list ${where} --include-default --query "[?name=='${rule}']"`
    : `az network nsg rule show ${where} --name ${rule}`;
  return `${show}  # this rule denied traffic to port ${flow.destPort}; allow the sources above it (network.tensorboard-port / network.aml-inbound propose the exact rule)`;
}

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
        remediation: remediation(first),
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

// network.aml-inbound (CHECKS.md; domain-facts N01, N02): a compute with a public IP in a customer VNet needs inbound
// TCP 44224 from AzureMachineLearning. The legacy 29876-29877 from BatchNodeManagement (Batch classic node
// communication, retiring) is only a note.
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { hasPublicIp, prepare } from './common';
import { sourceEndpoint } from './path';
import { judge, outcomeOf, type Requirement } from './judge';
import { exampleEvidence, exampleNetwork, outsideVnet } from '../examples';
import { blocksWords, cannotTell, firstDenied, notChecked } from '../words';

const TITLE = 'AzureML can reach the compute (inbound 44224)';
export const AML_INBOUND_PORT = 44224;

export const amlInboundCheck: CheckDefinition = {
  id: 'network.aml-inbound',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['compute-instance', 'compute-cluster'],
  run(evidence): CheckOutcome {
    const { host } = evidence;
    if (!hasPublicIp(host)) return { status: 'skipped', summary: `${TITLE}: ${host.name} has no public IP, so AzureML needs no inbound rule` };
    const prep = prepare(evidence, TITLE);
    if (!prep.ok) return prep.outcome;
    const req: Requirement = { direction: 'Inbound', protocol: 'Tcp', port: AML_INBOUND_PORT, remote: [sourceEndpoint('AzureMachineLearning')], purpose: 'azureml-44224' };
    const notes = prep.paths.flatMap((p) => p.notes);
    for (const port of [29876, 29877]) {
      const legacy: Requirement = { direction: 'Inbound', protocol: 'Tcp', port, remote: [sourceEndpoint('BatchNodeManagement')], purpose: `batch-${port}` };
      const j = judge(prep.paths, legacy);
      if (j.denied.length || j.unknown.length) {
        notes.push(`Inbound TCP ${port} from BatchNodeManagement is ${j.denied.length ? 'denied' : 'not known to be allowed'}; only Batch classic node communication (retiring 2026-03-31) needs it.`);
      }
    }
    return outcomeOf(judge(prep.paths, req), req, `AzureMachineLearning → ${host.name}`, notes);
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const d = firstDenied(o);
      return `AzureML cannot manage ${host.name}, so its TensorBoard answers 502: ${d ? blocksWords(d, 'Inbound', AML_INBOUND_PORT) : `a network security group blocks port ${AML_INBOUND_PORT} from AzureML`}`;
    }
    if (o.status === 'unknown') return cannotTell(host, `AzureML can reach the compute on port ${AML_INBOUND_PORT}`, 'it could not read every network security group on the way');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `AzureML can reach ${host.name} on port ${AML_INBOUND_PORT}`;
  },
  examples(host, settings) {
    const run = (n: Parameters<typeof exampleNetwork>[1]) => amlInboundCheck.run(exampleNetwork(host, n), settings);
    return {
      fail: [run({ rules: [] }), run({ rules: [['deny-azureml', 300, 'Inbound', 'Deny', 'Tcp', 'AzureMachineLearning', '44224']] })],
      pass: [run({ rules: [['AllowAzureML', 200, 'Inbound', 'Allow', 'Tcp', 'AzureMachineLearning', '44224']] })],
      unknown: [run({ nsgUnreadable: true })],
      skipped: [amlInboundCheck.run(outsideVnet(host), settings), amlInboundCheck.run(exampleEvidence(host, { facts: { enableNodePublicIp: false } }), settings)],
    };
  },
};

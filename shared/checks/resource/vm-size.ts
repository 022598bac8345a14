// resource.vm-size (CHECKS.md): can the size hold TensorBoard and a workload? Thresholds TBMON_MIN_VCPUS /
// TBMON_MIN_MEMORY_GB (2 / 8: Standard_D2_v2, 2 vCPU / 7 GB, is below).
import type { HostRecord } from '../../model';
import type { CheckDefinition } from '../types';
import { unknownFrom } from './common';
import { exampleEvidence, type ExampleParts } from '../examples';
import { cannotTell, count, evidenceNumber, evidenceText } from '../words';
import { azScope, workspaceOf } from '../az';
import { shellWord } from '../network/fix';

function resizeCommand(host: HostRecord, minVcpus: number, minMemoryGb: number): string {
  const target = minVcpus <= 2 && minMemoryGb <= 8 ? 'Standard_D2s_v3' : `<a size with ≥ ${minVcpus} vCPUs and ≥ ${minMemoryGb} GB>`;
  if (host.kind === 'vm') return `az vm resize ${azScope(host)} --name ${shellWord(host.name)} --size ${shellWord(target)}`;
  const type = host.kind === 'compute-instance' ? 'ComputeInstance' : 'AmlCompute';
  return `az ml compute create --name ${host.name}-2 --type ${type} --size ${shellWord(target)} ${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))}  # sizes cannot change in place: create a larger one and move the workload`;
}

export const vmSizeCheck: CheckDefinition = {
  id: 'resource.vm-size',
  class: 'resource',
  severity: 'medium',
  title: 'VM size can hold TensorBoard and a workload',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run({ host, vmSize }, settings) {
    if (!vmSize.ok) return unknownFrom(vmSize, `The size of ${host.facts.vmSize ?? 'this host'}`);
    const { name, vCPUs, memoryGB } = vmSize.value;
    const evidence = { vmSize: name, vCPUs, memoryGB, minVcpus: settings.minVcpus, minMemoryGb: settings.minMemoryGb };
    const short: string[] = [];
    if (vCPUs < settings.minVcpus) short.push(`${vCPUs} vCPU < ${settings.minVcpus}`);
    if (memoryGB < settings.minMemoryGb) short.push(`${memoryGB} GB < ${settings.minMemoryGb} GB`);
    if (short.length) {
      return { status: 'fail', summary: `${name} is too small for TensorBoard and a workload (${short.join(', ')})`, evidence, remediation: resizeCommand(host, settings.minVcpus, settings.minMemoryGb) };
    }
    return { status: 'pass', summary: `${name}: ${vCPUs} vCPU, ${memoryGB} GB`, evidence };
  },
  sentence(o, host) {
    const size = evidenceText(o, 'vmSize') || host.name;
    if (o.status === 'fail') {
      return `${host.name} is too small for TensorBoard and a workload: ${size} has ${count(evidenceNumber(o, 'vCPUs') ?? 0, 'vCPU')} and ${evidenceNumber(o, 'memoryGB') ?? 0} GB of memory (${count(evidenceNumber(o, 'minVcpus') ?? 0, 'vCPU')} and ${evidenceNumber(o, 'minMemoryGb') ?? 0} GB are needed)`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'the size can hold TensorBoard and a workload', 'the size could not be looked up');
    return `${host.name}'s size ${size} has room for TensorBoard (${count(evidenceNumber(o, 'vCPUs') ?? 0, 'vCPU')}, ${evidenceNumber(o, 'memoryGB') ?? 0} GB)`;
  },
  examples(host, settings) {
    const run = (vmSize: ExampleParts['vmSize']) => vmSizeCheck.run(exampleEvidence(host, { vmSize }), settings);
    return {
      fail: [run({ ok: true, value: { name: 'Standard_D2_v2', vCPUs: 2, memoryGB: 7 } }), run({ ok: true, value: { name: 'Standard_B1s', vCPUs: 1, memoryGB: 1 } })],
      pass: [run({ ok: true, value: { name: 'Standard_D4s_v3', vCPUs: 4, memoryGB: 16 } })],
      unknown: [run({ ok: false, reason: 'the Resource SKUs API did not list Standard_X9', hint: 'Grant Reader on the subscription' })],
    };
  },
};

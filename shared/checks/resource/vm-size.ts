// resource.vm-size (CHECKS.md): can the size hold TensorBoard and a workload? Thresholds TBMON_MIN_VCPUS /
// TBMON_MIN_MEMORY_GB (2 / 8: Standard_D2_v2, 2 vCPU / 7 GB, is below).
import type { HostRecord } from '../../model';
import type { CheckDefinition } from '../types';
import { unknownFrom } from './common';

function resizeCommand(host: HostRecord, minVcpus: number, minMemoryGb: number): string {
  const target = minVcpus <= 2 && minMemoryGb <= 8 ? 'Standard_D2s_v3' : `<a size with ≥ ${minVcpus} vCPUs and ≥ ${minMemoryGb} GB>`;
  if (host.kind === 'vm') return `az vm resize --resource-group ${host.resourceGroup} --name ${host.name} --size ${target}`;
  const type = host.kind === 'compute-instance' ? 'ComputeInstance' : 'AmlCompute';
  return `az ml compute create --name ${host.name}-2 --type ${type} --size ${target} --workspace-name ${host.workspace ?? '<workspace>'} --resource-group ${host.resourceGroup}  # sizes cannot change in place: create a larger one and move the workload`;
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
};

// The resource checks, in catalogue order (CHECKS.md § resource).
import type { CheckDefinition } from '../types';
import { clusterNodesCheck } from './cluster-nodes';
import { computeStateCheck } from './compute-state';
import { cpuSaturationCheck } from './cpu-saturation';
import { diskPressureCheck } from './disk-pressure';
import { kernelNetworkCheck } from './kernel-network';
import { memoryPressureCheck } from './memory-pressure';
import { vmSizeCheck } from './vm-size';

export const resourceChecks: CheckDefinition[] = [
  computeStateCheck,
  vmSizeCheck,
  memoryPressureCheck,
  diskPressureCheck,
  cpuSaturationCheck,
  kernelNetworkCheck,
  clusterNodesCheck,
];

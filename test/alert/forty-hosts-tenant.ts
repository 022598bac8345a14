// A tenant for the alert end-to-end test: one ML workspace with 40 TensorBoard compute instances owned by 7 people
// (owner k owns instances i with i % 7 === k, through the `tensorboard-owner` tag). `vmSize` decides the one check
// that moves: Standard_D2_v2 (2 vCPU / 7 GB) fails resource.vm-size, Standard_DS3_v2 passes it; without the size
// catalogue the check is unknown.
import { computeInstance, mlWorkspace, vmSizesFor } from '../../sandbox/shapes';
import type { Tenant } from '../../sandbox/tenant-types';

export const SUB = '7a1b2c3d-0000-4000-8000-00000000a1e7';
export const WS = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-train`;
export const OWNERS = Array.from({ length: 7 }, (_, k) => `owner${k}@contoso.com`);
export const HOST_COUNT = 40;

export function fortyHostsTenant(opts: { vmSize: (i: number) => string; catalogue?: boolean }): Tenant {
  const computes = Array.from({ length: HOST_COUNT }, (_, i) => computeInstance({
    workspaceId: WS, name: `ci-tb-${String(i).padStart(2, '0')}`, location: 'eastus2', vmSize: opts.vmSize(i),
    tags: { tensorboard: '6006', 'tensorboard-owner': OWNERS[i % 7] }, createdBy: 'someone@contoso.com',
  }));
  return {
    now: '2026-11-26T06:00:00Z',
    tenantId: '00000000-0000-0000-0000-0000000a1e70',
    subscriptions: [{ id: `/subscriptions/${SUB}`, subscriptionId: SUB, displayName: 'ml-alerts-e2e', state: 'Enabled' }],
    resources: [mlWorkspace({ id: WS, location: 'eastus2' }), ...computes],
    vmSizes: opts.catalogue === false ? {} : { eastus2: vmSizesFor() as NonNullable<Tenant['vmSizes']>[string] },
    teams: { channels: ['ml-alerts'] },
  };
}

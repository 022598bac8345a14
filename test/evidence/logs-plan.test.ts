// A log family that cannot apply to a host (a compute with no subnet to tie traffic-analytics flows to) is unknown with
// the reason and a hint saying what would make it readable — never an unknown that leaves the reader guessing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChunks, planChunkQueries } from '../../shared/evidence/logs';
import { host, settings } from '../support/evidence';

test('flows not applicable to a host: reason and hint, per host kind and network', () => {
  const SUBNET = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s';
  const cases: [name: string, h: ReturnType<typeof host>, applies: boolean][] = [
    ['compute instance in a customer VNet', host({ name: 'ci-vnet', id: '/x/ci-vnet', facts: { subnetId: SUBNET } }), true],
    ['compute instance in AzureML\'s network', host({ name: 'ci-managed', id: '/x/ci-managed', facts: { subnetId: null } }), false],
    ['VM whose NICs are not known (tied by its VM id)', host({ kind: 'vm', name: 'vm-nonic', id: '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-nonic', facts: { subnetId: null, nicIds: [] } }), true],
    ['compute cluster in AzureML\'s network', host({ kind: 'compute-cluster', name: 'cl-managed', id: '/x/cl-managed', facts: { subnetId: null } }), false],
  ];
  const hosts = cases.map(([, h]) => ({ ...h, logAnalyticsWorkspaceId: '8a1f6c3e-5b7d-4e2a-9c1f-3d5e7a9b1c01' }));
  const [chunk] = planChunks(hosts);
  const { queries, notApplicable } = planChunkQueries(chunk, settings);
  const flows = queries.find((q) => q.family === 'flows');
  for (const [name, h, applies] of cases) {
    const na = notApplicable.find((n) => n.family === 'flows' && n.hostId === h.id);
    assert.equal(!na, applies, name);
    assert.equal(flows?.hostIds.includes(h.id) ?? false, applies, name);
    if (na) {
      assert.match(na.reason, /VM, network interface or subnet/, name);
      assert.match(na.hint ?? '', /flow logs/i, `${name}: a hint`);
    }
  }
});

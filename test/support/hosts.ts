// The one host builder of the tests: a compute instance `ci-tb` in workspace ws1 of rg-ml (or, by kind, the VM
// `vm-tb`, a cluster, a job service), healthy facts, every field overridable. Its id follows its kind, name,
// subscription, resource group and workspace unless one is given. `hostOf(host(…))` is the Host a report or a notice
// carries.
import { hostOf, type Host, type HostRecord } from '../../shared/model';

export const TEST_SUBSCRIPTION = '11111111-1111-1111-1111-111111111111';
export const TEST_LOG_ANALYTICS = '22222222-2222-2222-2222-222222222222';

export type HostOverrides = Omit<Partial<HostRecord>, 'facts'> & { facts?: Partial<HostRecord['facts']> };

export function host(over: HostOverrides = {}): HostRecord {
  const { facts, ...rest } = over;
  const kind = rest.kind ?? 'compute-instance';
  const name = rest.name ?? (kind === 'vm' ? 'vm-tb' : 'ci-tb');
  const subscriptionId = rest.subscriptionId ?? TEST_SUBSCRIPTION;
  const resourceGroup = rest.resourceGroup ?? 'rg-ml';
  const workspace = rest.workspace !== undefined ? rest.workspace : kind === 'vm' ? null : 'ws1';
  const group = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers`;
  const id = kind === 'vm'
    ? `${group}/Microsoft.Compute/virtualMachines/${name}`
    : `${group}/Microsoft.MachineLearningServices/workspaces/${workspace ?? 'ws1'}/${kind === 'job-service' ? 'jobs' : 'computes'}/${name}`;
  return {
    id,
    name,
    kind,
    subscriptionId,
    resourceGroup,
    workspace,
    location: 'eastus2',
    port: 6006,
    publishedPort: 6006,
    owners: [],
    logAnalyticsWorkspaceId: TEST_LOG_ANALYTICS,
    tags: { tensorboard: '6006' },
    ...rest,
    facts: {
      vmSize: 'STANDARD_D4S_V3', state: kind === 'vm' ? 'PowerState/running' : 'Running', provisioningState: 'Succeeded', errors: null,
      lastOperation: null, enableNodePublicIp: true, subnetId: null, nicIds: [], computerName: null, workspaceId: null,
      ...facts,
    },
  };
}

/** The Host of `host(over)`: what a report, a notice or the outbox carries. */
export function testHost(over: HostOverrides = {}): Host {
  return hostOf(host(over));
}

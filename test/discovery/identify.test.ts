// Identification from raw compute / VM JSON (the shapes ARM and Resource Graph return) — one table of cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyHost, tensorboardServiceEndpoint, type RawResource } from '../../shared/discovery/identify';
import type { HostKind } from '../../shared/model';

const SUB = '11111111-1111-1111-1111-111111111111';
const WS = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1`;
const options = { hostTag: 'tensorboard', ownerTags: ['tensorboard-owner', 'owner'] };

function compute(name: string, computeType: string, inner: Record<string, unknown> = {}, tags?: Record<string, string>, extra: Record<string, unknown> = {}): RawResource {
  return {
    id: `${WS}/computes/${name}`, name, type: 'Microsoft.MachineLearningServices/workspaces/computes', location: 'eastus2', tags,
    properties: { computeType, provisioningState: 'Succeeded', ...extra, properties: inner },
  };
}
function service(name: string, image: string, endpoints: Record<string, unknown>[]) {
  return { name, image: { type: 'docker', reference: image }, endpoints };
}
function vm(name: string, tags?: Record<string, string>, props: Record<string, unknown> = {}): RawResource {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/${name}`, name,
    type: 'microsoft.compute/virtualmachines', location: 'westeurope', tags,
    properties: { hardwareProfile: { vmSize: 'Standard_D4s_v5' }, provisioningState: 'Succeeded', osProfile: { computerName: `${name}-host` },
      networkProfile: { networkInterfaces: [{ id: '/subscriptions/x/resourceGroups/rg-vm/providers/Microsoft.Network/networkInterfaces/nic1' }] }, ...props },
  };
}

interface Case {
  name: string;
  raw: RawResource;
  expect: null | { kind: HostKind; port: number; publishedPort: number; owners?: string[] };
}

const cases: Case[] = [
  { name: 'CI, custom app named tensorboard on 6006', raw: compute('ci-a', 'ComputeInstance', { customServices: [service('tensorboard', 'tensorflow/tensorflow:latest', [{ name: 'tb', target: 6006, published: 6006, protocol: 'http' }])] }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006 } },
  { name: 'CI, image mentions TensorBoard, published port differs', raw: compute('ci-b', 'ComputeInstance', { customServices: [service('board', 'ghcr.io/acme/TensorBoard:2.15', [{ name: 'web', target: 6006, published: 8704 }])] }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 8704 } },
  { name: 'CI, tensorboard app on its own port (endpoint named for it)', raw: compute('ci-c', 'ComputeInstance', { customServices: [service('tensorboard', 'tb:1', [{ name: 'ssh', target: 22, published: 22 }, { name: 'tensorboard', target: 6007, published: 8705 }])] }),
    expect: { kind: 'compute-instance', port: 6007, publishedPort: 8705 } },
  { name: 'CI, unnamed app whose endpoint targets 6006', raw: compute('ci-d', 'ComputeInstance', { customServices: [service('viz', 'acme/viz:1', [{ name: 'http', target: 6006, published: 8710 }])] }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 8710 } },
  { name: 'CI, endpoint without published port uses its target', raw: compute('ci-e', 'ComputeInstance', { customServices: [service('tensorboard', 'tb', [{ name: 'tb', target: 6006 }])] }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006 } },
  { name: 'CI, only RStudio: not a TensorBoard host', raw: compute('ci-f', 'ComputeInstance', { customServices: [service('rstudio', 'ghcr.io/azure/rocker-rstudio-ml-verse:latest', [{ name: 'connect', target: 8787, published: 8787 }])] }),
    expect: null },
  { name: 'CI, no custom apps, no tag', raw: compute('ci-g', 'ComputeInstance', { state: 'Running' }), expect: null },
  { name: 'CI, tagged with a port', raw: compute('ci-h', 'ComputeInstance', {}, { tensorboard: '6010' }), expect: { kind: 'compute-instance', port: 6010, publishedPort: 6010 } },
  { name: 'CI, tag key in another case, value "true"', raw: compute('ci-i', 'ComputeInstance', {}, { TensorBoard: 'true' }), expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006 } },
  { name: 'CI, tag switched off', raw: compute('ci-j', 'ComputeInstance', {}, { tensorboard: 'false' }), expect: null },
  { name: 'CI, tag value not a port', raw: compute('ci-k', 'ComputeInstance', {}, { tensorboard: '99999' }), expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006 } },
  { name: 'CI, tagged and with an app: the app decides the ports', raw: compute('ci-l', 'ComputeInstance', { customServices: [service('tensorboard', 'tb', [{ target: 6006, published: 8720 }])] }, { tensorboard: '7000' }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 8720 } },
  { name: 'cluster, tagged', raw: compute('gpu-cluster', 'AmlCompute', { vmSize: 'STANDARD_NC6' }, { tensorboard: '' }), expect: { kind: 'compute-cluster', port: 6006, publishedPort: 6006 } },
  { name: 'cluster, tagged with a port', raw: compute('cpu-cluster', 'AmlCompute', {}, { tensorboard: '6123' }), expect: { kind: 'compute-cluster', port: 6123, publishedPort: 6123 } },
  { name: 'cluster, untagged', raw: compute('other-cluster', 'AmlCompute', {}), expect: null },
  { name: 'cluster, only an owner tag mentioning tensorboard', raw: compute('c2', 'AmlCompute', {}, { 'tensorboard-owner': 'a@contoso.com' }), expect: null },
  { name: 'AKS compute, tagged: not a host kind', raw: compute('aks', 'AKS', {}, { tensorboard: 'true' }), expect: null },
  { name: 'VM, tagged', raw: vm('tb-vm', { tensorboard: '6006', owner: 'ops@contoso.com' }), expect: { kind: 'vm', port: 6006, publishedPort: 6006, owners: ['ops@contoso.com'] } },
  { name: 'VM, untagged', raw: vm('plain-vm'), expect: null },
  { name: 'storage account, tagged: not a host kind', raw: { id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`, name: 'st1', type: 'microsoft.storage/storageaccounts', tags: { tensorboard: 'true' } }, expect: null },
  { name: 'owners: first owner tag with an address wins', raw: compute('ci-o1', 'ComputeInstance', { createdBy: { userName: 'creator@contoso.com' } }, { tensorboard: 'true', 'tensorboard-owner': 'Alice@Contoso.com; bob@contoso.com', owner: 'carol@contoso.com' }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006, owners: ['alice@contoso.com', 'bob@contoso.com'] } },
  { name: 'owners: a tag without an address falls through to the next', raw: compute('ci-o2', 'ComputeInstance', {}, { tensorboard: 'true', 'tensorboard-owner': 'ml-team', Owner: 'carol@contoso.com' }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006, owners: ['carol@contoso.com'] } },
  { name: 'owners: createdBy when no tag has an address', raw: compute('ci-o3', 'ComputeInstance', { createdBy: { userName: 'dave@contoso.com', userId: 'x' } }, { tensorboard: 'true' }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006, owners: ['dave@contoso.com'] } },
  { name: 'owners: createdBy that is not an address is ignored', raw: compute('ci-o4', 'ComputeInstance', { createdBy: { userName: 'svc-principal' } }, { tensorboard: 'true' }),
    expect: { kind: 'compute-instance', port: 6006, publishedPort: 6006, owners: [] } },
];

for (const c of cases) {
  test(`identify: ${c.name}`, () => {
    const got = identifyHost(c.raw, options);
    if (c.expect === null) {
      assert.equal(got, null);
      return;
    }
    assert.ok(got, 'expected a host');
    assert.equal(got.record.kind, c.expect.kind);
    assert.equal(got.record.port, c.expect.port);
    assert.equal(got.record.publishedPort, c.expect.publishedPort);
    if (c.expect.owners) assert.deepEqual(got.record.owners, c.expect.owners);
    assert.equal(got.record.id, c.raw.id.toLowerCase(), 'ids are canonical: lower case');
    assert.equal(got.record.subscriptionId, SUB);
    assert.equal(got.record.logAnalyticsWorkspaceId, null);
  });
}

test('identify: compute instance facts come from properties.properties', () => {
  const raw = compute('ci-facts', 'ComputeInstance', {
    vmSize: 'STANDARD_DS3_V2', state: 'UserSetupFailed', enableNodePublicIp: false,
    subnet: { id: '/subscriptions/x/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/ml' },
    errors: [{ error: { code: 'ScriptFailed', message: 'setup script exited 1' } }],
    lastOperation: { operationName: 'Start', operationTrigger: 'User', operationStatus: 'Failed', operationTime: '2026-11-26T05:00:00Z', extra: 1 },
    customServices: [service('tensorboard', 'tb', [{ target: 6006, published: 6006 }])],
    connectivityEndpoints: { publicIpAddress: '20.96.10.4', privateIpAddress: '10.10.1.4' },
  }, { 'tbmon-log-analytics': ' 22222222-2222-2222-2222-222222222222 ' }, { provisioningErrors: [{ error: { code: 'Quota' } }], provisioningState: 'Failed' });
  const got = identifyHost(raw, options);
  assert.ok(got);
  assert.deepEqual(got.record.facts, {
    vmSize: 'STANDARD_DS3_V2', state: 'UserSetupFailed', provisioningState: 'Failed',
    errors: [{ error: { code: 'Quota' } }, { error: { code: 'ScriptFailed', message: 'setup script exited 1' } }],
    lastOperation: { operationName: 'Start', operationTrigger: 'User', operationStatus: 'Failed', operationTime: '2026-11-26T05:00:00Z' },
    enableNodePublicIp: false, subnetId: '/subscriptions/x/resourcegroups/net/providers/microsoft.network/virtualnetworks/v/subnets/ml',
    nicIds: [], computerName: null, workspaceId: WS.toLowerCase(), privateIp: '10.10.1.4', startupScript: false, customApplication: true,
  });
  assert.equal(got.record.workspace, 'ws1');
  assert.equal(got.record.resourceGroup, 'rg-ml');
  assert.equal(got.record.location, 'eastus2');
  assert.equal(got.logAnalyticsTag, '22222222-2222-2222-2222-222222222222');
});

test('identify: absent runtime fields are null, not guessed', () => {
  const got = identifyHost(compute('ci-bare', 'ComputeInstance', {}, { tensorboard: 'true' }, { provisioningState: undefined }), options);
  assert.ok(got);
  assert.deepEqual(got.record.facts, {
    vmSize: null, state: null, provisioningState: null, errors: null, lastOperation: null, enableNodePublicIp: null,
    subnetId: null, nicIds: [], computerName: null, workspaceId: WS.toLowerCase(), privateIp: null, startupScript: false, customApplication: false,
  });
});

test('identify: a startup script (runs on every start) is told from a creation script (runs once)', () => {
  const script = { scriptSource: 'workspaceStorage', scriptData: 'Users/me/start.sh', timeout: '10m' };
  const cases: [string, unknown, boolean][] = [
    ['startupScript', { scripts: { startupScript: script } }, true],
    ['creationScript only', { scripts: { creationScript: script } }, false],
    ['both', { scripts: { creationScript: script, startupScript: script } }, true],
    ['near-miss: an empty startupScript', { scripts: { startupScript: {} } }, false],
    ['no setupScripts', undefined, false],
  ];
  for (const [name, setupScripts, want] of cases) {
    const got = identifyHost(compute('ci-s', 'ComputeInstance', setupScripts ? { setupScripts } : {}, { tensorboard: 'true' }), options);
    assert.equal(got?.record.facts.startupScript, want, name);
  }
});

test('identify: VM facts from the Resource Graph shape (extended.instanceView) and the ARM shape (instanceView.statuses)', () => {
  const graph = identifyHost(vm('vm-g', { tensorboard: 'true' }, { extended: { instanceView: { powerState: { code: 'PowerState/deallocated' } } } }), options);
  const arm = identifyHost(vm('vm-a', { tensorboard: 'true' }, { instanceView: { statuses: [{ code: 'ProvisioningState/succeeded' }, { code: 'PowerState/running' }] } }), options);
  assert.ok(graph && arm);
  assert.equal(graph.record.facts.state, 'PowerState/deallocated');
  assert.equal(arm.record.facts.state, 'PowerState/running');
  for (const h of [graph, arm]) {
    assert.equal(h.record.facts.vmSize, 'Standard_D4s_v5');
    assert.equal(h.record.facts.computerName, `${h.record.name}-host`);
    assert.deepEqual(h.record.facts.nicIds, ['/subscriptions/x/resourcegroups/rg-vm/providers/microsoft.network/networkinterfaces/nic1']);
    assert.equal(h.record.facts.workspaceId, null);
    assert.equal(h.record.workspace, null);
  }
});

test('identify: the Azure REST example compute instance (RStudio only) is a host only when tagged', () => {
  // Trimmed from Azure/azure-rest-api-specs (MIT) machinelearningservices 2025-12-01 examples/Compute/get/ComputeInstance.json.
  const example: RawResource = {
    id: '/subscriptions/34adfa4f-cedf-4dc0-ba29-b6d1a69ab345/resourceGroups/testrg123/providers/Microsoft.MachineLearningServices/workspaces/workspaces123/computes/compute123',
    type: 'Microsoft.MachineLearningServices/workspaces/computes', name: 'compute123', location: 'eastus2',
    properties: {
      computeType: 'ComputeInstance', provisioningState: 'Succeeded',
      properties: {
        vmSize: 'STANDARD_NC6', subnet: { id: 'test-subnet-resource-id' },
        customServices: [{ docker: { privileged: true }, endpoints: [{ name: 'connect', target: 8787, published: 8787, protocol: 'http' }],
          image: { type: 'docker', reference: 'ghcr.io/azure/rocker-rstudio-ml-verse:latest' }, name: 'rstudio' }],
        createdBy: { userName: 'foobar@microsoft.com', userOrgId: '00000000-0000-0000-0000-000000000000', userId: '00000000-0000-0000-0000-000000000000' },
        connectivityEndpoints: { publicIpAddress: '10.0.0.1', privateIpAddress: '10.0.0.1' },
        errors: null, state: 'Running',
      },
    },
  };
  assert.equal(identifyHost(example, options), null);
  const tagged = identifyHost({ ...example, tags: { tensorboard: '6006' } }, options);
  assert.ok(tagged);
  assert.equal(tagged.record.kind, 'compute-instance');
  assert.deepEqual(tagged.record.owners, ['foobar@microsoft.com']);
  assert.equal(tagged.record.facts.state, 'Running');
  assert.equal(tagged.record.facts.vmSize, 'STANDARD_NC6');
});

test('tensorboardServiceEndpoint: tolerates malformed customServices', () => {
  assert.equal(tensorboardServiceEndpoint(null), null);
  assert.equal(tensorboardServiceEndpoint('tensorboard'), null);
  assert.equal(tensorboardServiceEndpoint([null, 3, { name: 'x', endpoints: 'no' }]), null);
  assert.deepEqual(tensorboardServiceEndpoint([{ name: 'TensorBoard' }]), { port: null, publishedPort: null });
});

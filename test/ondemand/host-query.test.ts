import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostQuery } from '../../shared/host-query';
import { HOSTILE_HOST_INPUTS } from '../support/hostile-inputs';

const SUB = '00000000-0000-0000-0000-00000000AAAA';

const WS_ID = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-1`;
const CI_ID = `${WS_ID}/computes/ci-1`;
const compute = (id = CI_ID) => ({ kind: 'id', hostKind: 'compute', id, subscriptionId: SUB.toLowerCase(), resourceGroup: 'rg-ml', workspace: 'ws-1', name: 'ci-1' });
const custom = (readings: unknown, region = 'eastus2', cloud = 'AzureCloud') => ({ kind: 'url', form: 'custom-application', region, cloud, readings });
const proxy = (readings: unknown, region = 'eastus2', cloud = 'AzureCloud') => ({ kind: 'url', form: 'jupyter-proxy', region, cloud, readings });

const VALID: [string, Record<string, unknown>][] = [
  ['ci-gpu-1', { kind: 'name', name: 'ci-gpu-1' }],
  ['  vm-tb  ', { kind: 'name', name: 'vm-tb' }],
  ['VM_01.prod', { kind: 'name', name: 'VM_01.prod' }],
  [CI_ID, { ...compute(), from: 'arm-id' }],
  [`${CI_ID}/`, compute()],
  [`/SUBSCRIPTIONS/${SUB}/resourcegroups/RG(1)/providers/microsoft.machinelearningservices/workspaces/ws_1/computes/cluster-a`,
    { kind: 'id', resourceGroup: 'RG(1)', workspace: 'ws_1', name: 'cluster-a', hostKind: 'compute' }],
  [`/subscriptions/${SUB}/resourceGroups/rg.ml-é/providers/Microsoft.Compute/virtualMachines/vm-tb`,
    { kind: 'id', resourceGroup: 'rg.ml-é', name: 'vm-tb', hostKind: 'vm', workspace: null }],
  [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM-TB/`, { kind: 'id', hostKind: 'vm', name: 'VM-TB' }],
  [`${WS_ID}/jobs/tb-job_1`, { kind: 'job', id: `${WS_ID}/jobs/tb-job_1`, workspace: 'ws-1', name: 'tb-job_1', from: 'arm-id' }],
  [`${WS_ID.toLowerCase()}/JOBS/tb-job_1/`, { kind: 'job', name: 'tb-job_1' }],
  ['https://ci-gpu-1-6006.eastus2.instances.azureml.ms/', custom([{ instance: 'ci-gpu-1', port: 6006 }, { instance: 'ci-gpu-1-6006', port: null }])],
  ['https://ci-gpu-1-8706.westeurope.instances.azureml.ms/#/scalars?run=x', custom([{ instance: 'ci-gpu-1', port: 8706 }, { instance: 'ci-gpu-1-8706', port: null }], 'westeurope')],
  ['https://CI-1-6006.EastUS2.instances.azureml.ms', custom([{ instance: 'ci-1', port: 6006 }, { instance: 'ci-1-6006', port: null }])],
  ['https://my-ci.westeurope.instances.azureml.net/tensorboard/#scalars', custom([{ instance: 'my-ci', port: null }], 'westeurope')],
  ['ci-gpu-1-6006.eastus2.instances.azureml.ms/data/runs', { kind: 'url', url: 'https://ci-gpu-1-6006.eastus2.instances.azureml.ms/data/runs' }],
  ['https://ci-gpu-1-6006.usgovvirginia.instances.azureml.us/', custom([{ instance: 'ci-gpu-1', port: 6006 }, { instance: 'ci-gpu-1-6006', port: null }], 'usgovvirginia', 'AzureUSGovernment')],
  ['https://ci-gpu-1-6006.chinaeast2.instances.azureml.cn/', custom([{ instance: 'ci-gpu-1', port: 6006 }, { instance: 'ci-gpu-1-6006', port: null }], 'chinaeast2', 'AzureChinaCloud')],
  ['https://ci-gpu-1.eastus2.instances.azureml.ms/proxy/6006/', proxy([{ instance: 'ci-gpu-1', port: 6006 }])],
  ['https://ci-gpu-1.eastus2.instances.azureml.ms/proxy/6006/#scalars&run=a', proxy([{ instance: 'ci-gpu-1', port: 6006 }])],
  ['https://ci-gpu-1.eastus2.instances.azureml.ms/proxy/6007/data/plugins_listing?token=abc', { ...proxy([{ instance: 'ci-gpu-1', port: 6007 }]), url: 'https://ci-gpu-1.eastus2.instances.azureml.ms/proxy/6007/data/plugins_listing' }],
  ['https://ci-gpu-1.eastus2.instances.azureml.ms/lab/tree/Users/me/proxy/6006/', proxy([{ instance: 'ci-gpu-1', port: 6006 }])],
  ['https://ci-gpu-1.eastus2.instances.azureml.ms/lab/proxy/absolute/6006', proxy([{ instance: 'ci-gpu-1', port: 6006 }])],
  ['ci-gpu-1.chinaeast2.instances.azureml.cn/proxy/6006', proxy([{ instance: 'ci-gpu-1', port: 6006 }], 'chinaeast2', 'AzureChinaCloud')],
  [`https://ml.azure.com/compute/ci-1/details?wsid=/subscriptions/${SUB}/resourcegroups/rg-ml/workspaces/ws-1&tid=72f988bf-86f1-41af-91ab-2d7cd011db47`,
    { ...compute(`/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-1/computes/ci-1`), from: 'studio-url' }],
  [`ml.azure.com/compute/ci-1/details?wsid=${WS_ID}`, compute()],
  [`https://ml.azure.us/compute/ci-1/applications?wsid=${WS_ID}`, compute()],
  ['https://ml.azure.com/compute/ci-1/details', { kind: 'name', name: 'ci-1' }],
  [`https://ml.azure.com/runs/tb-job_1?wsid=${WS_ID}`, { kind: 'job', id: `${WS_ID}/jobs/tb-job_1`, name: 'tb-job_1', from: 'studio-url' }],
  [`https://studio.ml.azure.cn/experiments/id/0b1c/runs/tb-job_1?wsid=${WS_ID}&tid=x`, { kind: 'job', name: 'tb-job_1' }],
];

const REFUSED: [string, RegExp][] = [
  ['https://ml.azure.com/runs/tb-job_1', /without its wsid=/],
  ['https://ml.azure.com/compute/list/instances?wsid=/subscriptions/x', /wsid= is not a workspace/],
  [`https://ml.azure.com/compute/list/instances?wsid=${WS_ID}`, /not of a compute/],
  ['https://ci-gpu-1.eastus2.instances.azureml.ms/proxy/notaport/', /without a valid port after \/proxy\//],
  ['https://ci-1-0.eastus2.instances.azureml.ms/', /names port 0, which is not a port/],
  [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`, /resource type tbmon does not check/],
  ['https://portal.azure.com/', /not of an AzureML compute instance/],
];

for (const [input, message] of REFUSED) {
  test(`refuses ${input.slice(0, 80)} saying why`, () => {
    const r = parseHostQuery(input, 'the host');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /^the host /);
      assert.match(r.message, message);
    }
  });
}

for (const [input, expected] of VALID) {
  test(`accepts ${JSON.stringify(input).slice(0, 80)}`, () => {
    const r = parseHostQuery(input);
    assert.equal(r.ok, true, r.ok ? '' : r.message);
    if (r.ok) for (const [k, v] of Object.entries(expected)) assert.deepEqual((r.query as Record<string, unknown>)[k], v, k);
  });
}

test(`refuses ${HOSTILE_HOST_INPUTS.length} malformed or hostile inputs, each with a message`, () => {
  assert.ok(HOSTILE_HOST_INPUTS.length >= 100);
  const accepted: string[] = [];
  for (const input of HOSTILE_HOST_INPUTS) {
    const r = parseHostQuery(input);
    if (r.ok) accepted.push(input);
    else assert.match(r.message, /"host"/, `message names the field for ${JSON.stringify(input)}`);
  }
  assert.deepEqual(accepted, []);
});

test('non-string input is refused', () => {
  for (const v of [undefined, null, 42, {}, ['ci-1'], true]) assert.equal(parseHostQuery(v).ok, false);
});

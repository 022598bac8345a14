import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostQuery } from '../../shared/host-query';
import { HOSTILE_HOST_INPUTS } from '../support/hostile-inputs';

const SUB = '00000000-0000-0000-0000-00000000AAAA';

const VALID: [string, Record<string, unknown>][] = [
  ['ci-gpu-1', { kind: 'name', name: 'ci-gpu-1' }],
  ['  vm-tb  ', { kind: 'name', name: 'vm-tb' }],
  ['VM_01.prod', { kind: 'name', name: 'VM_01.prod' }],
  [`/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-1/computes/ci-1`,
    { kind: 'id', subscriptionId: SUB.toLowerCase(), resourceGroup: 'rg-ml', name: 'ci-1', hostKind: 'compute' }],
  [`/SUBSCRIPTIONS/${SUB}/resourcegroups/RG(1)/providers/microsoft.machinelearningservices/workspaces/ws_1/computes/cluster-a`,
    { kind: 'id', resourceGroup: 'RG(1)', name: 'cluster-a', hostKind: 'compute' }],
  [`/subscriptions/${SUB}/resourceGroups/rg.ml-é/providers/Microsoft.Compute/virtualMachines/vm-tb`,
    { kind: 'id', resourceGroup: 'rg.ml-é', name: 'vm-tb', hostKind: 'vm' }],
  ['https://ci-gpu-1-6006.eastus2.instances.azureml.ms/', { kind: 'url', name: 'ci-gpu-1', port: 6006, region: 'eastus2' }],
  ['https://ci-gpu-1-8706.westeurope.instances.azureml.ms/#/scalars?run=x', { kind: 'url', name: 'ci-gpu-1', port: 8706, region: 'westeurope' }],
  ['https://CI-1-6006.EastUS2.instances.azureml.ms', { kind: 'url', name: 'ci-1', port: 6006, region: 'eastus2' }],
];

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

// The hosts of a subnet share their evidence objects (one batch's NSG, VNet, route table, service tags), and the
// network checks reuse parsing and NSG verdicts across them. What each host gets must be exactly what it would get
// from evidence of its own: no other host's name, no stale verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { host, noLogs, settings } from '../../support/evidence';
import { networkChecks } from '../../../shared/checks/network';
import { hostPaths } from '../../../shared/checks/network/path';
import type { ArmObject, NetworkEvidence } from '../../../shared/evidence/network-types';
import type { HostRecord } from '../../../shared/model';

const NET = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network';
const SUBNET = `${NET}/virtualNetworks/vnet/subnets/snet`;
const WS = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';

function rule(name: string, priority: number, direction: string, access: string, protocol: string, source: string, port: string, dest = '*') {
  return { name, properties: { priority, direction, access, protocol, sourceAddressPrefix: source, sourcePortRange: '*', destinationAddressPrefix: dest, destinationPortRange: port } };
}

/** One subnet's evidence, as the gatherer builds it for every host of a batch: the same objects for all of them. */
function subnetEvidence(rules: unknown[]): NetworkEvidence {
  const subnet = { id: SUBNET, name: 'snet', properties: { addressPrefix: '10.0.1.0/24' } };
  const nsg: ArmObject = { id: `${NET}/networkSecurityGroups/nsg`, name: 'nsg', properties: { securityRules: rules } };
  const routeTable: ArmObject = { id: `${NET}/routeTables/rt`, name: 'rt', properties: { routes: [{ name: 'fw', properties: { addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.0.250.4' } }] } };
  return {
    subnet: { state: 'found', value: { id: SUBNET, subnet, vnet: { id: `${NET}/virtualNetworks/vnet`, name: 'vnet', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [subnet] } }, nsg: { state: 'found', value: nsg }, routeTable: { state: 'found', value: routeTable } } },
    nics: [],
    loadBalancers: [],
    workspace: { state: 'found', value: { id: WS, name: 'ws1', properties: { privateEndpointConnections: [] } } },
    customServices: [],
    serviceTags: { ok: true, value: [
      { name: 'AzureMachineLearning', properties: { addressPrefixes: ['20.41.0.96/28', '51.144.184.32/27'] } },
      { name: 'Storage.EastUS2', properties: { addressPrefixes: ['52.239.0.0/17'] } },
      { name: 'BatchNodeManagement.EastUS2', properties: { addressPrefixes: ['20.42.0.0/24'] } },
    ] },
    source: 'resourceGraph',
  };
}

const computeHost = (name: string, publishedPort = 6006): HostRecord => host({ name, id: `${WS}/computes/${name}`, publishedPort, facts: { subnetId: SUBNET, workspaceId: WS } });

function runAll(h: HostRecord, ev: NetworkEvidence) {
  return networkChecks.map((c) => [c.id, c.run({ host: h, vmSize: { ok: false, reason: '-' }, logs: noLogs(), network: { ok: true, value: ev } }, settings)] as const);
}

test('hosts sharing a subnet\'s evidence get the outcomes their own evidence would give', () => {
  const shared = subnetEvidence([
    rule('deny-6006', 200, 'Inbound', 'Deny', 'Tcp', '10.0.2.0/24', '6006'),
    rule('cidr-44224', 210, 'Inbound', 'Allow', 'Tcp', '20.41.0.96/28', '44224'),
    rule('no-storage', 300, 'Outbound', 'Deny', 'Tcp', '*', '443', 'Storage.EastUS2'),
  ]);
  const hosts = [computeHost('ci-a'), computeHost('ci-$&-b'), computeHost('ci-c', 8704), computeHost('ci-a')];
  const outcomes = hosts.map((h) => runAll(h, shared));
  for (const [i, h] of hosts.entries()) {
    assert.deepEqual(outcomes[i], runAll(h, structuredClone(shared)), h.name);
  }
  assert.deepEqual(outcomes[3], outcomes[0], 'the same host again: the same outcomes');
  const statuses = Object.fromEntries(outcomes[1]);
  assert.deepEqual([statuses['network.tensorboard-port'].status, statuses['network.aml-inbound'].status, statuses['network.aml-outbound'].status], ['fail', 'pass', 'fail'],
    'aml-inbound passes: the 0/0 route widens VirtualNetwork, so AllowVnetInBound admits AzureMachineLearning');
  assert.match(JSON.stringify(outcomes[1]), /ci-\$&-b/);
  assert.doesNotMatch(JSON.stringify(outcomes[1]), /ci-a|ci-c/);
  assert.match(statuses['network.tensorboard-port'].summary, /ci-\$&-b:6006/);
});

test('the paths of hosts sharing evidence share the parsed NSG and the address context', () => {
  const shared = subnetEvidence([rule('deny-6006', 200, 'Inbound', 'Deny', 'Tcp', '*', '6006')]);
  const [a] = hostPaths(computeHost('ci-a'), shared);
  const [b] = hostPaths(computeHost('ci-b'), shared);
  assert.equal(b.nsgs.subnet, a.nsgs.subnet);
  assert.equal(b.addresses, a.addresses);
  const [fresh] = hostPaths(computeHost('ci-b'), structuredClone(shared));
  assert.notEqual(fresh.nsgs.subnet, a.nsgs.subnet, 'other evidence objects (another batch, a re-read) are parsed again');
  assert.deepEqual(fresh.nsgs.subnet, a.nsgs.subnet);
  assert.deepEqual(fresh.addresses, a.addresses);
});

// Pure table tests of the network checks: hand-built evidence in Azure's shapes → status and what the summary or
// remediation must say. One line per case (ESLint-rule style).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTable, runCase } from '../../support/check-table';
import { found, host, inSubnet, NET, nsg, SUB, SUBNET, subnetNetwork, TAGS, settings, type RuleSpec, type SubnetNetwork as Net } from '../../support/evidence';
import { networkChecks } from '../../../shared/checks/network';
import { freePriorityAbove } from '../../../shared/checks/network/fix';
import { judge, outcomeOf, type Judged, type Requirement } from '../../../shared/checks/network/judge';
import { sourceEndpoint } from '../../../shared/checks/network/path';
import { parseNsg } from '../../../shared/nsg';
import type { ArmObject, NetworkEvidence } from '../../../shared/evidence/network-types';
import type { HostEvidence } from '../../../shared/evidence/types';
import type { CheckStatus, HostRecord } from '../../../shared/model';

const none = { state: 'none' } as const;

function run(id: string, h: HostRecord, n: Net | null, s = settings) {
  const check = networkChecks.find((c) => c.id === id);
  assert.ok(check, id);
  return check.run(evidenceOn(h, n), s);
}
function evidenceOn(h: HostRecord, n: Net | null): HostEvidence {
  return { host: h, vmSize: { ok: false, reason: '-' }, logs: {} as never, network: n ? { ok: true, value: subnetNetwork(n) } : { ok: false, reason: 'Resource Graph answered 403' } };
}

type Case = [name: string, check: string, h: HostRecord, n: Net | null, status: CheckStatus, match?: RegExp];
const DENY_6006: RuleSpec = ['deny-6006', 200, 'Inbound', 'Deny', 'Tcp', '*', '6006'];
const cases: Case[] = [
  ['tensorboard-port: defaults allow VirtualNetwork', 'network.tensorboard-port', inSubnet(), {}, 'pass', /AllowVnetInBound/],
  ['tensorboard-port: an explicit deny fails and names it', 'network.tensorboard-port', inSubnet(), { rules: [DENY_6006] }, 'fail', /nsg\/deny-6006 \(priority 200\)/],
  ['tensorboard-port: not in a customer VNet is skipped', 'network.tensorboard-port', inSubnet({ subnetId: null }), {}, 'skipped'],
  ['tensorboard-port: evidence unreadable is unknown', 'network.tensorboard-port', inSubnet(), null, 'unknown', /403/],
  ['tensorboard-port: the NSG unreadable is unknown', 'network.tensorboard-port', inSubnet(), { nsgMissing: true }, 'unknown', /AuthorizationFailed/],
  ['tensorboard-port: published port is what is evaluated', 'network.tensorboard-port', inSubnet({}, { publishedPort: 8704 }), { rules: [DENY_6006] }, 'pass', /8704/],
  ['tensorboard-port: a 0/0 UDR does not turn VNet clients into the internet', 'network.tensorboard-port', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance']], rules: [['no-internet', 4000, 'Inbound', 'Deny', '*', 'Internet', '*']] }, 'pass', /AllowVnetInBound/],
  ['aml-inbound: missing 44224 rule fails', 'network.aml-inbound', inSubnet(), {}, 'fail', /DenyAllInBound/],
  ['aml-inbound: allowed passes', 'network.aml-inbound', inSubnet(), { rules: [['aml', 100, 'Inbound', 'Allow', 'Tcp', 'AzureMachineLearning', '44224', 'VirtualNetwork']] }, 'pass'],
  ['aml-inbound: no public IP is skipped', 'network.aml-inbound', inSubnet({ enableNodePublicIp: false }), {}, 'skipped'],
  ['aml-inbound: a CIDR rule with unknown tags is unknown', 'network.aml-inbound', inSubnet(), { rules: [['cidr', 100, 'Inbound', 'Allow', 'Tcp', '20.41.0.96/28', '44224']], tags: { ok: false, reason: 'serviceTags.list failed: 403' } }, 'unknown', /403/],
  ['aml-inbound: a CIDR rule covering only part of the tag fails for the rest', 'network.aml-inbound', inSubnet(), { rules: [['cidr', 100, 'Inbound', 'Allow', 'Tcp', '20.41.0.96/28', '44224']] }, 'fail', /51\.144\.184\.32\/27/],
  ['aml-outbound: defaults pass', 'network.aml-outbound', inSubnet(), {}, 'pass'],
  ['aml-outbound: deny Internet 443 fails', 'network.aml-outbound', inSubnet(), { rules: [['no-web', 100, 'Outbound', 'Deny', 'Tcp', '*', '443', 'Internet']] }, 'fail', /AzureMachineLearning/],
  ['aml-outbound: only a warn-level dependency blocked warns', 'network.aml-outbound', inSubnet(), { rules: [['no-mcr', 100, 'Outbound', 'Deny', 'Tcp', '*', '443', 'MicrosoftContainerRegistry']] }, 'warn', /MicrosoftContainerRegistry/],
  ['aml-outbound: with a private endpoint 8787 is needed (warn)', 'network.aml-outbound', inSubnet(), { pe: 'Approved', rules: [['no-8787', 100, 'Outbound', 'Deny', 'Tcp', '*', '8787', '*']] }, 'warn', /8787/],
  ['aml-outbound: without a private endpoint 8787 is not needed', 'network.aml-outbound', inSubnet(), { rules: [['no-8787', 100, 'Outbound', 'Deny', 'Tcp', '*', '8787', '*']] }, 'pass'],
  ['aml-outbound: a warn-level dependency that cannot be judged is unknown, not pass', 'network.aml-outbound', inSubnet(), { rules: [['no-cidr', 100, 'Outbound', 'Deny', 'Tcp', '*', '443', '204.79.197.0/24']], tags: { ok: true, value: TAGS.filter((t) => t.name !== 'MicrosoftContainerRegistry') } }, 'unknown', /MicrosoftContainerRegistry/],
  ['aml-outbound: workspace unreadable but 8787/18881 allowed anyway passes', 'network.aml-outbound', inSubnet(), { workspaceMissing: true }, 'pass'],
  ['aml-outbound: workspace unreadable and 8787 denied is unknown (needed only with a private endpoint)', 'network.aml-outbound', inSubnet(), { workspaceMissing: true, rules: [['no-8787', 100, 'Outbound', 'Deny', 'Tcp', '*', '8787', '*']] }, 'unknown', /8787.*private endpoint/],
  ['aml-outbound: workspace unreadable, 8787 and MCR denied warns for MCR', 'network.aml-outbound', inSubnet(), { workspaceMissing: true, rules: [['no-8787', 100, 'Outbound', 'Deny', 'Tcp', '*', '8787', '*'], ['no-mcr', 110, 'Outbound', 'Deny', 'Tcp', '*', '443', 'MicrosoftContainerRegistry']] }, 'warn', /MicrosoftContainerRegistry/],
  ['aml-outbound: UDP 5831 blocked fails', 'network.aml-outbound', inSubnet(), { rules: [['no-udp', 100, 'Outbound', 'Deny', 'Udp', '*', '*', '*']] }, 'fail', /UDP 5831/],
  ['route-table: no route table passes', 'network.route-table', inSubnet(), {}, 'pass'],
  ['route-table: 0/0 to an appliance without an AML route fails', 'network.route-table', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance']] }, 'fail', /VirtualAppliance 10\.0\.250\.4/],
  ['route-table: the AzureMachineLearning tag route passes', 'network.route-table', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance'], ['aml', 'AzureMachineLearning', 'Internet']] }, 'pass'],
  ['route-table: the regional tag route passes', 'network.route-table', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualNetworkGateway'], ['aml', 'AzureMachineLearning.EastUS2', 'Internet']] }, 'pass'],
  ['route-table: CIDR routes covering the regional prefixes pass', 'network.route-table', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance'], ['aml1', '20.41.0.0/24', 'Internet']] }, 'pass'],
  ['route-table: CIDR routes covering part of them fail', 'network.route-table', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance'], ['aml1', '20.41.0.96/29', 'Internet']] }, 'fail', /do not cover/],
  ['route-table: CIDR routes but tags unknown is unknown', 'network.route-table', inSubnet(), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance'], ['aml1', '20.41.0.0/24', 'Internet']], tags: { ok: false, reason: 'serviceTags.list failed' } }, 'unknown'],
  ['route-table: 0/0 to Internet is no tunnel', 'network.route-table', inSubnet(), { routes: [['web', '0.0.0.0/0', 'Internet']] }, 'pass'],
  ['route-table: no public IP is skipped', 'network.route-table', inSubnet({ enableNodePublicIp: false }), { routes: [['fw', '0.0.0.0/0', 'VirtualAppliance']] }, 'skipped'],
  ['private-endpoint: approved passes', 'network.private-endpoint', inSubnet({ enableNodePublicIp: false }), { pe: 'Approved' }, 'pass'],
  ['private-endpoint: pending only fails', 'network.private-endpoint', inSubnet({ enableNodePublicIp: false }), { pe: 'Pending' }, 'fail', /no approved private endpoint connection \(1 pending or rejected\)/],
  ['private-endpoint: none fails with the az command', 'network.private-endpoint', inSubnet({ enableNodePublicIp: false }), {}, 'fail', /no private endpoint connection/],
  ['private-endpoint: public IP (default when unknown) is skipped', 'network.private-endpoint', inSubnet({ enableNodePublicIp: null }), {}, 'skipped'],
  ['published-port-range: in range passes', 'network.published-port-range', inSubnet({}, { publishedPort: 8704 }), { pe: 'Approved', customServices: [{ name: 'tb', endpoints: [{ name: 'tb', target: 6006, published: 8704 }] }] }, 'pass'],
  ['published-port-range: out of range fails', 'network.published-port-range', inSubnet({}, { publishedPort: 6006 }), { pe: 'Approved', customServices: [{ name: 'tb', endpoints: [{ name: 'tb', target: 6006, published: 6006 }] }] }, 'fail', /publishes port 6006, outside 8704–8993/],
  ['published-port-range: no private endpoint is skipped', 'network.published-port-range', inSubnet(), { customServices: [{ name: 'tb', endpoints: [{ name: 'tb', target: 6006, published: 6006 }] }] }, 'skipped'],
  ['published-port-range: no custom application is skipped', 'network.published-port-range', inSubnet(), { pe: 'Approved', customServices: [] }, 'skipped'],
  ['published-port-range: customServices unread is unknown', 'network.published-port-range', inSubnet(), { pe: 'Approved', customServices: null }, 'unknown'],
];

for (const [name, id, h, n, status, says] of cases) {
  const check = networkChecks.find((c) => c.id === id);
  assert.ok(check, id);
  checkTable(check, [{ name, evidence: evidenceOn(h, n), expect: status, says }]);
}

test('free priority: closest multiple of 10 above the blocker, then any, then none', () => {
  const n = (prios: number[]) => parseNsg({ id: `${NET}/networkSecurityGroups/x`, name: 'x', properties: { securityRules: prios.map((p, i) => ({ name: `r${i}`, properties: { priority: p, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } })) } });
  assert.equal(freePriorityAbove(n([200]), 'Inbound', 200), 190);
  assert.equal(freePriorityAbove(n([190, 200]), 'Inbound', 200), 180);
  assert.equal(freePriorityAbove(n([100, 101]), 'Inbound', 101), null);
  assert.equal(freePriorityAbove(n([100, 102]), 'Inbound', 102), 101);
  assert.equal(freePriorityAbove(n([100, 300]), 'Inbound', 65500), 310, 'after the last user rule for a default blocker');
  assert.equal(freePriorityAbove(n([4096]), 'Inbound', 65500), 4090);
  assert.equal(freePriorityAbove(n([200]), 'Outbound', 150), 140, 'other direction priorities do not count');
});

test('TBMON_CLIENT_SOURCES: a CIDR source half allowed fails naming the blocked half, with a rule for exactly it', () => {
  const o = run('network.tensorboard-port', inSubnet(), { rules: [['corp-half', 300, 'Inbound', 'Allow', 'Tcp', '198.51.100.0/25', '6006']] }, { ...settings, clientSources: ['198.51.100.0/24', 'VirtualNetwork'] });
  assert.equal(o.status, 'fail');
  assert.match(o.summary, /from 198\.51\.100\.0\/24 \[198\.51\.100\.128\/25\] is denied by nsg\/DenyAllInBound \(priority 65500, default rule\)/);
  assert.doesNotMatch(o.summary, /VirtualNetwork.*denied/);
  assert.equal(o.remediation, `az network nsg rule create --subscription ${SUB} --resource-group rg-net --nsg-name nsg --name tbmon-allow-tensorboard-6006-in --priority 310 --direction Inbound --access Allow --protocol Tcp --source-address-prefixes 198.51.100.128/25 --source-port-ranges '*' --destination-address-prefixes 10.0.1.0/24 --destination-port-ranges 6006`);
});

// A VM whose NIC sits in a load balancer backend pool, with the load balancer itself readable or not. The NIC's own
// reference proves the host is load-balanced: an unreadable load balancer is unknown, never "not load-balanced".
const LB = `${NET}/loadBalancers/lb`;
const POOL = `${LB}/backendAddressPools/pool`;
const NIC = `${NET}/networkInterfaces/vm-nic`;
function vmEvidence(lb: 'readable' | 'unreadable' | 'absent', nicReadable = true, rules: RuleSpec[] = []): NetworkEvidence {
  const subnet = { id: SUBNET, name: 'snet', properties: { addressPrefix: '10.0.1.0/24' } };
  const vnet = { id: `${NET}/virtualNetworks/vnet`, name: 'vnet', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [subnet] } };
  const ipConfig = { id: `${NIC}/ipConfigurations/ipconfig1`, name: 'ipconfig1', properties: { primary: true, privateIPAddress: '10.0.1.4', subnet: { id: SUBNET }, ...(lb === 'absent' ? {} : { loadBalancerBackendAddressPools: [{ id: POOL }] }) } };
  const nic: ArmObject = { id: NIC, name: 'vm-nic', properties: { ipConfigurations: [ipConfig] } };
  const lbObject: ArmObject = {
    id: LB, name: 'lb',
    properties: {
      backendAddressPools: [{ id: POOL, name: 'pool', properties: { backendIPConfigurations: [{ id: ipConfig.id }] } }],
      loadBalancingRules: [{ id: `${LB}/loadBalancingRules/tb`, name: 'tb', properties: { backendAddressPool: { id: POOL }, backendPort: 6006, frontendPort: 6006, protocol: 'Tcp', probe: { id: `${LB}/probes/tb` } } }],
      probes: [{ id: `${LB}/probes/tb`, name: 'tb', properties: { protocol: 'Tcp', port: 6006 } }],
    },
  };
  return {
    subnet: none,
    nics: [nicReadable ? found({ nic, nsg: none, subnet: found({ id: SUBNET, subnet, vnet, nsg: found(nsg('nsg', rules)), routeTable: none }) }) : { state: 'unreadable', id: NIC, reason: '403 AuthorizationFailed' }],
    loadBalancers: lb === 'readable' ? [lbObject] : [],
    workspace: none,
    customServices: null,
    serviceTags: { ok: true, value: TAGS },
    source: 'arm',
  };
}

test('a load balancer named by the NIC but not readable: load-balancer unknown, and the port check still requires AzureLoadBalancer', () => {
  const vm = host({ kind: 'vm', facts: { subnetId: null, nicIds: [NIC] } });
  const denyProbe: RuleSpec = ['deny-lb', 200, 'Inbound', 'Deny', 'Tcp', 'AzureLoadBalancer', '6006'];
  const cases: [name: string, id: string, ev: NetworkEvidence, status: CheckStatus, says?: RegExp][] = [
    ['load balancer readable, probe allowed', 'network.load-balancer', vmEvidence('readable'), 'pass'],
    ['no backend pool on the NIC', 'network.load-balancer', vmEvidence('absent'), 'skipped'],
    ['load balancer unreadable', 'network.load-balancer', vmEvidence('unreadable'), 'unknown', /loadBalancers\/lb/],
    ['NIC unreadable: its backend pools are unknown', 'network.load-balancer', vmEvidence('absent', false), 'unknown', /vm-nic/],
    ['port check, load balancer readable, probe source denied', 'network.tensorboard-port', vmEvidence('readable', true, [denyProbe]), 'fail', /AzureLoadBalancer/],
    ['port check, load balancer unreadable, probe source denied', 'network.tensorboard-port', vmEvidence('unreadable', true, [denyProbe]), 'fail', /AzureLoadBalancer/],
  ];
  for (const [name, id, ev, status, says] of cases) {
    const check = networkChecks.find((c) => c.id === id);
    assert.ok(check, id);
    runCase(check, { name, evidence: { host: vm, vmSize: { ok: false, reason: '-' }, logs: {} as never, network: { ok: true, value: ev } }, expect: status, says });
  }
});

test('a requirement judged on no path at all is unknown, never a pass with nothing allowed', () => {
  const req: Requirement = { direction: 'Inbound', protocol: 'Tcp', port: 6006, remote: [sourceEndpoint('VirtualNetwork')], purpose: 'tensorboard-6006' };
  const cases: [name: string, j: Judged, status: string][] = [
    ['no path', judge([], req), 'unknown'],
    ['nothing judged', { denied: [], unknown: [], allowed: [] }, 'unknown'],
  ];
  for (const [name, j, status] of cases) {
    const o = outcomeOf(j, req, 'Clients → ci-tb:6006');
    assert.equal(o.status, status, `${name}: ${o.summary}`);
    assert.ok(o.hint, `${name}: an unknown carries a hint`);
  }
});

// bench:nsg — flow evaluations per second of the NSG evaluator: realistic subnet + NIC NSGs (a dozen user rules each
// plus the defaults), service tags resolved from a table, flows from tags and CIDRs that split. Printed, never
// asserted.
//
//   npm run bench:nsg [-- --seconds N]
import { parseArgs } from 'node:util';
import { evaluateFlow, parseNsg, type AddressContext, type Flow } from '../shared/nsg';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);

const id = (n: string) => `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/${n}`;
const rule = (name: string, priority: number, direction: string, access: string, protocol: string, source: string, port: string, dest = '*') => ({
  name,
  properties: { priority, direction, access, protocol, sourceAddressPrefix: source, sourcePortRange: '*', destinationAddressPrefix: dest, destinationPortRange: port },
});
const subnet = parseNsg({
  id: id('nsg-subnet'),
  name: 'nsg-subnet',
  properties: {
    securityRules: [
      rule('AllowAzureMLInbound', 100, 'Inbound', 'Allow', 'Tcp', 'AzureMachineLearning', '44224', 'VirtualNetwork'),
      rule('allow-corp-ssh', 110, 'Inbound', 'Allow', 'Tcp', '203.0.113.0/24', '22'),
      rule('deny-dev-ports', 200, 'Inbound', 'Deny', 'Tcp', '*', '6000-6100'),
      rule('allow-team-tb', 190, 'Inbound', 'Allow', 'Tcp', '10.1.4.0/22', '6006'),
      rule('allow-lb', 300, 'Inbound', 'Allow', '*', 'AzureLoadBalancer', '*'),
      rule('deny-internet-in', 4000, 'Inbound', 'Deny', '*', 'Internet', '*'),
      rule('allow-aml-out', 100, 'Outbound', 'Allow', 'Tcp', 'VirtualNetwork', '443', 'AzureMachineLearning'),
      rule('allow-storage-out', 110, 'Outbound', 'Allow', 'Tcp', 'VirtualNetwork', '443', 'Storage.EastUS2'),
      rule('deny-cloud-8787', 120, 'Outbound', 'Deny', 'Tcp', '*', '8787', 'AzureCloud'),
      rule('deny-internet-out', 4000, 'Outbound', 'Deny', '*', '*', '*', 'Internet'),
    ],
  },
});
const nic = parseNsg({
  id: id('nsg-nic'),
  name: 'nsg-nic',
  properties: {
    securityRules: [
      rule('allow-tb', 100, 'Inbound', 'Allow', 'Tcp', 'VirtualNetwork', '6006'),
      rule('deny-rdp', 110, 'Inbound', 'Deny', 'Tcp', '*', '3389'),
      rule('allow-aml', 120, 'Inbound', 'Allow', 'Tcp', 'AzureMachineLearning', '44224'),
      rule('allow-all-out', 100, 'Outbound', 'Allow', '*', '*', '*'),
    ],
  },
});
const addresses: AddressContext = {
  virtualNetwork: { addressSpace: ['10.1.0.0/16'], peeredAddressSpace: ['10.2.0.0/16'], routePrefixes: ['192.168.0.0/24'] },
  serviceTags: [
    { name: 'AzureMachineLearning', properties: { addressPrefixes: ['20.41.0.96/28', '20.62.128.128/26', '51.144.184.32/27'] } },
    { name: 'Storage.EastUS2', properties: { addressPrefixes: ['52.239.0.0/17', '20.38.96.0/19'] } },
    { name: 'AzureCloud', properties: { addressPrefixes: ['20.0.0.0/8', '51.0.0.0/8', '52.0.0.0/8'] } },
  ],
};
const host = { label: 'host', prefixes: ['10.1.0.4'], asgIds: [] };
const flows: Flow[] = [
  { direction: 'Inbound', protocol: 'Tcp', source: { label: 'VirtualNetwork', tag: 'VirtualNetwork' }, destination: host, destinationPorts: 6006 },
  { direction: 'Inbound', protocol: 'Tcp', source: { label: 'AzureMachineLearning', tag: 'AzureMachineLearning' }, destination: host, destinationPorts: 44224 },
  { direction: 'Inbound', protocol: 'Tcp', source: { label: 'AzureLoadBalancer', tag: 'AzureLoadBalancer' }, destination: host, destinationPorts: 6006 },
  { direction: 'Inbound', protocol: 'Tcp', source: { label: 'corp', prefixes: ['10.1.0.0/20', '203.0.113.0/24'] }, destination: host, destinationPorts: 6006 },
  { direction: 'Outbound', protocol: 'Tcp', source: host, destination: { label: 'AzureMachineLearning', tag: 'AzureMachineLearning' }, destinationPorts: 8787 },
  { direction: 'Outbound', protocol: 'Udp', source: host, destination: { label: 'AzureMachineLearning', tag: 'AzureMachineLearning' }, destinationPorts: 5831 },
];

let n = 0;
let parts = 0;
const verdicts: Record<string, number> = {};
const start = process.hrtime.bigint();
const deadline = start + BigInt(Math.round(seconds * 1e9));
while (process.hrtime.bigint() < deadline) {
  for (const f of flows) {
    const v = evaluateFlow(f, { subnet, nic }, addresses);
    parts += v.parts.length;
    verdicts[v.verdict] = (verdicts[v.verdict] ?? 0) + 1;
    n++;
  }
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`bench:nsg — ${n.toLocaleString('en-US')} flow evaluations in ${elapsed.toFixed(2)} s`);
console.log(`  ${Math.round(n / elapsed).toLocaleString('en-US')} flow evaluations per second (subnet + NIC NSG, ${subnet.rules.length + nic.rules.length} rules, ${(parts / n).toFixed(2)} parts per flow)`);
console.log(`  verdicts: ${Object.entries(verdicts).map(([k, v]) => `${k} ${v}`).join(', ')}`);

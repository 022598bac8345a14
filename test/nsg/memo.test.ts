// FlowMemo: a flow evaluated once per path (same parsed NSG and address-context objects) and handed to every
// caller with its own labels — verdicts equal to evaluateFlow's, whatever the labels hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFlow, FlowMemo, IdentityMemo, parseNsg, type AddressContext, type Endpoint, type Flow, type NsgPath } from '../../shared/nsg';

type R = Record<string, unknown>;
const rule = (name: string, priority: number, direction: string, access: string, protocol: string, extra: R): R =>
  ({ name, properties: { priority, direction, access, protocol, sourcePortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: '*', ...extra } });
const nsgObject = (name: string, rules: R[]) => ({ id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/${name}`, name, properties: { securityRules: rules } });
const RULES = [
  rule('deny-part-of-vnet', 100, 'Inbound', 'Deny', 'Tcp', { sourceAddressPrefix: '10.0.2.0/24', destinationPortRange: '6006' }),
  rule('asg-only', 110, 'Inbound', 'Allow', 'Tcp', { destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/tb' }], destinationPortRange: '7000' }),
  rule('no-storage', 100, 'Outbound', 'Deny', 'Tcp', { destinationAddressPrefix: 'Storage.EastUS2', destinationPortRange: '443' }),
];
const CTX: AddressContext = {
  virtualNetwork: { addressSpace: ['10.0.0.0/16'], routePrefixes: ['0.0.0.0/0'] },
  serviceTags: [{ name: 'Storage.EastUS2', properties: { addressPrefixes: ['52.239.0.0/17'] } }, { name: 'AzureMachineLearning', properties: { addressPrefixes: ['20.41.0.96/28'] } }],
};
const host = (label: string, asgIds?: string[]): Endpoint => ({ label, prefixes: ['10.0.1.0/24'], ...(asgIds ? { asgIds } : {}) });
const tag = (t: string): Endpoint => ({ label: t, tag: t });

/** Flows of every kind the checks ask: split verdicts, several sources, an unknown whose reason names the host, outbound tags. */
function flows(h: Endpoint): Flow[] {
  return [
    { direction: 'Inbound', protocol: 'Tcp', source: [tag('VirtualNetwork'), { label: '203.0.113.0/24', prefixes: ['203.0.113.0/24'] }], destination: h, destinationPorts: 6006 },
    { direction: 'Inbound', protocol: 'Tcp', source: tag('VirtualNetwork'), destination: { ...h, asgIds: undefined }, destinationPorts: 7000 },
    { direction: 'Outbound', protocol: 'Tcp', source: h, destination: tag('Storage.EastUS2'), destinationPorts: 443 },
    { direction: 'Outbound', protocol: 'Udp', source: h, destination: [tag('AzureMachineLearning'), tag('Internet')], destinationPorts: 5831 },
  ];
}

test('verdicts from the memo equal evaluateFlow\'s, for every caller\'s labels (also labels with $& and \\ in them)', () => {
  const memo = new FlowMemo();
  const path: NsgPath = { subnet: parseNsg(nsgObject('nsg', RULES)) };
  const labels = ['ci-a', 'ci-$&-$1-b', 'c\\i "c"'];
  let sawHostInReason = false;
  for (const label of labels) {
    for (const f of flows(host(label))) {
      const want = evaluateFlow(f, path, CTX);
      assert.deepEqual(memo.evaluate(f, path, CTX), want, `${label}: ${f.direction} ${f.destinationPorts}`);
      sawHostInReason ||= want.parts.some((p) => p.reason?.includes(label));
    }
  }
  assert.ok(sawHostInReason, 'a reason names the host (ASG membership unknown), so relabelling reasons is exercised');
});

test('the same path and flow are evaluated once; another NSG object (a re-read) is evaluated afresh', () => {
  const memo = new FlowMemo();
  const path: NsgPath = { subnet: parseNsg(nsgObject('nsg', RULES)), nic: null };
  const [a, b] = [flows(host('ci-a'))[0], flows(host('ci-b'))[0]];
  const va = memo.evaluate(a, path, CTX);
  const vb = memo.evaluate(b, path, CTX);
  assert.equal(vb.examined, va.examined, 'the second host got the first host\'s evaluation');
  assert.notEqual(vb.parts[0], va.parts[0], 'with parts of its own');
  assert.ok(vb.parts.some((p) => p.destination === 'ci-b') && !vb.parts.some((p) => p.destination.includes('ci-a')));

  const reread: NsgPath = { subnet: parseNsg(nsgObject('nsg', RULES.slice(1))), nic: null };
  const vc = memo.evaluate(b, reread, CTX);
  assert.notEqual(vc.examined, va.examined);
  assert.deepEqual(vc, evaluateFlow(b, reread, CTX));
  assert.notEqual(vc.verdict, vb.verdict, 'the rule set without the deny answers differently');
  assert.notEqual(memo.evaluate(b, { ...path, nic: undefined }, CTX).examined, va.examined, 'a hidden NIC level is another path than no NIC NSG');
  assert.notEqual(memo.evaluate(b, path, { ...CTX }).examined, va.examined, 'another address context is another path');
  assert.notEqual(memo.evaluate({ ...b, destinationPorts: 6007 }, path, CTX).examined, va.examined, 'another port is another flow');
  assert.notEqual(memo.evaluate({ ...b, destination: { ...host('ci-b'), prefixes: ['10.0.1.4'] } }, path, CTX).examined, va.examined, 'other host addresses are another flow');
});

test('IdentityMemo: one value per sequence of objects', () => {
  const memo = new IdentityMemo<number>();
  const [x, y] = [{}, {}];
  let computed = 0;
  const get = (keys: object[]) => memo.get(keys, () => ++computed);
  assert.equal(get([x, y]), 1);
  assert.equal(get([x, y]), 1);
  assert.equal(get([y, x]), 2);
  assert.equal(get([x]), 3);
  assert.equal(computed, 3);
});

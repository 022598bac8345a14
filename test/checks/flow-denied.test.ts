// network.flow-denied: denied inbound flows to the published port or 44224 toward the host → fail; a pass only with
// flow rows that show the host; a subnet-only match is said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowDeniedCheck } from '../../shared/checks/network/flow-denied';
import type { DeniedFlow, FlowEvidence } from '../../shared/evidence/log-types';
import type { CheckStatus } from '../../shared/model';
import { checkTable } from '../support/check-table';
import { evidence, host, settings } from '../support/evidence';

const flow = (destPort: number, over: Partial<DeniedFlow> = {}): DeniedFlow => ({
  destPort, nsgRule: 'DenyAllInBound', nsg: '11111111-1111-1111-1111-111111111111/rg-net/nsg-ml', deniedInFlows: 12, records: 3, time: '2026-11-26T05:40:00.000Z', sampleSrcIp: '10.1.0.4', srcIps: 2, matchedBy: 'ip', ...over,
});
const flows = (denied: DeniedFlow[], over: Partial<FlowEvidence> = {}): FlowEvidence => ({
  workspaceRows: 100, hostRows: 20, coveredBy: ['ip', 'subnet'], matching: 'ip', denied, ...over,
});
const run = (value: FlowEvidence, h = host()) => flowDeniedCheck.run(evidence(h, { flows: { ok: true, value } }), settings);
const SUBNET = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet-ci';

const cases: { name: string; value: FlowEvidence; host?: ReturnType<typeof host>; status: CheckStatus; summary?: RegExp; hint?: RegExp }[] = [
  { name: '6006 denied', value: flows([flow(6006)]), status: 'fail' },
  { name: '44224 denied, rule named', value: flows([flow(44224, { nsgRule: 'deny-aml' })]), status: 'fail', summary: /deny-aml/ },
  { name: 'another port denied', value: flows([flow(8080)]), status: 'pass' },
  { name: 'nothing denied, host covered', value: flows([]), status: 'pass' },
  { name: 'empty workspace', value: flows([], { workspaceRows: 0, hostRows: 0, coveredBy: [] }), status: 'unknown', summary: /No traffic-analytics rows/, hint: /flow logs/ },
  {
    name: 'workspace has rows, none show the host', value: flows([], { workspaceRows: 500, hostRows: 0, coveredBy: [] }), host: host({ facts: { subnetId: SUBNET } }),
    status: 'unknown', summary: /not logged/, hint: /traffic analytics for subnet snet-ci of VNet vnet-ml/,
  },
  { name: 'published port differs: its denial fails', value: flows([flow(8765)]), host: host({ publishedPort: 8765 }), status: 'fail' },
  { name: 'published port differs: 6006 is not it', value: flows([flow(6006)]), host: host({ port: 6006, publishedPort: 8765 }), status: 'pass' },
  {
    name: 'a cluster matched by subnet only says so', value: flows([flow(6006, { matchedBy: 'subnet' })], { matching: 'subnet-only', coveredBy: ['subnet'] }),
    host: host({ kind: 'compute-cluster' }), status: 'fail', summary: /subnet only/,
  },
  { name: 'a cluster passing by subnet only says so', value: flows([], { matching: 'subnet-only', coveredBy: ['subnet'] }), host: host({ kind: 'compute-cluster' }), status: 'pass', summary: /subnet only/ },
];
checkTable(flowDeniedCheck, cases.map((c) => ({
  name: `network.flow-denied: ${c.name}`,
  evidence: evidence(c.host ?? host(), { flows: { ok: true, value: c.value } }),
  expect: c.status,
  hint: c.hint,
  then: (r) => { if (c.summary) assert.match(r.summary, c.summary, c.name); },
})));

test('network.flow-denied: no flow evidence is unknown; the fix names the deciding rule', () => {
  assert.equal(flowDeniedCheck.run(evidence(host()), settings).status, 'unknown');
  assert.equal(run(flows([flow(6006, { nsgRule: 'UserRule_deny-tb' })])).remediation?.startsWith('az network nsg rule show --subscription 11111111-1111-1111-1111-111111111111 --resource-group rg-net --nsg-name nsg-ml --name deny-tb'), true);
  assert.match(run(flows([flow(6006, { nsgRule: 'DefaultRule_DenyAllInBound' })])).remediation ?? '', /--include-default --query "\[\?name=='DenyAllInBound'\]"/);
});

// network.flow-denied: denied inbound flows to the published port or 44224 toward the host → fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowDeniedCheck } from '../../shared/checks/network/flow-denied';
import type { DeniedFlow } from '../../shared/evidence/log-types';
import { evidence, host, settings } from './evidence-fixtures';

const flow = (destPort: number, over: Partial<DeniedFlow> = {}): DeniedFlow => ({
  destPort, nsgRule: 'DenyAllInBound', nsg: '11111111-1111-1111-1111-111111111111/rg-net/nsg-ml', deniedInFlows: 12, records: 3, time: '2026-11-26T05:40:00.000Z', sampleSrcIp: '10.1.0.4', srcIps: 2, matchedBy: 'subnet', ...over,
});
const run = (denied: DeniedFlow[], workspaceRows = 100, h = host()) => flowDeniedCheck.run(evidence(h, { flows: { ok: true, value: { workspaceRows, denied } } }), settings);

test('network.flow-denied', () => {
  assert.equal(run([flow(6006)]).status, 'fail');
  assert.equal(run([flow(44224, { nsgRule: 'deny-aml' })]).status, 'fail');
  assert.match(run([flow(44224, { nsgRule: 'deny-aml' })]).summary, /deny-aml/);
  assert.equal(run([flow(8080)]).status, 'pass');
  assert.equal(run([]).status, 'pass');
  assert.equal(run([], 0).status, 'unknown');
  assert.equal(run([flow(8765)], 100, host({ publishedPort: 8765 })).status, 'fail');
  assert.equal(run([flow(6006)], 100, host({ port: 6006, publishedPort: 8765 })).status, 'pass');
  assert.equal(flowDeniedCheck.run(evidence(host()), settings).status, 'unknown');
  assert.equal(run([flow(6006, { nsgRule: 'UserRule_deny-tb' })]).remediation?.startsWith('az network nsg rule show --subscription 11111111-1111-1111-1111-111111111111 --resource-group rg-net --nsg-name nsg-ml --name deny-tb'), true);
  assert.match(run([flow(6006, { nsgRule: 'DefaultRule_DenyAllInBound' })]).remediation ?? '', /--include-default --query "\[\?name=='DenyAllInBound'\]"/);
});

// network.url-port: the port a pasted URL asks for, against the port TensorBoard is reachable on — a table of cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { urlPortFinding } from '../../shared/checks/network/url-port';
import { parseHostQuery } from '../../shared/host-query';
import type { Host } from '../../shared/model';
import { testHost } from '../support/hosts';

const host = (port: number, publishedPort: number): Host => testHost({ subscriptionId: '00000000-0000-0000-0000-00000000aaaa', resourceGroup: 'rg', workspace: 'ws-1', port, publishedPort, logAnalyticsWorkspaceId: null });

const CASES: [string, Host, 'pass' | 'fail' | null, string | null][] = [
  ['https://ci-tb-8707.eastus2.instances.azureml.ms/#scalars', host(6006, 8707), 'pass', null],
  ['https://ci-tb-6007.eastus2.instances.azureml.ms/#scalars', host(6006, 8707), 'fail', 'https://ci-tb-8707.eastus2.instances.azureml.ms/'],
  ['https://ci-tb-6006.eastus2.instances.azureml.ms/', host(6006, 8707), 'fail', 'https://ci-tb-8707.eastus2.instances.azureml.ms/'],
  ['https://ci-tb.eastus2.instances.azureml.ms/proxy/6006/', host(6006, 6006), 'pass', null],
  ['https://ci-tb.eastus2.instances.azureml.us/lab/tree/proxy/6007/?token=x', host(6006, 6006), 'fail', 'https://ci-tb.eastus2.instances.azureml.us/proxy/6006/'],
  ['https://ci-tb.eastus2.instances.azureml.ms/', host(6006, 6006), null, null],
];

for (const [text, h, status, reachable] of CASES) {
  test(`${text} on a host published on ${h.publishedPort}: ${status ?? 'no finding'}`, () => {
    const parsed = parseHostQuery(text);
    assert.ok(parsed.ok && parsed.query.kind === 'url');
    const q = parsed.query;
    const reading = q.readings.find((r) => r.instance === h.name)!;
    const f = urlPortFinding({ url: q.url, form: q.form, reading }, h);
    assert.equal(f?.status ?? null, status);
    if (!f) return;
    assert.equal(f.id, 'network.url-port');
    assert.match(f.summary, new RegExp(`port ${reading.port}`));
    assert.match(f.summary, new RegExp(`reachable on port ${h.publishedPort}|the port TensorBoard is reachable on`));
    if (reachable) {
      assert.equal(f.evidence?.reachableUrl, reachable);
      assert.ok(f.remediation?.includes(reachable));
      assert.ok(!f.remediation?.includes('token'), 'the query of the pasted URL is not repeated');
    } else assert.equal(f.remediation, undefined);
  });
}

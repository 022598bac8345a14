// Rows belong to a VM by its `_ResourceId`, or by its OS computer name only when the row names no resource (CHECKS.md
// § script): a row another VM wrote — its own `_ResourceId`, the same host name (VMs from one image often share
// one) — is that VM's evidence, never this one's. Else another machine's serving line or kern rows would pass it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHosts } from '../../shared/evaluate';
import { loadSettings } from '../../shared/config';
import type { HostRecord } from '../../shared/model';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';
import { discover } from './logs-support';

const LA_PROD = '8a1f6c3e-5b7d-4e2a-9c1f-3d5e7a9b1c01';
const OTHER_VM = '/subscriptions/1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01/resourceGroups/rg-other/providers/Microsoft.Compute/virtualMachines/vm-other';

let sandbox: RunningSandbox;
let vm: HostRecord;
before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
  const { hosts } = await discover(sandbox);
  vm = hosts.find((h) => h.name === 'vm-tb') as HostRecord;
});
after(async () => sandbox?.close());

/** contoso with vm-tb's Syslog rows replaced: the same rows, each written with `_ResourceId` = `resourceId`. */
function tenantWithVmRowsFrom(resourceId: string): Tenant {
  const t = loadTenant('contoso');
  const syslog = t.logAnalytics?.[LA_PROD]?.tables.Syslog ?? [];
  for (const r of syslog) if (r.Computer === 'vm-tb') r._ResourceId = resourceId;
  return t;
}

test('a VM\'s rows: by its resource id, by its computer name when the row names no resource, never by another VM\'s rows', async () => {
  const cases: [name: string, resourceId: string, want: string][] = [
    ['rows carry the VM\'s own resource id', vm.id, 'pass'],
    ['rows carry no resource id (matched by computer name)', '', 'pass'],
    ['rows of another VM with the same computer name', OTHER_VM, 'unknown'],
  ];
  for (const [name, resourceId, want] of cases) {
    const tenant = tenantWithVmRowsFrom(resourceId);
    sandbox.setTenant(tenant);
    const { reports } = await evaluateHosts([vm], { azure: azureContextFor(sandbox), settings: loadSettings({}), mode: 'batch', now: new Date(tenant.now) });
    const status = (id: string) => reports[0].checks.find((c) => c.id === id)?.status;
    assert.equal(status('script.not-running'), want, `${name}: script.not-running`);
    assert.equal(status('script.port-mismatch'), want, `${name}: script.port-mismatch`);
  }
  sandbox.setTenant(loadTenant('contoso'));
});

// Shared setup for the log-evidence integration tests: the contoso hosts as discovery finds them, and an evidence
// context on a sandbox.
import { loadSettings, type Settings } from '../../shared/config';
import { discoverHosts } from '../../shared/discovery/discover';
import type { EvidenceContext } from '../../shared/evidence/context';
import type { HostRecord } from '../../shared/model';
import type { AzureContext } from '../../shared/azure';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

export async function discover(sandbox: RunningSandbox, settings: Settings = loadSettings({})): Promise<{ azure: AzureContext; hosts: HostRecord[] }> {
  const azure = azureContextFor(sandbox);
  const now = new Date(sandbox.tenant().now);
  const { hosts } = await discoverHosts({ azure, settings, errors: [], now });
  return { azure, hosts };
}

/** A sandbox of contoso and its hosts as discovery finds them (a file's shared setup: close the sandbox after). */
export async function startContoso(): Promise<{ sandbox: RunningSandbox; hosts: HostRecord[] }> {
  const sandbox = await startTestSandbox(loadTenant('contoso'));
  return { sandbox, hosts: (await discover(sandbox)).hosts };
}

export function evidenceContext(sandbox: RunningSandbox, azure: AzureContext, settings: Settings = loadSettings({})): EvidenceContext {
  return { azure, settings, mode: 'batch', errors: [], cache: new Map(), now: new Date(sandbox.tenant().now) };
}

/** The Log Analytics queries the sandbox recorded. */
export function logQueries(sandbox: RunningSandbox) {
  return sandbox.requests().filter((r) => r.api === 'logAnalytics');
}

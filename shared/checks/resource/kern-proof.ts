// Is the host's kernel log collected (CHECKS.md resource.memory-pressure / resource.kernel-network)? Proven by a
// `kern` row in the coverage period; or, for a VM, by configuration: an associated data collection rule whose Syslog
// data source lists facility `kern` at every level from Info up (`logLevels`, or `*`), whose Microsoft-Syslog flow
// goes to the Log Analytics workspace tbmon queries, AND some Syslog row from the host in the window — the rule
// proves intent, the row proves the agent sends. Without a visible rule (compute instances), only a row proves it.
// Rule shape: Microsoft.Insights/dataCollectionRules (learn.microsoft.com/azure/templates/microsoft.insights/datacollectionrules):
// facilityNames and logLevels take the syslog names (`kern`, `Info` … `Emergency`) or `*`.
import type { CollectionRule } from '../../evidence/collection';
import type { KernelEvidence } from '../../evidence/log-types';
import { KERNEL_HINT } from '../../evidence/log-types';
import type { HostEvidence } from '../../evidence/types';
import { canonicalId } from '../../model';
import { azScope } from '../az';
import { shellWord } from '../network/fix';

/** Info and every more severe level: what "kern at Info or above" must list (syslog severities 6 … 0). */
export const INFO_AND_ABOVE = ['info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;

export type KernProof =
  | { proven: true; by: 'row' | 'rule'; rule?: string }
  | { proven: false; summary: string; hint: string; rule?: string };

/** Does this rule's Syslog source collect facility kern at Info or above? */
export function collectsKern(rule: CollectionRule): boolean {
  return rule.syslog.some((s) => {
    const facilities = s.facilityNames.map((f) => f.toLowerCase());
    const levels = new Set(s.logLevels.map((l) => l.toLowerCase()));
    const kern = facilities.includes('kern') || facilities.includes('*');
    return kern && (levels.has('*') || INFO_AND_ABOVE.every((l) => levels.has(l)));
  });
}

/** Does the rule's Syslog flow reach the workspace tbmon reads for this host? */
export function sendsSyslogTo(rule: CollectionRule, customerId: string | null, resourceId: string | null | undefined): boolean {
  return rule.syslogTo.some((t) => (!!customerId && t.customerId === canonicalId(customerId)) || (!!resourceId && t.resourceId === canonicalId(resourceId)));
}

function describe(rule: CollectionRule): string {
  if (!rule.readable) return `data collection rule ${rule.name} (association ${rule.association}) could not be read: ${rule.reason ?? 'no detail'}`;
  const sources = rule.syslog.map((s) => `facilities ${s.facilityNames.join(', ') || 'none'} at ${s.logLevels.join(', ') || 'no level'}`).join('; ');
  return `data collection rule ${rule.name} (association ${rule.association}) collects ${rule.syslog.length ? `Syslog ${sources}` : 'no Syslog'}`;
}

/** The az command that adds kern at Info or above to a rule (its Syslog source), named by its real id. */
export function addKernCommand(rule: Pick<CollectionRule, 'id'>, sourceName: string, facilityNames: readonly string[]): string {
  const place = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(rule.id);
  const scope = place ? azScope({ subscriptionId: place[1], resourceGroup: place[2] }) : `--ids ${shellWord(rule.id)}`;
  const name = rule.id.split('/').pop() ?? rule.id;
  const facilities = [...new Set([...facilityNames.filter((f) => f !== '*'), 'kern'])];
  return `az monitor data-collection rule syslog update ${scope} --rule-name ${shellWord(name)} --name ${sourceName || 'sysLogsDataSource'} --facility-names ${facilities.join(' ')} --log-levels ${INFO_LEVELS.join(' ')}`;
}

/** The level names as data collection rules spell them. */
export const INFO_LEVELS = ['Info', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency'] as const;

export function kernProof(ev: Pick<HostEvidence, 'host' | 'collection'>, kernel: KernelEvidence): KernProof {
  const { host } = ev;
  if (kernel.kernRows > 0) return { proven: true, by: 'row' };
  const period = (kernel.kernCoverage ?? 'P7D').replace(/^P(\d+)D$/, '$1 days').replace(/^PT?/, '');
  const byRow = kernel.syslogRows > 0
    ? `Syslog arrives from ${host.name}, but no facility kern row in the last ${period}: kernel messages are not proven collected`
    : `No Syslog facility kern rows from ${host.name} in the last ${period}`;
  const collection = ev.collection;
  if (host.kind !== 'vm' || !collection?.ok) return { proven: false, summary: byRow, hint: KERNEL_HINT };
  const rules = collection.value.rules;
  if (!rules.length) {
    return { proven: false, summary: `${byRow}, and no data collection rule is associated with ${host.name}`, hint: `${KERNEL_HINT} Associate one with the VM (az monitor data-collection rule association create --subscription ${shellWord(host.subscriptionId)} --resource ${shellWord(host.id)} --rule-id <rule id> --name tbmon-kern).` };
  }
  const toWorkspace = rules.filter((r) => r.readable && sendsSyslogTo(r, host.logAnalyticsWorkspaceId, host.facts.logAnalyticsResourceId));
  const proving = toWorkspace.find(collectsKern);
  if (proving && kernel.syslogRows > 0) return { proven: true, by: 'rule', rule: proving.name };
  if (proving) {
    return {
      proven: false, rule: proving.name,
      summary: `Data collection rule ${proving.name} collects kern from ${host.name}, but no Syslog row arrived from it in the window: the agent is not sending`,
      hint: `Check the Azure Monitor Agent on ${host.name} (az vm extension show ${azScope(host)} --vm-name ${shellWord(host.name)} --name AzureMonitorLinuxAgent) and its heartbeat in the workspace.`,
    };
  }
  const named = (toWorkspace.length ? toWorkspace : rules)[0];
  const where = toWorkspace.length ? '' : ` none of them sends Syslog to the workspace tbmon reads (${host.logAnalyticsWorkspaceId ?? 'none known'});`;
  return {
    proven: false, rule: named.name,
    summary: `${byRow}; ${rules.map(describe).join('; ')} —${where} not facility kern at Info or above`,
    hint: named.readable
      ? `Add facility kern at Info or above to data collection rule ${named.name}: ${addKernCommand(named, named.syslog[0]?.name ?? '', named.syslog[0]?.facilityNames ?? ['user'])}`
      : `Grant Reader on data collection rule ${named.id} so tbmon can see what it collects.`,
  };
}

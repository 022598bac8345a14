// One fix per coverage gap, at the level it is fixed, with the real names filled in: an `az` command to paste and,
// where a resource is created, a Bicep snippet. Pure: a function of the gap's key (shared/model.ts CoverageGapRef).
// Shapes: Microsoft.Insights/diagnosticSettings, Microsoft.Insights/dataCollectionRules and
// dataCollectionRuleAssociations, Microsoft.Network/networkWatchers/flowLogs (learn.microsoft.com/azure/templates).
import type { CoverageGap, CoverageGapRef } from '../model';
import { INFO_LEVELS, addKernCommand } from '../checks/resource/kern-proof';

export interface FixOptions {
  /** The tag that marks TensorBoard hosts (TBMON_HOST_TAG): the VM set a rule is associated with. */
  hostTag: string;
  /** One host the gap applies to. */
  example: string;
}

const segment = (id: string, after: string): string => {
  const parts = id.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === after.toLowerCase());
  return i >= 0 && parts[i + 1] ? parts[i + 1] : `<${after}>`;
};
const nameOf = (id: string) => id.split('/').pop() ?? id;
/** A Bicep-safe identifier part from a resource name. */
const ident = (s: string) => s.replace(/[^A-Za-z0-9]/g, '') || 'target';
/** A single-quoted Bicep string. */
const bq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A single-quoted shell word. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The counters tbmon's metrics query reads from Perf (ObjectName\CounterName, Linux Azure Monitor Agent). */
export const PERF_COUNTERS = ['\\Memory\\Available MBytes Memory', '\\Memory\\% Available Memory', '\\Logical Disk(*)\\% Free Space', '\\Processor(*)\\% Processor Time'];
/** The Syslog facilities tbmon reads: the launch log (user) and kernel messages (kern). */
export const SYSLOG_FACILITIES = ['user', 'kern'];

function levelFor(kind: CoverageGapRef['kind']): CoverageGap['level'] {
  switch (kind) {
    case 'diagnostic-setting': return 'ml-workspace';
    case 'data-collection-rule': return 'log-analytics-workspace';
    case 'rule-update': return 'data-collection-rule';
    case 'flow-logs': return 'virtual-network';
    case 'log-analytics-route': return 'resource-group';
    case 'reader-access': return 'subscription';
    case 'launcher': return 'host';
  }
}

export function gapLevel(kind: CoverageGapRef['kind']): CoverageGap['level'] {
  return levelFor(kind);
}

/** The subscription and resource group of an ARM id, as az flags. */
function azPlace(id: string): string {
  return `--subscription ${segment(id, 'subscriptions')} --resource-group ${segment(id, 'resourceGroups')}`;
}

/**
 * `LA=…` when the Log Analytics ARM id is unknown: looked up by its customer id in Resource Graph, which reads every
 * subscription you can read (not az's default one), then `SUB` and `RG` read from the id.
 */
function laLookup(customerId: string): string[] {
  const kql = `resources | where type =~ 'microsoft.operationalinsights/workspaces' and properties.customerId =~ '${customerId}' | project id`;
  return [
    `LA=$(az graph query -q ${sq(kql)} --query 'data[0].id' -o tsv)`,
    'SUB=$(cut -d/ -f3 <<<"$LA"); RG=$(cut -d/ -f5 <<<"$LA")',
  ];
}

/** The VMs tagged as TensorBoard hosts, in every subscription you can read (Resource Graph), one ARM id a line. */
function taggedVms(hostTag: string): string {
  const kql = `resources | where type =~ 'microsoft.compute/virtualmachines' and isnotnull(tags['${hostTag.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']) | project id`;
  return `az graph query -q ${sq(kql)} --first 1000 --query 'data[].id' -o tsv`;
}

function diagnosticSettingFix(mlWorkspaceId: string, w: Record<string, string>): CoverageGap['fix'] {
  const la = w.logAnalyticsResourceId ?? '<Log Analytics workspace ARM id>';
  const name = nameOf(mlWorkspaceId);
  return {
    summary: w.sendsTo
      ? `Send all metrics and the AmlComputeCpuGpuUtilization logs of ML workspace ${name} to Log Analytics workspace ${w.logAnalyticsResourceId ? nameOf(la) : w.sendsTo}: its clusters' memory, disk and CPU arrive as AzureMetrics`
      : `Create a diagnostic setting on ML workspace ${name} that sends its logs and metrics to a Log Analytics workspace: its computes' events and metrics arrive, and tbmon routes its hosts to that workspace`,
    command: `az monitor diagnostic-settings create ${azPlace(mlWorkspaceId)} --name tbmon-to-log-analytics --resource ${mlWorkspaceId} --workspace ${la} --logs ${sq('[{"categoryGroup":"allLogs","enabled":true}]')} --metrics ${sq('[{"category":"AllMetrics","enabled":true}]')}`,
    bicep: [
      `// resource group ${segment(mlWorkspaceId, 'resourceGroups')}`,
      `resource ${ident(name)} 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {`,
      `  name: ${bq(name)}`,
      '}',
      `resource ${ident(name)}Diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {`,
      "  name: 'tbmon-to-log-analytics'",
      `  scope: ${ident(name)}`,
      '  properties: {',
      `    workspaceId: ${bq(la)}`,
      "    logs: [ { categoryGroup: 'allLogs', enabled: true } ]",
      "    metrics: [ { category: 'AllMetrics', enabled: true } ]",
      '  }',
      '}',
    ].join('\n'),
  };
}

function dcrFix(customerId: string, w: Record<string, string>, o: FixOptions): CoverageGap['fix'] {
  const laId = w.logAnalyticsResourceId;
  const laName = laId ? nameOf(laId) : customerId.slice(0, 8);
  // Unknown, they are read from the workspace's id (laLookup): the rule is created beside the workspace.
  const rg = laId ? segment(laId, 'resourceGroups') : '"$RG"';
  const sub = laId ? segment(laId, 'subscriptions') : '"$SUB"';
  const ruleName = `tbmon-syslog-perf-${laName}`;
  const ruleId = laId ? `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Insights/dataCollectionRules/${ruleName}` : `"/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Insights/dataCollectionRules/${ruleName}"`;
  return {
    summary: `Create data collection rule ${ruleName} (Syslog ${SYSLOG_FACILITIES.join(' and ')} at Info or above, the memory, disk and CPU counters tbmon reads) to Log Analytics workspace ${laId ? laName : customerId}, and associate it with the VMs tagged ${o.hostTag}`,
    command: [
      ...(laId ? [] : laLookup(customerId)),
      `az deployment group create --subscription ${sub} --resource-group ${rg} --name ${ruleName} --template-file tbmon-dcr.bicep${laId ? '' : ' --parameters workspaceResourceId="$LA"'}`,
      // Each VM's id names its own subscription and resource group: the association is created under it.
      `for vm in $(${taggedVms(o.hostTag)}); do az monitor data-collection rule association create --name tbmon-syslog-perf --rule-id ${ruleId} --resource "$vm"; done`,
    ].join('\n'),
    bicep: [
      '// tbmon-dcr.bicep',
      `param workspaceResourceId string = ${bq(laId ?? '')}`,
      `resource ${ident(ruleName)} 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {`,
      `  name: ${bq(ruleName)}`,
      `  location: ${bq(w.location ?? 'eastus2')}`,
      "  kind: 'Linux'",
      '  properties: {',
      '    dataSources: {',
      `      syslog: [ { name: 'tbmonSyslog', streams: [ 'Microsoft-Syslog' ], facilityNames: [ ${SYSLOG_FACILITIES.map(bq).join(', ')} ], logLevels: [ ${INFO_LEVELS.map(bq).join(', ')} ] } ]`,
      `      performanceCounters: [ { name: 'tbmonPerf', streams: [ 'Microsoft-Perf' ], samplingFrequencyInSeconds: 60, counterSpecifiers: [ ${PERF_COUNTERS.map(bq).join(', ')} ] } ]`,
      '    }',
      "    destinations: { logAnalytics: [ { name: 'tbmonWorkspace', workspaceResourceId: workspaceResourceId } ] }",
      "    dataFlows: [ { streams: [ 'Microsoft-Syslog', 'Microsoft-Perf' ], destinations: [ 'tbmonWorkspace' ] } ]",
      '  }',
      '}',
    ].join('\n'),
  };
}

function ruleUpdateFix(ruleId: string, w: Record<string, string>): CoverageGap['fix'] {
  const facilities = (w.facilities ?? 'user').split(' ').filter(Boolean);
  return {
    summary: `Add facility kern at Info or above to the Syslog source of data collection rule ${nameOf(ruleId)} (it is associated with the hosts but does not collect kernel messages)`,
    command: addKernCommand({ id: ruleId }, w.source ?? 'sysLogsDataSource', facilities),
    bicep: [
      `// in data collection rule ${nameOf(ruleId)}: properties.dataSources.syslog`,
      `{ name: ${bq(w.source ?? 'sysLogsDataSource')}, streams: [ 'Microsoft-Syslog' ], facilityNames: [ ${[...new Set([...facilities.filter((f) => f !== '*'), 'kern'])].map(bq).join(', ')} ], logLevels: [ ${INFO_LEVELS.map(bq).join(', ')} ] }`,
    ].join('\n'),
  };
}

function flowLogsFix(vnetId: string, w: Record<string, string>): CoverageGap['fix'] {
  const vnet = nameOf(vnetId);
  const location = w.location ?? '<location>';
  const la = w.logAnalyticsResourceId ?? '<Log Analytics workspace ARM id>';
  return {
    summary: `Enable VNet flow logs with traffic analytics on virtual network ${vnet} into the Log Analytics workspace tbmon reads, so denied flows to the TensorBoard port show`,
    command: `az network watcher flow-log create --subscription ${segment(vnetId, 'subscriptions')} --location ${location} --resource-group NetworkWatcherRG --name tbmon-${vnet} --vnet ${vnetId} --storage-account <storage account ARM id in ${location}> --traffic-analytics true --workspace ${la} --interval 10`,
    bicep: [
      `resource ${ident(vnet)}FlowLog 'Microsoft.Network/networkWatchers/flowLogs@2024-05-01' = {`,
      `  name: ${bq(`NetworkWatcher_${location}/tbmon-${vnet}`)}`,
      `  location: ${bq(location)}`,
      '  properties: {',
      `    targetResourceId: ${bq(vnetId)}`,
      "    storageId: '<storage account ARM id>'",
      '    enabled: true',
      `    flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceResourceId: ${bq(la)}, trafficAnalyticsInterval: 10 } }`,
      '  }',
      '}',
    ].join('\n'),
  };
}

function launcherFix(kind: string, w: Record<string, string>, o: FixOptions): CoverageGap['fix'] {
  // The launcher reaches owners through tbmon itself (tbmon launcher, GET /api/launcher), not as a file of tbmon's repository.
  const get = 'tbmon launcher > tensorboard-launch.sh (or download it from /api/launcher of your tbmon app)';
  const start = 'nohup bash ./tensorboard-launch.sh --logdir ~/cloudfiles/code/logs --port 6006 &';
  if (kind === 'vm') {
    return {
      summary: `Start TensorBoard on the VMs with tbmon's launcher (e.g. on ${o.example}; get it with: ${get}): it logs under the syslog tag tensorboard with a heartbeat`,
      command: `az vm run-command invoke --subscription ${w.subscriptionId ?? '<subscription>'} --resource-group ${w.resourceGroup ?? '<resource group>'} --name ${o.example} --command-id RunShellScript --scripts ${sq('nohup bash /usr/local/bin/tensorboard-launch.sh --logdir /srv/tensorboard/logs --port 6006 >/dev/null 2>&1 &')}  # after copying the launcher (${get}) to /usr/local/bin`,
    };
  }
  return {
    summary: `Start TensorBoard on the ${kind === 'compute-cluster' ? 'cluster jobs' : 'compute instances'} with tbmon's launcher from a startup script (setupScripts.scripts.startupScript runs on every start; e.g. ${o.example}): ${start}`,
    command: `# ${get}; put it beside the startup script, then in it:\n${start}`,
  };
}

function routeFix(resourceGroupId: string, o: FixOptions): CoverageGap['fix'] {
  const rg = nameOf(resourceGroupId);
  const sub = segment(resourceGroupId, 'subscriptions');
  return {
    summary: `Tell tbmon which Log Analytics workspace holds the logs of the VMs in resource group ${rg}: the tag tbmon-log-analytics on each (or the setting TBMON_LOG_ANALYTICS_WORKSPACE_ID)`,
    command: `for vm in $(az vm list --subscription ${sub} --resource-group ${rg} --query ${sq(`[?tags.${o.hostTag}].id`)} -o tsv); do az tag update --subscription ${sub} --resource-id "$vm" --operation merge --tags tbmon-log-analytics=<Log Analytics workspace ARM id>; done`,
  };
}

function readerFix(subscriptionId: string): CoverageGap['fix'] {
  return {
    summary: `Grant tbmon's identity Reader on subscription ${nameOf(subscriptionId)}: its compute state and network resources could not be read`,
    command: `az role assignment create --subscription ${nameOf(subscriptionId)} --assignee <tbmon identity principal id> --role Reader --scope ${subscriptionId}`,
  };
}

export function fixFor(gap: CoverageGapRef, o: FixOptions): CoverageGap['fix'] {
  const w = gap.with ?? {};
  switch (gap.kind) {
    case 'diagnostic-setting': return diagnosticSettingFix(gap.target, w);
    case 'data-collection-rule': return dcrFix(gap.target, w, o);
    case 'rule-update': return ruleUpdateFix(gap.target, w);
    case 'flow-logs': return flowLogsFix(gap.target, w);
    case 'launcher': return launcherFix(gap.target, w, o);
    case 'log-analytics-route': return routeFix(gap.target, o);
    case 'reader-access': return readerFix(gap.target);
  }
}

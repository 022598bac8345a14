// The Resource Graph queries discovery sends. Two per subscription batch: the scope inventory (subscriptions, ML
// and Log Analytics workspaces, and per ML workspace how many computes Graph holds and whether their runtime fields
// are there), and the host candidates. Graph holds `type` lower-cased; everything compares with =~ / in~. Values
// from settings or users enter only as escaped literals (shared/kql.ts).
//
// The candidate filter is deliberately wider than the rules in identify.ts (it tests tag keys and the serialized
// customServices with `contains`, which is case-insensitive and matches substrings): identify.ts decides, the query
// only keeps the rows small. KQL used: let, union, where, extend, project, summarize count(), order by; =~, in~,
// contains, tostring, tolower, extract, iff, isnotempty, bag_keys.
import { kqlString } from '../kql';
import { COMPUTE_TYPE, DEFAULT_TENSORBOARD_PORT, VM_TYPE } from './identify';

export const ML_WORKSPACE_TYPE = 'microsoft.machinelearningservices/workspaces';
export const LOG_ANALYTICS_TYPE = 'microsoft.operationalinsights/workspaces';
export const SUBSCRIPTION_TYPE = 'microsoft.resources/subscriptions';

/**
 * One row per subscription (resourcecontainers), ML workspace and Log Analytics workspace (with its customer id),
 * plus `computeSummary` rows: per ML workspace (id = the workspace id lower-cased), the number of computes Graph
 * holds, split by `complete` — "no" for compute instances whose runtime `state` Graph lacks.
 */
export function scopeInventoryQuery(): string {
  const q = (s: string) => kqlString(s);
  return [
    'union',
    `(resourcecontainers | where type =~ ${q(SUBSCRIPTION_TYPE)} | project id, rowKind = 'subscription', subscriptionId, name),`,
    `(resources | where type in~ (${q(ML_WORKSPACE_TYPE)}, ${q(LOG_ANALYTICS_TYPE)})`,
    `  | project id, rowKind = iff(type =~ ${q(ML_WORKSPACE_TYPE)}, 'mlWorkspace', 'logAnalytics'), subscriptionId, name, location,`,
    '      customerId = tostring(properties.customerId)),',
    `(resources | where type =~ ${q(COMPUTE_TYPE)}`,
    `  | extend complete = iff(tostring(properties.computeType) =~ 'ComputeInstance', iff(isnotempty(tostring(properties.properties.state)), 'yes', 'no'), 'yes')`,
    `  | extend id = tolower(extract('^(.*)/computes/[^/]+$', 1, id))`,
    '  | summarize computes = count() by id, subscriptionId, complete',
    "  | extend rowKind = 'computeSummary')",
    '| order by id asc',
  ].join('\n');
}

export interface HostQueryOptions {
  hostTag: string;
  /** Only resources with this name (the on-demand check). */
  name?: string;
}

/**
 * Compute instances, clusters and VMs that may be TensorBoard hosts, with their raw `properties` and `tags` (the
 * same JSON ARM returns, so identify.ts reads both paths alike).
 */
export function hostCandidatesQuery(options: HostQueryOptions): string {
  const tag = kqlString(options.hostTag);
  return [
    `resources`,
    `| where type in~ (${kqlString(COMPUTE_TYPE)}, ${kqlString(VM_TYPE)})`,
    ...(options.name !== undefined ? [`| where name =~ ${kqlString(options.name)}`] : []),
    `| extend services = tostring(properties.properties.customServices)`,
    `| where tostring(bag_keys(tags)) contains ${tag}`,
    `    or (type =~ ${kqlString(COMPUTE_TYPE)} and tostring(properties.computeType) =~ 'ComputeInstance'`,
    `        and (services contains 'tensorboard' or services contains '${DEFAULT_TENSORBOARD_PORT}'))`,
    // Ordered by ML workspace (a compute's workspace id; a VM's own id), so discovery can route a workspace's hosts
    // to their Log Analytics workspace as soon as its rows have arrived, without holding the rest of the fleet.
    `| extend workspaceKey = tolower(iff(type =~ ${kqlString(COMPUTE_TYPE)}, extract('^(.*)/computes/[^/]+$', 1, id), id))`,
    '| project id, name, type, location, tags, properties, workspaceKey',
    '| order by workspaceKey asc, id asc',
  ].join('\n');
}

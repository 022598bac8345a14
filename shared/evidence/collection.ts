// What the Azure Monitor Agent is configured to collect from a batch's VMs: their data collection rules
// (Microsoft.Insights/dataCollectionRules — `dataSources.syslog[].facilityNames`/`logLevels`,
// `dataSources.performanceCounters[].counterSpecifiers`, `destinations.logAnalytics[]`, `dataFlows[]`) and the
// associations that tie a rule to a VM (Microsoft.Insights/dataCollectionRuleAssociations, extension resources with
// ids `{vm}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}`). Read in bulk, never per host:
// - batch mode: one Resource Graph query — Graph's table reference puts the associations in `insightresources` and
//   the rules in `resources` (learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources),
//   joined on the rule id and packed per rule; a rule the join could not see (another subscription) is one ARM GET;
// - on demand, or when Graph fails: per subscription of the VMs and of their Log Analytics workspaces one ARM list of
//   its rules, then per rule with a Syslog
//   or Perf data source one "Data Collection Rule Associations - List By Rule" (`{rule}/associations`), memoised per
//   sweep so the batches of a scan share them.
// Compute instances and clusters get no rules here (AzureML manages their agents): their kernel proof stays a row.
import { ArmError } from '../azure';
import { kqlDynamicList, kqlString } from '../kql';
import { type Gathered, type HostRecord, canonicalId } from '../model';
import { cached, type EvidenceContext } from './context';
import { arr, obj, type Json } from '../arm-json';

/** The rule API version (2023-03-11, GA): `destinations.logAnalytics[].workspaceId` is the customer id, read-only. */
export const DCR_API_VERSION = '2023-03-11';

export interface SyslogSource {
  name: string;
  streams: string[];
  facilityNames: string[];
  logLevels: string[];
}

export interface LogAnalyticsTarget {
  /** Customer id (lower-case) as ARM answers it (`workspaceId`), or null when absent. */
  customerId: string | null;
  /** ARM id (lower-case), or null. */
  resourceId: string | null;
}

/** One rule associated with the host, reduced to what tbmon reads. */
export interface CollectionRule {
  id: string;
  name: string;
  /** The association that ties it to the host. */
  association: string;
  /** False when the association names a rule that could not be read (then nothing else is known about it). */
  readable: boolean;
  reason?: string;
  syslog: SyslogSource[];
  counters: string[];
  /** Where each stream goes: `Microsoft-Syslog` / `Microsoft-Perf` → the Log Analytics workspaces of its data flows. */
  syslogTo: LogAnalyticsTarget[];
  perfTo: LogAnalyticsTarget[];
}

export interface CollectionEvidence {
  source: 'resourceGraph' | 'arm';
  rules: CollectionRule[];
}

const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');
const ASSOCIATIONS = '/providers/microsoft.insights/datacollectionruleassociations/';

/** The target resource of an association id (lower-case), or null. */
export function associationTarget(associationId: string): string | null {
  const i = canonicalId(associationId).indexOf(ASSOCIATIONS);
  return i > 0 ? canonicalId(associationId.slice(0, i)) : null;
}

/** A rule's properties reduced to its Syslog sources, counters and where each stream flows. */
export function readRule(id: string, name: string, association: string, properties: unknown): CollectionRule {
  const p = obj(properties);
  const sources = obj(p.dataSources);
  const destinations = new Map<string, LogAnalyticsTarget>();
  for (const d of arr(obj(p.destinations).logAnalytics)) {
    const dn = obj(d);
    if (typeof dn.name !== 'string') continue;
    destinations.set(dn.name, {
      customerId: typeof dn.workspaceId === 'string' && dn.workspaceId ? canonicalId(dn.workspaceId) : null,
      resourceId: typeof dn.workspaceResourceId === 'string' && dn.workspaceResourceId ? canonicalId(dn.workspaceResourceId) : null,
    });
  }
  const to = (stream: string): LogAnalyticsTarget[] => arr(p.dataFlows).flatMap((f) => {
    const flow = obj(f);
    if (!strs(flow.streams).some((s) => s.toLowerCase() === stream.toLowerCase())) return [];
    return strs(flow.destinations).flatMap((d) => destinations.get(d) ?? []);
  });
  return {
    id, name, association, readable: true,
    syslog: arr(sources.syslog).map((s) => {
      const src = obj(s);
      return { name: String(src.name ?? ''), streams: strs(src.streams), facilityNames: strs(src.facilityNames), logLevels: strs(src.logLevels) };
    }),
    counters: arr(sources.performanceCounters).flatMap((c) => strs(obj(c).counterSpecifiers)),
    syslogTo: to('Microsoft-Syslog'),
    perfTo: [...to('Microsoft-Perf'), ...to('Microsoft-InsightsMetrics')],
  };
}

function unreadableRule(id: string, association: string, reason: string): CollectionRule {
  return { id, name: id.split('/').pop() ?? id, association, readable: false, reason, syslog: [], counters: [], syslogTo: [], perfTo: [] };
}

/**
 * The one Resource Graph query for a batch's VMs: their associations (`insightresources`) joined with the rules they
 * name (`resources`), one row per rule with its targets packed — a page holds any number of VMs.
 */
export function collectionGraphQuery(vmIds: readonly string[]): string {
  return [
    'insightresources',
    '| where type == "microsoft.insights/datacollectionruleassociations"',
    `| extend TbTarget = tostring(split(tolower(id), ${kqlString(ASSOCIATIONS)})[0])`,
    `| where TbTarget in (${kqlDynamicList(vmIds.map(canonicalId))})`,
    '| extend TbRule = tolower(tostring(properties.dataCollectionRuleId))',
    '| join kind=leftouter (resources | where type == "microsoft.insights/datacollectionrules" | project TbRule = tolower(id), RuleId = id, RuleName = name, RuleProperties = properties) on TbRule',
    '| summarize Targets = make_list(bag_pack("target", TbTarget, "association", name)), RuleId = take_any(RuleId), RuleName = take_any(RuleName), RuleProperties = take_any(RuleProperties) by TbRule',
  ].join('\n');
}

interface RuleTargets {
  ruleId: string;
  targets: { target: string; association: string }[];
  rule: CollectionRule | null;
}

async function viaGraph(ctx: EvidenceContext, vms: HostRecord[]): Promise<RuleTargets[]> {
  const query = collectionGraphQuery(vms.map((h) => h.id));
  const subscriptions = [...new Set(vms.map((h) => h.subscriptionId))];
  const out: RuleTargets[] = [];
  let skipToken: string | undefined;
  do {
    const res = await ctx.azure.resourceGraph().resources(
      { query, subscriptions, options: { resultFormat: 'objectArray', top: 1000, ...(skipToken ? { skipToken } : {}) } },
      { abortSignal: ctx.abortSignal },
    );
    for (const r of arr(res.data)) {
      const row = obj(r);
      const ruleId = String(row.TbRule ?? '');
      if (!ruleId) continue;
      const targets = arr(typeof row.Targets === 'string' ? JSON.parse(row.Targets) : row.Targets).map((t) => ({ target: String(obj(t).target ?? ''), association: String(obj(t).association ?? '') }));
      const props = typeof row.RuleProperties === 'string' && row.RuleProperties ? JSON.parse(row.RuleProperties) : row.RuleProperties;
      const known = props && typeof props === 'object' && Object.keys(props as Json).length > 0;
      const id = typeof row.RuleId === 'string' && row.RuleId ? row.RuleId : ruleId;
      out.push({ ruleId, targets, rule: known ? readRule(id, String(row.RuleName ?? ruleId.split('/').pop()), '', props) : null });
    }
    skipToken = res.skipToken ?? undefined;
  } while (skipToken);
  // Rules outside the query's subscriptions: one ARM read each.
  for (const rt of out.filter((r) => !r.rule)) rt.rule = await readRuleFromArm(ctx, rt.ruleId);
  return out;
}

async function readRuleFromArm(ctx: EvidenceContext, ruleId: string): Promise<CollectionRule> {
  try {
    const rule = await ctx.azure.armGet<Json>(ruleId, DCR_API_VERSION, ctx.abortSignal);
    return readRule(String(rule?.id ?? ruleId), String(rule?.name ?? ruleId.split('/').pop()), '', rule?.properties);
  } catch (e) {
    const why = e instanceof ArmError ? `${e.statusCode} ${e.code}` : (e as Error).message;
    if (!(e instanceof ArmError && e.statusCode === 404)) ctx.errors.push({ scope: ruleId, code: e instanceof ArmError ? e.code : 'ArmReadFailed', message: `reading data collection rule ${ruleId} failed: ${why}` });
    return unreadableRule(ruleId, '', `the rule could not be read (${why})`);
  }
}

/** A subscription's rules that collect Syslog or Perf, each with its associations (cached per sweep). */
function subscriptionRules(ctx: EvidenceContext, subscriptionId: string): Promise<RuleTargets[]> {
  return cached(ctx, `collection:rules:${canonicalId(subscriptionId)}`, async () => {
    const rules: Json[] = [];
    for await (const page of ctx.azure.armListPages<Json>(`/subscriptions/${subscriptionId}/providers/Microsoft.Insights/dataCollectionRules`, DCR_API_VERSION, ctx.abortSignal)) rules.push(...page);
    const out: RuleTargets[] = [];
    for (const r of rules) {
      const id = String(r.id ?? '');
      const rule = readRule(id, String(r.name ?? ''), '', r.properties);
      if (!id || (!rule.syslog.length && !rule.counters.length)) continue;
      const targets: RuleTargets['targets'] = [];
      for await (const page of ctx.azure.armListPages<Json>(`${id}/associations`, DCR_API_VERSION, ctx.abortSignal)) {
        for (const a of page) {
          const target = associationTarget(String(a.id ?? ''));
          if (target) targets.push({ target, association: String(a.name ?? '') });
        }
      }
      out.push({ ruleId: canonicalId(id), targets, rule });
    }
    return out;
  });
}

/**
 * The ARM path reads the rules of the VMs' subscriptions and of their Log Analytics workspaces' (where rules usually
 * live); a rule kept in a third subscription is seen through Resource Graph only.
 */
async function viaArm(ctx: EvidenceContext, vms: HostRecord[]): Promise<RuleTargets[]> {
  const laSubs = vms.flatMap((h) => (h.facts.logAnalyticsResourceId ? [h.facts.logAnalyticsResourceId.split('/')[2] ?? ''] : []));
  const subs = [...new Set([...vms.map((h) => h.subscriptionId), ...laSubs].filter(Boolean).map(canonicalId))];
  return (await Promise.all(subs.map((s) => subscriptionRules(ctx, s)))).flat();
}

const NOT_A_VM = 'data collection rules are read for VMs; AzureML manages the agents of compute instances and clusters';

/** Per host: the rules associated with it (VMs), or why none could be read. */
export async function gatherCollectionRules(hosts: HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<CollectionEvidence>>> {
  const out = new Map<string, Gathered<CollectionEvidence>>();
  const vms = hosts.filter((h) => h.kind === 'vm');
  for (const h of hosts) if (h.kind !== 'vm') out.set(h.id, { ok: false, reason: NOT_A_VM });
  if (!vms.length) return out;
  let source: CollectionEvidence['source'] = 'arm';
  let found: RuleTargets[];
  try {
    if (ctx.mode === 'batch') {
      source = 'resourceGraph';
      try {
        found = await viaGraph(ctx, vms);
      } catch (e) {
        source = 'arm';
        ctx.errors.push({ scope: 'resourceGraph', code: 'CollectionQueryFailed', message: `the data collection rule query failed; reading from ARM instead: ${(e as Error).message}` });
        found = await viaArm(ctx, vms);
      }
    } else found = await viaArm(ctx, vms);
  } catch (e) {
    const why = e instanceof ArmError ? `${e.statusCode} ${e.code}: ${e.message}` : (e as Error).message;
    ctx.errors.push({ scope: 'dataCollectionRules', code: e instanceof ArmError ? e.code : 'CollectionReadFailed', message: `reading data collection rules failed: ${why}` });
    for (const h of vms) out.set(h.id, { ok: false, reason: `the data collection rules could not be read (${why})`, hint: 'Grant Reader (Microsoft.Insights/dataCollectionRules/read) on the subscriptions of the VMs and their rules.' });
    return out;
  }
  const byTarget = new Map<string, CollectionRule[]>();
  for (const rt of found) {
    for (const t of rt.targets) {
      const rule: CollectionRule = { ...(rt.rule ?? unreadableRule(rt.ruleId, '', 'the rule could not be read')), association: t.association };
      const list = byTarget.get(t.target) ?? [];
      list.push(rule);
      byTarget.set(t.target, list);
    }
  }
  for (const h of vms) out.set(h.id, { ok: true, value: { source, rules: byTarget.get(h.id) ?? [] } });
  return out;
}

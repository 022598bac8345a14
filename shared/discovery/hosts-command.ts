// `tbmon hosts`: what discovery finds, as JSON (schemas/hosts.v1.json: DESIGN.md § Running it) and as a terminal
// table. The CLI wires it (parses --scope/--format, prints, maps DiscoveryUsageError to exit 2).
import type { AzureContext } from '../azure';
import type { Scope, Settings } from '../config';
import { hostOf, requestsBetween, type Host, type RunError, type RunStats } from '../model';
import { discoverHosts, type DiscoveryProgress } from './discover';

export interface HostsJson {
  schemaVersion: 1;
  hosts: Host[];
  errors: RunError[];
  stats: RunStats;
}

export interface HostsCommandInput {
  azure: AzureContext;
  settings: Pick<Settings, 'scope' | 'hostTag' | 'ownerTags' | 'defaultLogAnalyticsWorkspaceId'>;
  now?: Date;
  /** `--scope`, already parsed with parseScope (overrides TBMON_SCOPE). */
  scope?: Scope;
  onProgress?: (p: DiscoveryProgress) => void;
}

export interface HostsCommandResult {
  json: HostsJson;
  table: string;
  /** 3 when part of the scope could not be read (the output is still complete for the rest), else 0. */
  exitCode: 0 | 3;
}

/** Column-aligned text; the last column is not padded. */
function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function renderHostsTable(out: HostsJson): string {
  const lines: string[] = [`tbmon: ${out.hosts.length} TensorBoard host${out.hosts.length === 1 ? '' : 's'}`];
  if (out.hosts.length) {
    const rows = [['NAME', 'KIND', 'PORT', 'LOCATION', 'SUBSCRIPTION', 'RESOURCE GROUP', 'WORKSPACE', 'LOG ANALYTICS', 'OWNERS']];
    for (const h of out.hosts) {
      rows.push([
        h.name, h.kind, h.port === h.publishedPort ? String(h.port) : `${h.publishedPort}→${h.port}`, h.location || '-', h.subscriptionId,
        h.resourceGroup, h.workspace ?? '-', h.logAnalyticsWorkspaceId ?? '-', h.owners.join(', ') || '-',
      ]);
    }
    lines.push('', columns(rows));
  }
  if (out.errors.length) {
    lines.push('', 'errors:');
    for (const e of out.errors) lines.push(`  ${e.scope}: ${e.code}: ${e.message}`);
  }
  const r = out.stats.requests;
  lines.push('', `${out.stats.durationMs} ms · requests: Resource Graph ${r.resourceGraph}, ARM ${r.arm}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Discovers the hosts of the scope and renders them both ways. Throws DiscoveryUsageError (exit 2) for a scope
 * that does not exist; other failures (authentication refused) propagate.
 */
export async function listHostsCommand(input: HostsCommandInput): Promise<HostsCommandResult> {
  const started = Date.now();
  const before = input.azure.counter.snapshot();
  const errors: RunError[] = [];
  const result = await discoverHosts(
    { azure: input.azure, settings: input.settings, errors, now: input.now ?? new Date() },
    { scope: input.scope, onProgress: input.onProgress },
  );
  const json: HostsJson = {
    schemaVersion: 1,
    hosts: result.hosts.map(hostOf),
    errors,
    stats: { durationMs: Date.now() - started, requests: requestsBetween(before, input.azure.counter.snapshot()) },
  };
  return { json, table: renderHostsTable(json), exitCode: result.complete ? 0 : 3 };
}

// `tbmon hosts`: what discovery finds, as JSON (schemas/hosts.v1.json: DESIGN.md § Running it) written host by host
// as discovery hands them on, or as a terminal table. The CLI wires it (parses --scope/--format, prints, maps DiscoveryUsageError to exit 2).
import type { AzureContext } from '../azure';
import type { Scope, Settings } from '../config';
import { hostOf, requestsBetween, type Host, type RunError, type RunStats } from '../model';
import { discoverInBatches, type DiscoveryProgress } from './discover';

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

/** Column-aligned text; the last column is not padded. */
function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** The table's cells of one host: all the table keeps of it. */
function hostRow(h: Host): string[] {
  return [
    h.name, h.kind, h.port === h.publishedPort ? String(h.port) : `${h.publishedPort}→${h.port}`, h.location || '-', h.subscriptionId,
    h.resourceGroup, h.workspace ?? '-', h.logAnalyticsWorkspaceId ?? '-', h.owners.join(', ') || '-',
  ];
}

function renderTable(rows: readonly string[][], errors: readonly RunError[], stats: RunStats): string {
  const lines: string[] = [`tbmon: ${rows.length} TensorBoard host${rows.length === 1 ? '' : 's'}`];
  if (rows.length) lines.push('', columns([['NAME', 'KIND', 'PORT', 'LOCATION', 'SUBSCRIPTION', 'RESOURCE GROUP', 'WORKSPACE', 'LOG ANALYTICS', 'OWNERS'], ...rows]));
  if (errors.length) {
    lines.push('', 'errors:');
    for (const e of errors) lines.push(`  ${e.scope}: ${e.code}: ${e.message}`);
  }
  const r = stats.requests;
  lines.push('', `${stats.durationMs} ms · requests: Resource Graph ${r.resourceGraph}, ARM ${r.arm}`);
  return `${lines.join('\n')}\n`;
}

interface HostsWriter {
  host(h: Host): void;
  end(errors: readonly RunError[], stats: RunStats): void;
}

const indented = (v: unknown, prefix: string) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${prefix}`);

/** `JSON.stringify(json, null, 2)`'s layout, written host by host (`hosts` first, then `errors` and `stats`). */
function jsonWriter(write: (chunk: string) => void): HostsWriter {
  let n = 0;
  const head = '{\n  "schemaVersion": 1,\n  "hosts": [';
  return {
    host(h) {
      write(`${n++ ? ',' : head}\n    ${indented(h, '    ')}`);
    },
    end(errors, stats) {
      write(`${n ? '\n  ' : head}],\n  "errors": ${indented(errors, '  ')},\n  "stats": ${indented(stats, '  ')}\n}\n`);
    },
  };
}

/** Keeps each host's cells only (column widths need every row before the first is printed). */
function tableWriter(write: (chunk: string) => void): HostsWriter {
  const rows: string[][] = [];
  return {
    host(h) {
      rows.push(hostRow(h));
    },
    end(errors, stats) {
      write(renderTable(rows, errors, stats));
    },
  };
}

/**
 * Discovers the hosts of the scope and writes them as `format`, batch by batch as discovery hands them on. Returns
 * 3 when part of the scope could not be read (the output is still complete for the rest), else 0. Throws
 * DiscoveryUsageError (exit 2) for a scope that does not exist; other failures (authentication refused) propagate.
 */
export async function listHostsCommand(input: HostsCommandInput, format: 'json' | 'table', write: (chunk: string) => void): Promise<0 | 3> {
  const started = Date.now();
  const before = input.azure.counter.snapshot();
  const errors: RunError[] = [];
  const writer = format === 'json' ? jsonWriter(write) : tableWriter(write);
  const result = await discoverInBatches(
    { azure: input.azure, settings: input.settings, errors, now: input.now ?? new Date() },
    { scope: input.scope, onProgress: input.onProgress },
    async (batch) => {
      for (const h of batch.hosts) writer.host(hostOf(h));
    },
  );
  writer.end(errors, { durationMs: Date.now() - started, requests: requestsBetween(before, input.azure.counter.snapshot()) });
  return result.complete ? 0 : 3;
}

// Report writers that take host reports one at a time, so a scan of any fleet holds one batch, not the fleet:
// - json: the report contract (schemas/report.v1.json), written as it goes — `hosts` streamed in the order they
//   were evaluated, then `summary`, `stats` and `errors` (known only at the end);
// - ndjson: one host report per line, then one line with what the JSON report has beside `hosts`;
// - table and html: keep only what they print (the table: the checks it shows, without evidence; html: each host's
//   rendered section), sorted failing first at the end as the one-shot renderers do.
import type { CheckResult, FleetCoverage, HostReport, HostStatus, Report, RunError, RunStats } from '../model';
import { renderHostHtml, renderReportHtmlSections } from './html';
import { renderTable, type TableOptions } from './table';
import { HOST_STATUS_ORDER, sortHostReports } from './build';

export interface ReportTail {
  errors: RunError[];
  stats: RunStats;
  /** The fleet coverage, accumulated host by host beside the writer (shared/coverage/fleet.ts). */
  coverage?: FleetCoverage;
}

export interface ReportWriter {
  host(report: HostReport): void;
  /** Writes what follows the hosts; returns the summary (the exit code reads it). */
  end(tail: ReportTail): Report['summary'];
}

class Summary {
  readonly counts: Report['summary'] = { hosts: 0, pass: 0, warn: 0, fail: 0, unknown: 0 };
  add(status: HostStatus): void {
    this.counts.hosts++;
    this.counts[status]++;
  }
}

function indented(value: unknown, prefix: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${prefix}`);
}

/** The report as `JSON.stringify(report, null, 2)` lays it out, written host by host. */
export function jsonReportWriter(write: (chunk: string) => void, generatedAt: Date): ReportWriter {
  const summary = new Summary();
  // The head goes out with the first host (or at the end): nothing is written before there is something to say.
  const head = `{\n  "schemaVersion": 1,\n  "generatedAt": ${JSON.stringify(generatedAt.toISOString())},\n  "hosts": [`;
  return {
    host(report) {
      write(`${summary.counts.hosts ? ',' : head}\n    ${indented(report, '    ')}`);
      summary.add(report.status);
    },
    end(tail) {
      const coverage = tail.coverage ? `,\n  "coverage": ${indented(tail.coverage, '  ')}` : '';
      write(`${summary.counts.hosts ? '\n  ' : head}],\n  "summary": ${indented(summary.counts, '  ')},\n  "stats": ${indented(tail.stats, '  ')},\n  "errors": ${indented(tail.errors, '  ')}${coverage}\n}\n`);
      return summary.counts;
    },
  };
}

/** One host report per line, then `{"schemaVersion":1,"generatedAt":…,"summary":…,"stats":…,"errors":…}`. */
export function ndjsonReportWriter(write: (chunk: string) => void, generatedAt: Date): ReportWriter {
  const summary = new Summary();
  return {
    host(report) {
      write(`${JSON.stringify(report)}\n`);
      summary.add(report.status);
    },
    end(tail) {
      write(`${JSON.stringify({ schemaVersion: 1, generatedAt: generatedAt.toISOString(), summary: summary.counts, stats: tail.stats, errors: tail.errors, ...(tail.coverage ? { coverage: tail.coverage } : {}) })}\n`);
      return summary.counts;
    },
  };
}

/** What the table prints of a check: no evidence, no notes. */
function printedCheck(k: CheckResult): CheckResult {
  const { evidence: _evidence, notes: _notes, ...printed } = k;
  return { ...printed, evidence: {} };
}

export function tableReportWriter(write: (chunk: string) => void, generatedAt: Date, opts: TableOptions = {}): ReportWriter {
  const summary = new Summary();
  const kept: HostReport[] = [];
  return {
    host(report) {
      summary.add(report.status);
      const shown = report.checks.filter((k) => opts.all || (k.status !== 'pass' && k.status !== 'skipped'));
      kept.push({ ...report, checks: shown.map(printedCheck) });
    },
    end(tail) {
      write(renderTable({ schemaVersion: 1, generatedAt: generatedAt.toISOString(), hosts: sortHostReports(kept), summary: summary.counts, ...tail }, opts));
      return summary.counts;
    },
  };
}

export function htmlReportWriter(write: (chunk: string) => void, generatedAt: Date): ReportWriter {
  const summary = new Summary();
  const sections: { status: HostStatus; name: string; id: string; html: string }[] = [];
  return {
    host(report) {
      summary.add(report.status);
      sections.push({ status: report.status, name: report.host.name, id: report.host.id, html: renderHostHtml(report) });
    },
    end(tail) {
      sections.sort((a, b) => HOST_STATUS_ORDER[a.status] - HOST_STATUS_ORDER[b.status] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      const only = sections.length === 1 ? { name: sections[0].name, status: sections[0].status } : null;
      write(renderReportHtmlSections({ generatedAt: generatedAt.toISOString(), summary: summary.counts, ...tail }, sections.map((s) => s.html), only));
      return summary.counts;
    },
  };
}

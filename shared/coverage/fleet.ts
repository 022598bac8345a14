// The fleet's coverage, accumulated host by host so a streaming scan holds only counts and one entry per gap (a gap
// is an ML workspace, a Log Analytics workspace, a rule, a virtual network, a resource group, a subscription or a host
// kind — never a list of hosts). "launch log seen from 12 of 40 hosts; kernel collection proven on 10 …", and per gap
// the one fix at the level it is fixed (shared/coverage/fixes.ts).
import { type CoverageFamily, type CoverageGap, type CoverageGapRef, type FleetCoverage, type HostReport, canonicalId } from '../model';
import { COVERAGE_FAMILIES } from './host';
import { fixFor, gapLevel } from './fixes';

interface GapEntry {
  ref: CoverageGapRef;
  families: Set<CoverageFamily>;
  hosts: number;
  example: string;
}

export class CoverageAccumulator {
  private readonly counts = new Map<CoverageFamily, { seen: number; missing: number; notApplicable: number }>(
    COVERAGE_FAMILIES.map((f) => [f, { seen: 0, missing: 0, notApplicable: 0 }]),
  );
  private readonly gaps = new Map<string, GapEntry>();
  private hosts = 0;

  constructor(private readonly options: { hostTag: string }) {}

  /** Adds one host report (one without `coverage`, stored before it existed, counts as a host and nothing else). */
  add(report: Pick<HostReport, 'host' | 'coverage'>): void {
    this.hosts++;
    const counted = new Set<string>();
    for (const f of report.coverage?.families ?? []) {
      const c = this.counts.get(f.family);
      if (!c) continue;
      if (f.state === 'seen') c.seen++;
      else if (f.state === 'missing') c.missing++;
      else c.notApplicable++;
      if (f.state !== 'missing' || !f.gap) continue;
      const key = `${f.gap.kind}|${canonicalId(f.gap.target)}`;
      let g = this.gaps.get(key);
      if (!g) this.gaps.set(key, (g = { ref: f.gap, families: new Set(), hosts: 0, example: report.host.name }));
      g.families.add(f.family);
      if (!counted.has(key)) {
        counted.add(key);
        g.hosts++;
      }
    }
  }

  result(): FleetCoverage {
    const gaps: CoverageGap[] = [...this.gaps.values()].map((g) => ({
      kind: g.ref.kind,
      level: gapLevel(g.ref.kind),
      target: g.ref.target,
      families: COVERAGE_FAMILIES.filter((f) => g.families.has(f)),
      hosts: g.hosts,
      example: g.example,
      fix: fixFor(g.ref, { hostTag: this.options.hostTag, example: g.example }),
    }));
    gaps.sort((a, b) => b.hosts - a.hosts || b.families.length - a.families.length || a.target.localeCompare(b.target));
    return {
      hosts: this.hosts,
      families: COVERAGE_FAMILIES.map((family) => ({ family, ...(this.counts.get(family) as { seen: number; missing: number; notApplicable: number }) })),
      gaps,
    };
  }
}

/** The fleet coverage of a list of host reports (a scan that holds them all; streaming writers use the accumulator). */
export function fleetCoverage(reports: Iterable<Pick<HostReport, 'host' | 'coverage'>>, options: { hostTag: string }): FleetCoverage {
  const acc = new CoverageAccumulator(options);
  for (const r of reports) acc.add(r);
  return acc.result();
}

// node scripts/bootstrap.js bench soak [-- --hosts N --sweeps N --seed N --fault-rate R]
// The fault soak at size (test/support/soak.ts): prints missing / duplicate / wrong-pass counts, poison messages
// and the share of requests each API answered with a fault. Measures; asserts nothing.
import { runSoak } from '../test/support/soak';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} must be a non-negative number`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const hosts = arg('hosts', 200);
  const sweeps = arg('sweeps', 10);
  const seed = arg('seed', 13);
  const faultRate = arg('fault-rate', 0.25);
  const t0 = performance.now();
  const r = await runSoak({ hosts, sweeps, seed, faultRate, log: (l) => console.error(l) });
  console.log(`fault soak: ${hosts} hosts, ${sweeps} sweeps, seed ${seed}, fault rate ${faultRate} per API, ${Math.round((performance.now() - t0) / 1000)} s`);
  for (const [api, f] of Object.entries(r.faults)) console.log(`  ${api.padEnd(14)} ${String(f.faulted).padStart(6)} / ${String(f.requests).padStart(6)} requests faulted (${f.requests ? ((100 * f.faulted) / f.requests).toFixed(1) : '0.0'} %)`);
  console.log(`  missing ${r.missing.length} · duplicate ${r.duplicate.length} · wrong pass ${r.wrongPass.length} · poison ${r.poison.count} (${r.poison.withoutReason} without a reason) · told ${r.told} · faulty sweeps that failed ${r.sweepsFailed}`);
  for (const line of [...r.missing, ...r.duplicate, ...r.wrongPass]) console.log(`    ${line}`);
  process.exit(0);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

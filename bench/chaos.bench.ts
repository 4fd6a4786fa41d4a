// The chaos run of local/stack/chaos.e2e.test.ts at a bigger size: the real `pmp start`, a
// recorded history replayed while service processes are SIGKILLed at random, the stack SIGKILLed,
// started again on its data dir, the replay re-run. Prints the figures and fails on a lost or
// doubled row.
// Run alone: npx tsx bench/chaos.bench.ts [snapshots] [kills] [seed]   (default 60 12 1)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runChaos } from '../local/stack/testing/chaos-run.js';

const SNAPSHOTS = Number(process.argv[2] ?? 60);
// Four services, at most four kills each: a fifth within a minute would make a crash loop (30 s waits).
const KILLS = Math.min(16, Number(process.argv[3] ?? 12));
const SEED = Number(process.argv[4] ?? 1);
const work = mkdtempSync(path.join(tmpdir(), 'pmp-chaos-bench-'));
try {
  const report = await runChaos({
    workDir: work,
    snapshots: SNAPSHOTS,
    kills: KILLS,
    seed: SEED,
    rate: 2,
    killsPerService: 4,
    onProgress: (line) => console.log(line),
  });
  const expected = {
    raw: SNAPSHOTS,
    rawDistinctSnapshots: SNAPSHOTS,
    curated: SNAPSHOTS * report.stations,
    curatedDistinct: SNAPSHOTS * report.stations,
    stationInformation: report.stations,
  };
  const perService = Object.entries(report.restarts).map(([name, n]) => `${name} ${n}`);
  console.log(`kills: ${report.kills.length}; restarts: ${perService.join(', ')}`);
  console.log(`rows when the stack was killed: ${JSON.stringify(report.rowsAtStackKill)}`);
  console.log(`rows at the end:   ${JSON.stringify(report.rows)}`);
  console.log(`rows expected:     ${JSON.stringify(expected)}`);
  console.log(
    `replays: ${report.firstReplay.published} published, then ${report.secondReplay.published} published and ${report.secondReplay.skipped} skipped; ${report.seconds.toFixed(1)} s`,
  );
  if (JSON.stringify(report.rows) !== JSON.stringify(expected)) {
    console.error('FAILED: rows lost or doubled');
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

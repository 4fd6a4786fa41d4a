import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos, type ChaosReport } from './testing/chaos-run.js';

// The real `pmp start` (a child process, as a person runs it) on a data dir: a recorded history
// replayed while service processes are SIGKILLed at random (seeded), then the stack itself
// SIGKILLed, started again on the same data dir and the replay re-run. The re-run skips what
// already landed (local/replay: raw table by event_ts); nothing may be lost or doubled.
// bench/chaos.bench.ts runs the same at a bigger size.

const SNAPSHOTS = 8;
const KILLS = 5;
const work = mkdtempSync(path.join(tmpdir(), 'pmp-chaos-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('chaos: services and then the whole stack killed during a replay', () => {
  let report: ChaosReport;

  it(`${SNAPSHOTS} snapshots, ${KILLS} service kills, one stack kill: every row once`, async () => {
    const phases: string[] = [];
    report = await runChaos({
      workDir: work,
      snapshots: SNAPSHOTS,
      kills: KILLS,
      seed: 7,
      onProgress: (line) => phases.push(line),
    });
    console.log(phases.join('\n'));
    console.log(
      `chaos: ${report.kills.length} kills (${report.kills.map((k) => k.service).join(', ')}), ` +
        `restarts ${JSON.stringify(report.restarts)}, replays published ` +
        `${report.firstReplay.published} then ${report.secondReplay.published} ` +
        `(skipped ${report.secondReplay.skipped}), rows at the stack kill ` +
        `${JSON.stringify(report.rowsAtStackKill)}, at the end ${JSON.stringify(report.rows)}, ` +
        `${report.seconds.toFixed(1)} s`,
    );

    // Every killed service came back, and counted each kill.
    expect(report.kills).toHaveLength(KILLS);
    for (const kill of report.kills) {
      const kills = report.kills.filter((k) => k.service === kill.service).length;
      expect(report.restarts[kill.service], kill.service).toBe(kills);
    }
    for (const c of report.componentsBeforeStackKill) {
      expect(c.status, c.name).toBe('running');
      expect(c.detail, c.name).toMatch(
        report.restarts[c.name]! > 0
          ? /^pid \d+; restarts \d, last: killed by SIGKILL$/
          : /^pid \d+$/,
      );
    }
    // The second stack: every service up, nothing restarted.
    const services = report.componentsAtEnd.filter((c) => c.kind === 'service');
    expect(services.length).toBeGreaterThanOrEqual(4);
    expect(services.every((c) => c.status === 'running' && c.restarts === 0)).toBe(true);

    // Nothing lost, nothing doubled.
    expect(report.firstReplay.published).toBe(SNAPSHOTS + 1);
    expect(report.rows).toEqual({
      raw: SNAPSHOTS,
      rawDistinctSnapshots: SNAPSHOTS,
      curated: SNAPSHOTS * report.stations,
      curatedDistinct: SNAPSHOTS * report.stations,
      stationInformation: report.stations,
    });
    expect(report.secondStackExitCode).toBe(0);
  }, 120_000);
});

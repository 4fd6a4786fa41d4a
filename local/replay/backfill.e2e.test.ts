import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataSamplePath } from '../../core/testing/fixtures.js';
import { runLocalDemo } from '../demo/index.js';
import { startLocalStack, type RunningStack } from '../stack/stack.js';
import { replayRecording, waitForDrain, type RecordingReplayOptions } from './index.js';

// A backfill as docs/local-stack.md describes it: `pmp start --no-collect` (no collection at
// start, scheduler paused), then `pmp replay DIR`, run again after an interruption. The stack runs
// at 60× so an unpaused every-minute job would fire every second.

const velib = path.resolve(import.meta.dirname, '../../../shared/data/velib');
const STATUS_TIME = 1760778556; // lastUpdatedOther of the real station_status.json
const STATIONS = 1495;
let stack: RunningStack;
let work: string;
let full: string;
let subset: string;

const count = async (sql: string) => {
  const [rows] = await stack.bigquery.query(sql);
  return Number((rows[0] as { n: number }).n);
};
const rawRows = () => count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw');
const curatedRows = () => count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status');
const drained = () =>
  waitForDrain(
    stack.emulators.pubsub!.adminUrl,
    ['pmp-events-dataflow-sub', 'pmp-events-to-bq-sub', 'pmp-velib-station-info-to-bq-sub'],
    60_000,
  );
const replay = (input: string, extra: Partial<RecordingReplayOptions> = {}) =>
  replayRecording({
    input,
    pubsub: stack.pubsub,
    bigquery: stack.bigquery,
    untilLanded: drained,
    ...extra,
  });
/** Whether every scheduler job (the collectors' and the data-quality run) is paused, or none. */
const schedulerStates = () => new Set(stack.scheduler!.status().map((j) => j.paused));
const ALL_PAUSED = new Set([true]);
const NONE_PAUSED = new Set([false]);
const demo = (verb: 'up' | 'down', schedulerOnly = false) =>
  runLocalDemo({ verb, controlUrl: stack.controlUrl, schedulerOnly, print: () => {} });

/** The real station_status with its feed clock moved by `minutes`. */
function statusAt(minutes: number): string {
  const text = readFileSync(path.join(velib, 'station_status.json'), 'utf8');
  return text.replace(
    `"lastUpdatedOther":${STATUS_TIME}`,
    `"lastUpdatedOther":${STATUS_TIME + minutes * 60}`,
  );
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pmp-backfill-'));
  full = path.join(work, 'full');
  subset = path.join(work, 'subset');
  mkdirSync(full);
  mkdirSync(subset);
  copyFileSync(
    path.join(velib, 'station_information.json'),
    path.join(full, 'station_information_2025-10-18T09-11-19Z.json'),
  );
  for (const minute of [0, 1, 2, 3]) {
    const name = `station_status_2025-10-18T09-${String(10 + minute).padStart(2, '0')}-00Z.json`;
    writeFileSync(path.join(full, name), statusAt(minute));
    if (minute < 2) writeFileSync(path.join(subset, name), statusAt(minute));
  }
  // No time in the name: the document's own lastUpdatedOther is the snapshot time.
  writeFileSync(path.join(full, 'station_status_saved.json'), statusAt(10));
  stack = await startLocalStack({
    dataDir: path.join(work, 'data'),
    speed: 60,
    dashboard: false,
    collectAtStart: false,
    schedulerPaused: true,
    ports: { pubsub: 0, pubsubAdmin: 0, bigquery: 0, simulator: 0, control: 0 },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a backfill that can be re-run', () => {
  it('pmp start --no-collect: nothing lands, the scheduler shows paused, the runner runs', async () => {
    // Three simulated minutes at 60×: an unpaused poll would have fired three times.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await rawRows()).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_information')).toBe(0);
    expect(schedulerStates()).toEqual(ALL_PAUSED);
    expect(stack.scheduler!.status().map((j) => j.name)).toEqual(
      expect.arrayContaining(['pmp-velib-poll-every-minute', 'pmp-velib-station-info-daily']),
    );
    expect(stack.scheduler!.status().every((j) => j.runs === 0)).toBe(true);
    const components = stack.components();
    const schedulerRows = components.filter((c) => c.kind === 'scheduler');
    expect(schedulerRows).toHaveLength(stack.scheduler!.status().length);
    expect(new Set(schedulerRows.map((c) => c.status))).toEqual(new Set(['paused']));
    expect(components.find((c) => c.name === 'pmp-velib-curated')?.status).toBe('running');
  });

  it('an interrupted replay (a subset landed) is completed by replaying the whole folder', async () => {
    const first = await replay(subset);
    expect(first).toMatchObject({ files: 2, published: 2, skipped: 0 });
    await drained();
    const second = await replay(full);
    expect(second).toMatchObject({ files: 6, published: 4, skipped: 2 });
    expect(second.byTopic).toEqual({ 'pmp-events': 3, 'pmp-velib-station-info': 1 });
    await drained();
    expect(await rawRows()).toBe(5);
    expect(await curatedRows()).toBe(5 * STATIONS);
  });

  it('a second replay publishes nothing and counts every snapshot as skipped', async () => {
    const again = await replay(full);
    expect(again).toMatchObject({ files: 6, published: 0, skipped: 6 });
    await drained();
    expect(await rawRows()).toBe(5);
    expect(
      await count(
        'SELECT COUNT(DISTINCT event_ts) AS n FROM pmp_curated.velib_station_information',
      ),
    ).toBe(1);
  });

  it('a file without a time in its name gets the time of its own document', async () => {
    const [rows] = await stack.bigquery.query(
      `SELECT ingest_ts, event_ts FROM pmp_raw.velib_station_status_raw WHERE event_ts = TIMESTAMP '2025-10-18T09:19:16Z'`,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] as { ingest_ts: { value: string }; event_ts: { value: string } };
    expect(new Date(row.ingest_ts.value).toISOString()).toBe('2025-10-18T09:19:16.000Z');
  });

  it('--force republishes what already landed', async () => {
    const forced = await replay(subset, { force: true });
    expect(forced).toMatchObject({ published: 2, skipped: 0 });
    await drained();
    expect(await rawRows()).toBe(7);
  });

  it('open-data exports: each file one snapshot, every record converted or reported, re-run skipped', async () => {
    const openData = path.join(work, 'opendata');
    mkdirSync(openData);
    for (const stamp of ['2025-10-18T10-00-00Z', '2025-10-18T10-01-00Z']) {
      copyFileSync(openDataSamplePath, path.join(openData, `velib-disponibilite_${stamp}.json`));
    }
    const stationsFile = path.join(velib, 'station_information.json');
    const options = { format: 'opendata', stationsFile, timeFromName: true } as const;
    const result = await replay(openData, options);
    expect(result).toMatchObject({ files: 2, published: 2, skipped: 0 });
    const report = result.openData!;
    expect(report.records).toBe(12);
    const unmatched = [...report.unmatched.values()].reduce((a, b) => a + b, 0);
    expect(report.converted + unmatched + report.rejected.length).toBe(report.records);
    expect(report).toMatchObject({ converted: 10, rejected: [], emptyFiles: [] });
    expect([...report.unmatched]).toEqual([['99901', 2]]);
    await drained();
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status WHERE event_ts >= TIMESTAMP '2025-10-18T10:00:00Z'`,
      ),
    ).toBe(10);
    expect(await replay(openData, options)).toMatchObject({ published: 0, skipped: 2 });
  });

  it('demo up|down --local --scheduler-only leave the runner alone; demo up resumes a --no-collect scheduler', async () => {
    expect(await demo('up', true)).toBe(0);
    expect(schedulerStates()).toEqual(NONE_PAUSED);
    expect(await demo('down', true)).toBe(0);
    expect(schedulerStates()).toEqual(ALL_PAUSED);
    expect(stack.runnerStats().paused).toBe(false);

    await demo('down');
    expect(stack.runnerStats().paused).toBe(true);
    expect(await demo('up')).toBe(0);
    expect(schedulerStates()).toEqual(NONE_PAUSED);
    expect(stack.runnerStats().paused).toBe(false);
    await expect(
      runLocalDemo({
        verb: 'collect',
        controlUrl: stack.controlUrl,
        schedulerOnly: true,
        print: () => {},
      }),
    ).rejects.toThrow(/--scheduler-only applies to up and down/);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../runtime/testing/eventually.js';
import { waitForDrain } from '../replay/index.js';
import { readStackState } from './state-file.js';
import { collectStackStatus, formatStackStatus } from './status.js';
import { localConfigWithFastRetry } from './testing/fast-retry-config.js';
import { startLocalStack, type RunningStack } from './stack.js';

// The whole local pipeline, as `npm start` runs it, on ephemeral ports: emulators, services as
// processes configured from clusters/local, reconcile, curated runner, scheduler at 120× on the
// simulator. One deliberate change to the rendered config: the station-info push subscription's
// retry backoff is 1 s instead of 10–600 s, so five failed deliveries fit in a test.

const SIMULATED_MINUTES = 30;
let stack: RunningStack;
let work: string;
let dataDir: string;

async function count(sql: string): Promise<number> {
  const [rows] = await stack.bigquery.query(sql);
  return Number((rows[0] as { n: number }).n);
}

const backlogOf = async (subscription: string) => {
  const status = stack.emulators.pubsub!.status();
  const sub = status.subscriptions.find((s) => s.name.endsWith(`/${subscription}`))!;
  return sub.backlog + sub.outstanding;
};

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pmp-stack-e2e-'));
  dataDir = path.join(work, 'data');
  const envDir = localConfigWithFastRetry(work, 'pmp-velib-station-info-to-bq-sub');
  stack = await startLocalStack({
    envDir,
    dataDir,
    speed: 120,
    start: new Date('2025-10-18T06:00:30Z'),
    dashboard: false,
    ports: { pubsub: 0, pubsubAdmin: 0, bigquery: 0, simulator: 0, control: 0 },
    serviceEnv: { 'pmp-velib-station-info-writer': { DLQ_TEST_ENABLED: 'true' } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm start: the whole pipeline on one machine', () => {
  it(`runs ${SIMULATED_MINUTES} simulated minutes: raw rows = snapshots, curated rows = stations, marts answer`, async () => {
    const poll = () =>
      stack.scheduler!.status().find((j) => j.name === 'pmp-velib-poll-every-minute')!;
    await eventually(
      async () => (poll().runs >= SIMULATED_MINUTES ? true : undefined),
      `${SIMULATED_MINUTES} scheduler runs`,
      60_000,
    );
    // Waits for the run in flight, so its snapshot is not published after the drain below.
    await stack.scheduler!.pause();
    await waitForDrain(
      stack.emulators.pubsub!.adminUrl,
      ['pmp-events-dataflow-sub', 'pmp-events-to-bq-sub'],
      60_000,
    );

    // pmp-events-sub is the 7-day audit subscription nobody reads: its backlog is every published snapshot.
    const snapshots = await backlogOf('pmp-events-sub');
    expect(snapshots).toBeGreaterThanOrEqual(SIMULATED_MINUTES - poll().failures - poll().skipped);
    expect(await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw')).toBe(
      snapshots,
    );

    const [raw] = await stack.bigquery
      .dataset('pmp_raw')
      .table('velib_station_status_raw')
      .getRows();
    const stations = raw.reduce((sum, row) => {
      const payload = (row as { payload: unknown }).payload;
      const doc = (typeof payload === 'string' ? JSON.parse(payload) : payload) as {
        data: { stations: unknown[] };
      };
      return sum + doc.data.stations.length;
    }, 0);
    expect(stations).toBeGreaterThan(snapshots * 1000);
    expect(await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status')).toBe(
      stations,
    );

    const perSnapshot = stations / snapshots;
    expect(await count('SELECT COUNT(*) AS n FROM pmp_marts.velib_latest_state')).toBe(perSnapshot);
    expect(await count('SELECT COUNT(*) AS n FROM pmp_marts.velib_latest_state_enriched')).toBe(
      perSnapshot,
    );
    expect(
      await count('SELECT COUNT(*) AS n FROM pmp_marts.velib_totals_hourly_paris'),
    ).toBeGreaterThan(0);

    const status = await collectStackStatus({ dataDir });
    expect(status.running).toBe(true);
    expect(status.tables['pmp_curated.velib_station_status']).toBe(stations);
    // A materialized view has no stored row count in the emulator: shown as such, not as 0 rows.
    expect(status.tables['pmp_marts.velib_snapshot_totals']).toBeNull();
    expect(formatStackStatus(status)).toMatch(
      /pmp_marts\.velib_snapshot_totals\s+materialized view, computed when read/,
    );
    expect(status.freshnessSeconds).not.toBeNull();
    expect(readStackState(dataDir)?.serviceUrls['pmp-bq-writer']).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+$/,
    );
  });

  it('a poison message lands in both DLQ tables and nowhere else', async () => {
    const rawBefore = await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw');
    await stack.pubsub
      .topic('pmp-events')
      .publishMessage({ data: Buffer.from('{"not": "an envelope"') });
    await waitForDrain(
      stack.emulators.pubsub!.adminUrl,
      ['pmp-events-dataflow-sub', 'pmp-events-to-bq-sub'],
      60_000,
    );
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM pmp_ops.velib_station_status_curated_dlq WHERE stage = 'parse_normalize'",
      ),
    ).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM pmp_ops.push_writer_dlq')).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw')).toBe(
      rawBefore,
    );
  });

  it('a failing writer dead-letters after 5 attempts; the replayer brings every message back once', async () => {
    const ids = ['drill-1', 'drill-2', 'drill-3'];
    const topic = stack.pubsub.topic('pmp-velib-station-info');
    for (const id of ids) {
      const envelope = {
        ingest_ts: '2025-10-18T06:10:00Z',
        event_ts: '2025-10-18T06:10:00Z',
        source: 'velib',
        event_type: 'station_information_snapshot',
        key: 'velib:station_information_snapshot',
        payload: {
          data: {
            stations: [
              { station_id: id, name: `Drill ${id}`, lat: 48.85, lon: 2.35, capacity: 10 },
            ],
          },
        },
      };
      await topic.publishMessage({
        data: Buffer.from(JSON.stringify(envelope)),
        attributes: { dlq_test: 'true' },
      });
    }
    await eventually(
      async () =>
        (await count('SELECT COUNT(*) AS n FROM pmp_ops.velib_station_info_push_dlq')) === 3
          ? true
          : undefined,
      'three dead letters in pmp_ops.velib_station_info_push_dlq',
      60_000,
    );
    expect(await backlogOf('pmp-velib-station-info-push-dlq-hold-sub')).toBe(3);
    const drillRows = `SELECT COUNT(*) AS n FROM pmp_curated.velib_station_information WHERE station_id LIKE 'drill-%'`;
    expect(await count(drillRows)).toBe(0);

    const job = await stack.runJob('pmp-station-info-dlq-replayer', { QPS: '0' });
    expect(job.code).toBe(0);
    await eventually(
      async () => ((await count(drillRows)) === 3 ? true : undefined),
      'the replayed rows',
      60_000,
    );
    await waitForDrain(
      stack.emulators.pubsub!.adminUrl,
      ['pmp-velib-station-info-to-bq-sub', 'pmp-velib-station-info-push-dlq-hold-sub'],
      30_000,
    );
    const [rows] = await stack.bigquery.query(
      `SELECT station_id, COUNT(*) AS n FROM pmp_curated.velib_station_information WHERE station_id LIKE 'drill-%' GROUP BY station_id ORDER BY station_id`,
    );
    expect(rows).toEqual(ids.map((station_id) => ({ station_id, n: 1 })));
  });
});

import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
} from '../../local/bigquery-emulator/index.js';
import { silentLogger } from '../../runtime/logger.js';
import { insertHistory, simulatedHistory } from '../../sql/testing/simulated-history.js';
import { createWarehouse, emulatorClient } from '../../sql/testing/warehouse.js';
import { readAssertions } from './assertions.js';
import { recordRun } from './results-table.js';
import { failedErrors, runAssertions, type QualityRun } from './run-assertions.js';

// A clean simulated day (every 30 minutes, every real station) as the pipeline writes it: curated
// rows and station information from the simulator through core, and one raw row per snapshot. The
// day ends a minute before `NOW`, so the feed is fresh. Each defect is injected with DML, checked,
// then removed, so every test starts from the clean day.
const EVERY_MINUTES = 30;
const SNAPSHOTS = 48;
const NOW = new Date(Date.UTC(2026, 2, 10, 12, 0, 0));
const START = new Date(NOW.getTime() - (SNAPSHOTS - 1) * EVERY_MINUTES * 60_000 - 80_000);

let emulator: BigQueryEmulator;
let bigquery: BigQuery;
/** A snapshot in the middle of the day, a station in it and that station's capacity. */
let snapshot: { ingestTs: string; eventTs: string };
let station: { id: string; capacity: number };

const assertions = readAssertions();
const run = (options: { now?: Date; collecting?: boolean } = {}) =>
  runAssertions({ bigquery, assertions, now: options.now ?? NOW, collecting: options.collecting });
const query = async (sql: string) => (await bigquery.query(sql))[0] as Record<string, unknown>[];
const failing = (result: QualityRun) =>
  result.results.filter((r) => r.status === 'failed').map((r) => r.name);
const resultOf = (result: QualityRun, name: string) => result.results.find((r) => r.name === name)!;

/** A curated row of `station` in `snapshot`, with the given counts (a second row for it). */
function curatedRow(values: Record<string, string | number | null>) {
  const row: Record<string, string | number | null> = {
    ingest_ts: snapshot.ingestTs,
    event_ts: snapshot.eventTs,
    station_id: station.id,
    station_code: null,
    is_installed: 1,
    is_renting: 1,
    is_returning: 1,
    last_reported_ts: snapshot.eventTs,
    num_bikes_available: 1,
    num_docks_available: 0,
    mechanical_available: 1,
    ebike_available: 0,
    raw_station_json: 'dq-defect',
    ...values,
  };
  const literal = (v: string | number | null, key: string) =>
    v === null
      ? 'NULL'
      : typeof v === 'number'
        ? String(v)
        : key.endsWith('_ts')
          ? `TIMESTAMP '${v}'`
          : `'${v}'`;
  return `INSERT INTO pmp_curated.velib_station_status (${Object.keys(row).join(', ')})
    VALUES (${Object.entries(row)
      .map(([k, v]) => literal(v, k))
      .join(', ')})`;
}

beforeAll(async () => {
  emulator = await startBigQueryEmulator({ port: 0, log: silentLogger() });
  bigquery = emulatorClient(emulator.url, 'dq-test');
  await createWarehouse(bigquery);
  const history = simulatedHistory({
    start: START,
    snapshots: SNAPSHOTS,
    everyMinutes: EVERY_MINUTES,
  });
  await insertHistory(bigquery, history);
  const snapshots = [...new Map(history.status.map((r) => [r.ingest_ts, r])).values()];
  await bigquery
    .dataset('pmp_raw')
    .table('velib_station_status_raw')
    .insert(
      snapshots.map((r, i) => ({
        ingest_ts: r.ingest_ts,
        event_ts: r.event_ts,
        source: 'velib',
        event_type: 'station_status_snapshot',
        key: 'velib:station_status_snapshot',
        message_id: `m${i}`,
        publish_time: r.ingest_ts,
      })),
    );
  const middle = snapshots[SNAPSHOTS / 2]!;
  snapshot = { ingestTs: middle.ingest_ts, eventTs: middle.event_ts ?? middle.ingest_ts };
  const info = history.information.find((i) => Number(i.capacity ?? 0) > 0)!;
  station = { id: info.station_id, capacity: Number(info.capacity) };
}, 240_000);

afterEach(async () => {
  await bigquery.query(
    `DELETE FROM pmp_curated.velib_station_status WHERE raw_station_json = 'dq-defect'`,
  );
  await bigquery.query(`DELETE FROM pmp_raw.velib_station_status_raw WHERE message_id LIKE 'dq-%'`);
  await bigquery.query(
    `DELETE FROM pmp_ops.velib_station_status_curated_dlq WHERE error_type = 'dq-defect'`,
  );
});

afterAll(async () => {
  await emulator?.close();
});

describe('a clean simulated day', () => {
  it('passes every assertion', async () => {
    const result = await run();
    expect(result.results.map((r) => [r.name, r.status, r.errorMessage])).toEqual(
      assertions.map((a) => [a.name, 'passed', null]),
    );
    expect(failedErrors(result)).toEqual([]);
  });

  it('is recorded in pmp_ops.data_quality_results, one row per assertion', async () => {
    const result = await run();
    expect(await recordRun(bigquery, result, 'cli')).toBe(assertions.length);
    const rows = await query(
      `SELECT assertion, passed, failing_rows, trigger FROM pmp_ops.data_quality_results
       WHERE run_id = '${result.runId}' ORDER BY assertion`,
    );
    expect(rows).toEqual(
      assertions.map((a) => ({ assertion: a.name, passed: true, failing_rows: 0, trigger: 'cli' })),
    );
  });
});

describe('each defect fails its assertion, naming the offending rows', () => {
  it('a duplicate raw snapshot', async () => {
    await bigquery.query(`INSERT INTO pmp_raw.velib_station_status_raw
      (ingest_ts, event_ts, source, event_type, message_id)
      VALUES (TIMESTAMP '${snapshot.ingestTs}', TIMESTAMP '${snapshot.eventTs}', 'velib',
        'station_status_snapshot', 'dq-duplicate')`);
    const result = await run();
    expect(failing(result)).toEqual(['raw_one_row_per_snapshot']);
    const found = resultOf(result, 'raw_one_row_per_snapshot');
    expect(found.failingRows).toBe(1);
    expect(found.sample[0]).toMatchObject({ copies: 2 });
    expect(String(found.sample[0]!.message_ids)).toContain('dq-duplicate');
    expect(Date.parse(String(found.sample[0]!.ingest_ts))).toBe(Date.parse(snapshot.ingestTs));
    expect(failedErrors(result).map((r) => r.name)).toEqual(['raw_one_row_per_snapshot']);
  });

  it('a de-duplicated view that no longer de-duplicates', async () => {
    const marts = bigquery.dataset('pmp_marts');
    const [original] = await marts.table('velib_station_status_dedup').getMetadata();
    await marts.table('velib_station_status_dedup').delete();
    await marts.createTable('velib_station_status_dedup', {
      view: {
        query:
          'SELECT *, COALESCE(event_ts, ingest_ts) AS snapshot_ts FROM pmp_curated.velib_station_status',
        useLegacySql: false,
      },
    });
    try {
      await bigquery.query(curatedRow({}));
      const result = await run();
      expect(failing(result)).toContain('curated_dedup_unique');
      expect(resultOf(result, 'curated_dedup_unique').sample).toEqual([
        expect.objectContaining({ station_id: station.id, copies: 2 }),
      ]);
    } finally {
      await marts.table('velib_station_status_dedup').delete();
      await marts.createTable('velib_station_status_dedup', {
        view: { query: (original.view as { query: string }).query, useLegacySql: false },
      });
    }
  });

  it('a blank station_id', async () => {
    await bigquery.query(curatedRow({ station_id: ' ', event_ts: '2026-03-10T00:00:00Z' }));
    const result = await run();
    expect(failing(result)).toContain('curated_keys_not_null');
    expect(resultOf(result, 'curated_keys_not_null').sample).toEqual([
      expect.objectContaining({ station_id: ' ' }),
    ]);
  });

  it('a flag outside 0/1', async () => {
    await bigquery.query(curatedRow({ is_renting: 2 }));
    const result = await run();
    expect(failing(result)).toEqual(['curated_flags_accepted_values']);
    expect(resultOf(result, 'curated_flags_accepted_values').sample).toEqual([
      expect.objectContaining({ station_id: station.id, is_renting: 2 }),
    ]);
  });

  it('a negative count', async () => {
    await bigquery.query(
      curatedRow({ num_bikes_available: -1, mechanical_available: null, ebike_available: null }),
    );
    const result = await run();
    expect(failing(result)).toEqual(['curated_counts_not_negative']);
    expect(resultOf(result, 'curated_counts_not_negative').sample).toEqual([
      expect.objectContaining({ station_id: station.id, num_bikes_available: -1 }),
    ]);
  });

  it('bike types that do not add up', async () => {
    await bigquery.query(
      curatedRow({ num_bikes_available: 5, mechanical_available: 3, ebike_available: 3 }),
    );
    const result = await run();
    expect(failing(result)).toEqual(['curated_bike_types_add_up']);
    expect(resultOf(result, 'curated_bike_types_add_up').sample).toEqual([
      expect.objectContaining({ station_id: station.id, num_bikes_available: 5 }),
    ]);
  });

  it('more bikes and docks than the station holds (a warning)', async () => {
    const bikes = station.capacity * 2 + 5;
    await bigquery.query(curatedRow({ num_bikes_available: bikes, mechanical_available: bikes }));
    const result = await run();
    expect(failing(result)).toEqual(['curated_within_capacity']);
    expect(resultOf(result, 'curated_within_capacity').sample).toEqual([
      expect.objectContaining({ station_id: station.id, capacity: station.capacity }),
    ]);
    // A warning does not fail the run.
    expect(failedErrors(result)).toEqual([]);
  });

  it('a station missing from station information (a warning)', async () => {
    await bigquery.query(curatedRow({ station_id: 'dq-ghost' }));
    const result = await run();
    expect(failing(result)).toEqual(['curated_station_known']);
    expect(resultOf(result, 'curated_station_known').sample).toEqual([
      expect.objectContaining({ station_id: 'dq-ghost', rows_in_window: 1 }),
    ]);
  });

  it('a missing raw row (curated without raw)', async () => {
    const [saved] = await bigquery
      .dataset('pmp_raw')
      .table('velib_station_status_raw')
      .query(
        `SELECT message_id FROM pmp_raw.velib_station_status_raw WHERE ingest_ts = TIMESTAMP '${snapshot.ingestTs}'`,
      );
    await bigquery.query(
      `UPDATE pmp_raw.velib_station_status_raw SET ingest_ts = TIMESTAMP '2000-01-01 00:00:00+00',
         message_id = 'dq-moved-${(saved[0] as { message_id: string }).message_id}'
       WHERE ingest_ts = TIMESTAMP '${snapshot.ingestTs}'`,
    );
    try {
      const result = await run();
      expect(failing(result)).toEqual(['curated_snapshot_has_raw']);
      const found = resultOf(result, 'curated_snapshot_has_raw');
      expect(Date.parse(String(found.sample[0]!.ingest_ts))).toBe(Date.parse(snapshot.ingestTs));
      expect(Number(found.sample[0]!.curated_rows)).toBeGreaterThan(1000);
    } finally {
      await bigquery.query(
        `UPDATE pmp_raw.velib_station_status_raw SET ingest_ts = TIMESTAMP '${snapshot.ingestTs}',
           message_id = SUBSTR(message_id, LENGTH('dq-moved-') + 1)
         WHERE message_id LIKE 'dq-moved-%'`,
      );
    }
  });

  it('a raw snapshot that never reached curated, unless a dead letter names it', async () => {
    await bigquery.query(`INSERT INTO pmp_raw.velib_station_status_raw
      (ingest_ts, event_ts, source, event_type, message_id)
      VALUES (TIMESTAMP '2026-03-10 06:05:20+00', TIMESTAMP '2026-03-10 06:05:00+00', 'velib',
        'station_status_snapshot', 'dq-orphan')`);
    const result = await run();
    expect(failing(result)).toEqual(['raw_snapshot_has_curated']);
    expect(resultOf(result, 'raw_snapshot_has_curated').sample).toEqual([
      expect.objectContaining({ message_id: 'dq-orphan' }),
    ]);
    await bigquery.query(`INSERT INTO pmp_ops.velib_station_status_curated_dlq
      (dlq_ts, stage, error_type, event_meta)
      VALUES (TIMESTAMP '2026-03-10 06:05:30+00', 'snapshot_to_station_rows', 'dq-defect',
        JSON '{"message_id": "dq-orphan"}')`);
    expect(failing(await run())).toEqual([]);
  });

  it('a stale feed, unless nothing is being collected', async () => {
    const later = new Date(NOW.getTime() + 60 * 60_000);
    const result = await run({ now: later });
    expect(failing(result)).toEqual(['curated_fresh']);
    expect(resultOf(result, 'curated_fresh').sample).toEqual([
      expect.objectContaining({ minutes_old: 61 }),
    ]);
    const paused = await run({ now: later, collecting: false });
    expect(resultOf(paused, 'curated_fresh').status).toBe('skipped');
    expect(failing(paused)).toEqual([]);
  });

  it('a burst of dead letters (a warning)', async () => {
    await bigquery.query(`INSERT INTO pmp_ops.velib_station_status_curated_dlq
      (dlq_ts, stage, error_type)
      SELECT TIMESTAMP_SUB(TIMESTAMP '2026-03-10 11:00:00+00', INTERVAL n MINUTE),
        'parse_normalize', 'dq-defect'
      FROM UNNEST(GENERATE_ARRAY(1, 120)) AS n`);
    const result = await run();
    expect(failing(result)).toEqual(['dlq_growth']);
    expect(resultOf(result, 'dlq_growth').sample).toEqual([
      { dlq: 'curated', dead_letters_24h: 120 },
    ]);
  });

  it('a query that cannot run fails as its severity, with the reason', async () => {
    const result = await runAssertions({
      bigquery,
      assertions: [
        {
          name: 'broken',
          severity: 'error',
          description: 'x',
          needsCollecting: false,
          query: 'SELECT * FROM pmp_raw.nope',
        },
      ],
      now: NOW,
    });
    expect(result.results[0]).toMatchObject({ status: 'failed', failingRows: null });
    expect(result.results[0]!.errorMessage).toMatch(/nope/);
    expect(failedErrors(result)).toHaveLength(1);
  });
});

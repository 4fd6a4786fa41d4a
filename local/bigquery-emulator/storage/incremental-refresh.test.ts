import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationStatusCuratedTable } from '../../../core/warehouse/index.js';
import { translate } from '../sql/index.js';
import {
  appendWatermark,
  planIncrementalRefresh,
  refreshIncrementally,
  type IncrementalPlan,
} from './incremental-refresh.js';

// The incremental refresh checked against a full recompute, row for row, on a real DuckDB laid
// out like the emulator's: the marts of sql/ over the curated table, plus shapes that must not
// get a plan.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BASE = '"p__pmp_curated"."velib_station_status"';
const resolver = {
  resolve: (ref: { datasetId?: string; tableId: string }) =>
    `"p__${ref.datasetId ?? 'pmp_curated'}"."${ref.tableId}"`,
};
const translated = (bigQuerySql: string) =>
  translate(bigQuerySql, { defaultProjectId: 'p', resolver }).sql;
const mart = (name: string) =>
  translated(readFileSync(path.join(repoRoot, 'sql', `${name}.sql`), 'utf8'));

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(`SET TimeZone = 'UTC'`);
  await connection.run(`CREATE SCHEMA p__pmp_curated`);
  await connection.run(`CREATE SCHEMA p__pmp_marts`);
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function rows(sql: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader
    .getRows()
    .map((row) => JSON.stringify(row.map((value) => String(value))))
    .sort();
}

async function resetBase(): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${BASE}`);
  // The curated table's columns, in order, as the emulator lays them out.
  await connection.run(
    `CREATE TABLE ${BASE} (ingest_ts TIMESTAMPTZ NOT NULL, event_ts TIMESTAMPTZ, station_id VARCHAR NOT NULL, station_code VARCHAR, is_installed BIGINT, is_renting BIGINT, is_returning BIGINT, last_reported_ts TIMESTAMPTZ, num_bikes_available BIGINT, num_docks_available BIGINT, mechanical_available BIGINT, ebike_available BIGINT, raw_station_json VARCHAR)`,
  );
  expect((await rows(`DESCRIBE ${BASE}`)).length).toBe(stationStatusCuratedTable.fields.length);
}

interface StatusRow {
  station: number;
  minute: number;
  ingestDelaySeconds: number;
  eventMissing: boolean;
  bikes: number;
  docks: number;
  renting: number;
}

/** One station's row with unremarkable defaults. */
const statusRowWith = (changes: Partial<StatusRow>): StatusRow => ({
  station: 1,
  minute: 1,
  ingestDelaySeconds: 0,
  eventMissing: false,
  bikes: 1,
  docks: 1,
  renting: 1,
  ...changes,
});

async function append(batch: readonly StatusRow[]): Promise<void> {
  if (batch.length === 0) return;
  const values = batch.map((r) => {
    const eventTs = `TIMESTAMPTZ '2025-10-26 00:00:00+00' + INTERVAL ${r.minute * 60} SECOND`;
    const ingestTs = `${eventTs} + INTERVAL ${r.ingestDelaySeconds} SECOND`;
    return `(${ingestTs}, ${r.eventMissing ? 'NULL' : eventTs}, 's${r.station}', 'c${r.station}', 1, ${r.renting}, 1, NULL, ${r.bikes}, ${r.docks}, ${Math.min(r.bikes, 1)}, ${r.bikes - Math.min(r.bikes, 1)}, NULL)`;
  });
  await connection.run(`INSERT INTO ${BASE} VALUES ${values.join(', ')}`);
}

// Few stations and minutes spread over a few hours, so batches collide with stored groups:
// duplicates of (station, snapshot) pairs, late rows for older snapshots, rows with no event_ts.
const statusRow = fc.record({
  station: fc.integer({ min: 1, max: 4 }),
  minute: fc.integer({ min: 0, max: 200 }),
  ingestDelaySeconds: fc.integer({ min: 0, max: 120 }),
  eventMissing: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  bikes: fc.integer({ min: 0, max: 3 }),
  docks: fc.integer({ min: 0, max: 2 }),
  renting: fc.integer({ min: 0, max: 1 }),
});

/** Stores `query` as view `name`, appends each batch, refreshes incrementally, compares. */
async function checkAgainstFullRecompute(
  name: string,
  query: string,
  initial: readonly StatusRow[],
  batches: readonly (readonly StatusRow[])[],
): Promise<(readonly number[])[]> {
  await resetBase();
  await append(initial);
  const view = `"p__pmp_marts"."${name}"`;
  await connection.run(`CREATE OR REPLACE TABLE ${view} AS ${query}`);
  const plan = (await planIncrementalRefresh(connection, query)) as IncrementalPlan;
  expect(plan, name).toBeDefined();
  let watermark = (await appendWatermark(connection, plan)) as bigint;
  const keysUsed: (readonly number[])[] = [];
  for (const batch of batches) {
    await append(batch);
    const refreshed = (await refreshIncrementally(connection, plan, view, watermark))!;
    watermark = refreshed.watermark;
    keysUsed.push(refreshed.keys);
    expect(watermark).toBe(BigInt((await rows(`SELECT 1 FROM ${BASE}`)).length));
    expect(await rows(`SELECT * FROM ${view}`)).toEqual(await rows(query));
  }
  return keysUsed;
}

describe('incremental refresh', () => {
  it('finds a plan for both materialized marts, keyed as the rows arrive', async () => {
    await resetBase();
    const totals = await planIncrementalRefresh(connection, mart('velib_snapshot_totals'));
    expect(totals?.selections.map((s) => s.viewKeyColumns)).toEqual([['"snapshot_ts"']]);
    const streaks = await planIncrementalRefresh(connection, mart('velib_station_streak_hours'));
    expect(streaks?.selections.map((s) => s.viewKeyColumns)).toEqual([
      ['"station_id"', '"hour_index"'],
      ['"station_id"'],
      ['"hour_index"'],
    ]);
    // The hour is a time bucket: its selections also bound the snapshot time itself.
    expect(streaks?.selections.map((s) => s.recomputeSql.ranged?.widthMicros)).toEqual([
      3_600_000_000n,
      undefined,
      3_600_000_000n,
    ]);
    expect(totals?.selections[0]?.recomputeSql.ranged).toBeUndefined();
  });

  it.each([
    ['the per-snapshot totals', 'velib_snapshot_totals'],
    ['the per-station hourly streak pieces', 'velib_station_streak_hours'],
  ])('gives %s a full recompute would, batch after batch', async (_, martName) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(statusRow, { maxLength: 40 }),
        fc.array(fc.array(statusRow, { maxLength: 15 }), { minLength: 1, maxLength: 4 }),
        async (initial, batches) => {
          await checkAgainstFullRecompute(martName, mart(martName), initial, batches);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('picks the streak groups by hour alone for a new snapshot, by station and hour for one row', async () => {
    const at = (station: number, minute: number) =>
      statusRowWith({ station, minute, ingestDelaySeconds: 20, bikes: station % 2 });
    const snapshot = (minute: number) => [1, 2, 3, 4].map((station) => at(station, minute));
    const keysUsed = await checkAgainstFullRecompute(
      'hours',
      mart('velib_station_streak_hours'),
      [...snapshot(0), ...snapshot(70)],
      [snapshot(71), [at(2, 5)], [at(1, 72), at(1, 140)]],
    );
    // Filter keys: 0 = station_id, 1 = hour_index.
    expect(keysUsed).toEqual([[1], [0, 1], [0]]);
  });

  it('handles NULL group keys and a view over the base table itself', async () => {
    const query = translated(
      'SELECT event_ts, COUNT(*) AS n, SUM(num_bikes_available) AS bikes FROM pmp_curated.velib_station_status GROUP BY event_ts HAVING COUNT(*) < 3',
    );
    const row = (minute: number, eventMissing: boolean) =>
      statusRowWith({ minute, eventMissing, ingestDelaySeconds: 5, bikes: 2 });
    await checkAgainstFullRecompute(
      'by_event',
      query,
      [row(1, false), row(2, true)],
      [[row(2, true)], [row(1, false), row(3, false)], [row(1, false), row(2, true)]],
    );
  });

  it('reports new rows only: a write to another table leaves the watermark', async () => {
    await resetBase();
    await append([statusRowWith({})]);
    const query = mart('velib_snapshot_totals');
    await connection.run(`CREATE OR REPLACE TABLE p__pmp_marts.same AS ${query}`);
    const plan = (await planIncrementalRefresh(connection, query))!;
    const watermark = (await appendWatermark(connection, plan))!;
    await connection.run(`CREATE OR REPLACE TABLE p__pmp_curated.other AS SELECT 1 AS n`);
    await connection.run(`INSERT INTO p__pmp_curated.other VALUES (2)`);
    expect(await refreshIncrementally(connection, plan, 'p__pmp_marts.same', watermark)).toEqual({
      watermark,
      keys: [],
    });
  });

  it('refuses the delta once rows were deleted (row ids no longer dense)', async () => {
    await resetBase();
    await append([1, 2, 3].map((minute) => statusRowWith({ minute })));
    const plan = (await planIncrementalRefresh(connection, mart('velib_snapshot_totals')))!;
    await connection.run(
      `DELETE FROM ${BASE} WHERE event_ts = (SELECT MIN(event_ts) FROM ${BASE})`,
    );
    expect(await appendWatermark(connection, plan)).toBeUndefined();
    expect(await refreshIncrementally(connection, plan, 'p__pmp_marts.same', 1n)).toBeUndefined();
  });

  it('finds no plan for shapes it cannot prove', async () => {
    await resetBase();
    const refused = [
      // No GROUP BY: one global group.
      'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status',
      // Window not partitioned by the group key.
      'SELECT snapshot_ts, COUNT(*) AS n FROM (SELECT COALESCE(event_ts, ingest_ts) AS snapshot_ts, ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY ingest_ts) AS r FROM pmp_curated.velib_station_status) WHERE r = 1 GROUP BY snapshot_ts',
      // Group key not among the view's columns.
      'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status GROUP BY station_id',
      // A join, a CTE, a LIMIT.
      'SELECT a.station_id, COUNT(*) AS n FROM pmp_curated.velib_station_status AS a JOIN pmp_curated.velib_station_status AS b USING (station_id) GROUP BY a.station_id',
      'WITH t AS (SELECT * FROM pmp_curated.velib_station_status) SELECT station_id, COUNT(*) AS n FROM t GROUP BY station_id',
      'SELECT station_id, COUNT(*) AS n FROM pmp_curated.velib_station_status GROUP BY station_id LIMIT 3',
      // A volatile function, an aggregate inside the subquery, a subquery in the select list.
      'SELECT station_id, MAX(RAND()) AS r FROM pmp_curated.velib_station_status GROUP BY station_id',
      'SELECT station_id, COUNT(*) AS n FROM (SELECT station_id, COUNT(*) OVER () AS k, MAX(ingest_ts) AS m FROM pmp_curated.velib_station_status GROUP BY station_id) GROUP BY station_id',
      'SELECT station_id, (SELECT 1) AS one FROM pmp_curated.velib_station_status GROUP BY station_id',
      // A key that is an output of a window.
      'SELECT r, COUNT(*) AS n FROM (SELECT ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY ingest_ts) AS r FROM pmp_curated.velib_station_status) GROUP BY r',
    ];
    for (const sql of refused) {
      expect(await planIncrementalRefresh(connection, translated(sql)), sql).toBeUndefined();
    }
  });
});

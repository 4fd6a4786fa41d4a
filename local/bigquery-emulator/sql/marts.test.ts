// The marts' constructs end to end: BigQuery view definitions in the style of the original
// project's dbt marts, translated, created as DuckDB views and queried over hand-made rows that
// straddle both Europe/Paris DST changes of 2024.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from '../testing/duckdb-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await h.table(
    'velib_station_status',
    `ingest_ts TIMESTAMPTZ, event_ts TIMESTAMPTZ, station_id VARCHAR, num_bikes_available BIGINT,
     num_docks_available BIGINT, mechanical_available BIGINT, ebike_available BIGINT`,
    `-- autumn: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET (the repeated hour)
     ('2024-10-27 00:31:00+00', '2024-10-27 00:30:00+00', '1', 0, 10, 0, 0),
     ('2024-10-27 00:31:00+00', '2024-10-27 00:30:00+00', '2', 5, 5, 3, 2),
     ('2024-10-27 01:31:00+00', '2024-10-27 01:30:00+00', '1', 2, 8, 1, 1),
     ('2024-10-27 01:31:00+00', '2024-10-27 01:30:00+00', '2', 7, 3, 7, 0),
     ('2024-10-27 01:46:00+00', NULL, '1', 4, 6, 4, 0),
     -- spring: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST (02:xx never happens)
     ('2024-03-31 00:31:00+00', '2024-03-31 00:30:00+00', '1', 1, 9, 1, 0),
     ('2024-03-31 01:31:00+00', '2024-03-31 01:30:00+00', '1', 3, 7, 3, 0)`,
    'pmp_curated',
  );
  await h.table(
    'velib_station_information',
    'ingest_ts TIMESTAMPTZ, event_ts TIMESTAMPTZ, station_id VARCHAR, name VARCHAR, capacity BIGINT',
    `('2024-10-01 00:00:00+00', '2024-10-01 00:00:00+00', '1', 'Old name', 20),
     ('2024-10-02 00:00:00+00', '2024-10-02 00:00:00+00', '1', 'Châtelet', 20),
     ('2024-10-02 00:00:00+00', '2024-10-02 00:00:00+00', '2', 'Bastille', 15),
     ('2024-10-02 00:00:00+00', '2024-10-02 00:00:00+00', '3', 'Nation', 30)`,
    'pmp_curated',
  );
  await h.duck('CREATE SCHEMA "proj__pmp_marts"');
});

afterAll(() => h.close());

describe('marts', () => {
  it('velib_latest_state: one row per station via SELECT * EXCEPT(rn) over ROW_NUMBER()', async () => {
    await h.query(`
      CREATE OR REPLACE VIEW \`proj.pmp_marts.velib_latest_state\` AS
      SELECT * EXCEPT(rn)
      FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY event_ts DESC, ingest_ts DESC) AS rn
        FROM \`proj.pmp_curated.velib_station_status\`
      )
      WHERE rn = 1`);
    const rows = await h.query(
      'SELECT station_id, num_bikes_available, event_ts FROM `proj.pmp_marts.velib_latest_state` ORDER BY station_id',
    );
    // DESC puts NULL event_ts last in BigQuery, so station 1's latest is the 01:30 row, not the NULL one.
    expect(rows).toEqual([
      { station_id: '1', num_bikes_available: 2, event_ts: '2024-10-27 01:30:00+00' },
      { station_id: '2', num_bikes_available: 7, event_ts: '2024-10-27 01:30:00+00' },
    ]);
    expect(rows[0]).not.toHaveProperty('rn');
  });

  it('latest state with QUALIFY matches the subquery form', async () => {
    const rows = await h.query(`
      SELECT station_id, num_bikes_available
      FROM pmp_curated.velib_station_status
      WHERE TRUE
      QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY event_ts DESC, ingest_ts DESC) = 1
      ORDER BY station_id`);
    expect(rows).toEqual([
      { station_id: '1', num_bikes_available: 2 },
      { station_id: '2', num_bikes_available: 7 },
    ]);
  });

  it('enriched view joins the latest station information USING (station_id)', async () => {
    await h.query(`
      CREATE OR REPLACE VIEW pmp_marts.velib_station_information_latest AS
      SELECT * EXCEPT(rn) FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY event_ts DESC, ingest_ts DESC) AS rn
        FROM pmp_curated.velib_station_information)
      WHERE rn = 1`);
    await h.query(`
      CREATE OR REPLACE VIEW pmp_marts.velib_latest_state_enriched AS
      SELECT s.*, i.name, i.capacity
      FROM pmp_marts.velib_latest_state s
      LEFT JOIN pmp_marts.velib_station_information_latest i USING (station_id)`);
    const rows = await h.query(
      'SELECT station_id, name, capacity, SAFE_DIVIDE(num_bikes_available, capacity) AS fill FROM pmp_marts.velib_latest_state_enriched ORDER BY 1',
    );
    expect(rows).toEqual([
      { station_id: '1', name: 'Châtelet', capacity: 20, fill: 0.1 },
      { station_id: '2', name: 'Bastille', capacity: 15, fill: 7 / 15 },
    ]);
  });

  it('hourly aggregate in Europe/Paris hours keeps the two 02:00 hours of the autumn change apart', async () => {
    await h.query(`
      CREATE OR REPLACE VIEW pmp_marts.velib_totals_hourly_aggregate AS
      WITH snapshots AS (
        SELECT
          ingest_ts,
          TIMESTAMP_TRUNC(COALESCE(event_ts, ingest_ts), HOUR, "Europe/Paris") as hour_ts_paris,
          COUNT(DISTINCT station_id) as stations_reporting,
          SUM(num_bikes_available) as total_bikes,
          SUM(num_docks_available) as total_docks,
          COUNTIF(num_bikes_available = 0) as empty_stations
        FROM pmp_curated.velib_station_status
        GROUP BY 1, 2
      )
      SELECT
        hour_ts_paris,
        AVG(total_bikes) as avg_total_bikes_available,
        MAX(total_bikes) as peak_total_bikes_available,
        AVG(stations_reporting) as avg_stations_reporting,
        MAX(empty_stations) as peak_empty_stations,
        COUNT(*) as snapshot_samples,
        MAX(AVG(stations_reporting)) OVER (
          ORDER BY UNIX_SECONDS(hour_ts_paris)
          RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) as total_stations_known
      FROM snapshots
      GROUP BY 1`);
    await h.query(`
      CREATE OR REPLACE VIEW pmp_marts.velib_totals_hourly_paris AS
      SELECT
        base.hour_ts_paris AS hour_ts,
        DATETIME(base.hour_ts_paris, "Europe/Paris") as hour_paris,
        DATE(DATETIME(base.hour_ts_paris, "Europe/Paris")) AS date_paris,
        EXTRACT(HOUR FROM DATETIME(base.hour_ts_paris, "Europe/Paris")) AS hour_of_day_paris,
        base.avg_total_bikes_available,
        base.snapshot_samples,
        base.total_stations_known AS running_known,
        info.total_stations_known,
        SAFE_DIVIDE(base.avg_stations_reporting, info.total_stations_known) as avg_coverage_ratio
      FROM pmp_marts.velib_totals_hourly_aggregate base
      CROSS JOIN (
        SELECT COUNT(DISTINCT station_id) as total_stations_known
        FROM pmp_curated.velib_station_information
      ) info`);
    const rows = await h.query(
      'SELECT * FROM pmp_marts.velib_totals_hourly_paris ORDER BY hour_ts',
    );
    expect(rows).toEqual([
      {
        hour_ts: '2024-03-31 00:00:00+00',
        hour_paris: '2024-03-31 01:00:00',
        date_paris: '2024-03-31',
        hour_of_day_paris: 1,
        avg_total_bikes_available: 1,
        snapshot_samples: 1,
        running_known: 1,
        total_stations_known: 3,
        avg_coverage_ratio: 1 / 3,
      },
      {
        // 01:30 UTC is 03:30 CEST: the Paris hour starts at 01:00 UTC, local 03:00.
        hour_ts: '2024-03-31 01:00:00+00',
        hour_paris: '2024-03-31 03:00:00',
        date_paris: '2024-03-31',
        hour_of_day_paris: 3,
        avg_total_bikes_available: 3,
        snapshot_samples: 1,
        running_known: 1,
        total_stations_known: 3,
        avg_coverage_ratio: 1 / 3,
      },
      {
        hour_ts: '2024-10-27 00:00:00+00',
        hour_paris: '2024-10-27 02:00:00',
        date_paris: '2024-10-27',
        hour_of_day_paris: 2,
        avg_total_bikes_available: 5,
        snapshot_samples: 1,
        running_known: 2,
        total_stations_known: 3,
        avg_coverage_ratio: 2 / 3,
      },
      {
        // The repeated 02:00 (CET): a separate hour, two snapshots (01:31 and 01:46 ingests).
        hour_ts: '2024-10-27 01:00:00+00',
        hour_paris: '2024-10-27 02:00:00',
        date_paris: '2024-10-27',
        hour_of_day_paris: 2,
        avg_total_bikes_available: (9 + 4) / 2,
        snapshot_samples: 2,
        running_known: 2,
        total_stations_known: 3,
        avg_coverage_ratio: 1.5 / 3,
      },
    ]);
  });
});

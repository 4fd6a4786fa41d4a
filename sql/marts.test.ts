import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  stationInformationTable,
  stationStatusCuratedTable,
} from '../core/warehouse/index.js';
import { type RowOf } from '../core/warehouse/index.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../local/bigquery-emulator/index.js';
import { buildEnvelope, statusSnapshotToRows } from '../core/index.js';
import { readVelibJson } from '../core/testing/fixtures.js';
import { silentLogger } from '../runtime/logger.js';
import { createWarehouse, emulatorClient, plainRows } from './testing/warehouse.js';
import { isMaterialized, orderViews, readMartViews, viewDependencies } from './view-order.js';

// Every expected figure below is worked out by hand from the fixture rows, in the comments next to
// it. One emulator, one project per scenario: views resolve `pmp_marts.x` in the query's project.

type StatusRow = RowOf<typeof stationStatusCuratedTable>;
type InfoRow = RowOf<typeof stationInformationTable>;

interface StationAt {
  id: string;
  mech: number;
  ebike: number;
  docks: number;
  installed?: 0 | 1;
  renting?: 0 | 1;
  returning?: 0 | 1;
  lastReported?: string;
}

function row(eventTs: string, s: StationAt, ingestTs = eventTs): StatusRow {
  return {
    ingest_ts: ingestTs,
    event_ts: eventTs,
    station_id: s.id,
    station_code: `C${s.id}`,
    is_installed: s.installed ?? 1,
    is_renting: s.renting ?? 1,
    is_returning: s.returning ?? 1,
    last_reported_ts: s.lastReported ?? eventTs,
    num_bikes_available: s.mech + s.ebike,
    num_docks_available: s.docks,
    mechanical_available: s.mech,
    ebike_available: s.ebike,
    raw_station_json: JSON.stringify({ station_id: s.id }),
  };
}

function info(id: string, name: string, ingestTs: string, lat = 48.86, lon = 2.35): InfoRow {
  return {
    ingest_ts: ingestTs,
    event_ts: ingestTs,
    station_id: id,
    station_code: `C${id}`,
    name,
    lat,
    lon,
    capacity: 20,
    address: null,
    post_code: null,
    raw_station_json: '{}',
  };
}

let emulator: BigQueryEmulator;

async function warehouseFor(projectId: string): Promise<BigQuery> {
  const bigquery = emulatorClient(emulator.url, projectId);
  await createWarehouse(bigquery);
  return bigquery;
}

/** insertAll in the given order; the client gives every row its own insertId. */
async function insertStatus(bigquery: BigQuery, rows: StatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  await bigquery.dataset('pmp_curated').table('velib_station_status').insert(rows);
}

async function insertInfo(bigquery: BigQuery, rows: InfoRow[]): Promise<void> {
  await bigquery.dataset('pmp_curated').table('velib_station_information').insert(rows);
}

async function select(bigquery: BigQuery, sql: string): Promise<Record<string, unknown>[]> {
  const [rows] = await bigquery.query({ query: sql });
  return plainRows(rows as Record<string, unknown>[]);
}

beforeAll(async () => {
  emulator = await startBigQueryEmulator({ port: 0, log: silentLogger() });
});

afterAll(async () => {
  await emulator?.close();
});

describe('view order', () => {
  it('creates each view after the views it reads', () => {
    const ordered = orderViews(readMartViews()).map((v) => v.tableId);
    const position = (name: string) => ordered.indexOf(name);
    expect(position('velib_snapshot_totals')).toBeLessThan(
      position('velib_totals_hourly_aggregate'),
    );
    expect(position('velib_station_streaks')).toBeLessThan(position('velib_station_alerts'));
    expect(position('velib_station_streak_hours')).toBeLessThan(position('velib_station_streaks'));
    expect(position('velib_latest_state')).toBeLessThan(position('velib_latest_state_enriched'));
    expect(position('velib_station_information_latest')).toBeLessThan(
      position('velib_latest_state_enriched'),
    );
    expect(position('velib_totals_hourly')).toBeLessThan(position('velib_totals_hourly_paris'));
    expect(position('velib_latest_state_enriched')).toBeLessThan(position('velib_station_alerts'));
    expect(new Set(ordered).size).toBe(readMartViews().length);
  });

  it('ignores names in comments and strings, other datasets and unknown views', () => {
    const known = new Set(['a', 'b', 'c']);
    expect(
      viewDependencies(
        "-- reads pmp_marts.c\nSELECT 'pmp_marts.c' FROM `pmp_marts.a` JOIN pmp_marts.b JOIN pmp_raw.a JOIN pmp_marts.zz",
        'pmp_marts',
        known,
      ),
    ).toEqual(['a', 'b']);
  });

  it('marks materialized marts by their header, and they read tables only', () => {
    const views = readMartViews();
    expect(views.filter((v) => v.materialized).map((v) => v.tableId)).toEqual([
      'velib_snapshot_totals',
      'velib_station_streak_hours',
    ]);
    const names = new Set(views.map((v) => v.tableId));
    for (const view of views.filter((v) => v.materialized)) {
      // BigQuery refuses a logical view inside a materialized view's query.
      expect(viewDependencies(view.query, 'pmp_marts', names), view.tableId).toEqual([]);
    }
    expect(isMaterialized('-- materialized: true\n-- why\nSELECT 1')).toBe(true);
    expect(isMaterialized('-- why\n--   materialized:  true  \nSELECT 1')).toBe(true);
    expect(isMaterialized('-- materialized: false\nSELECT 1')).toBe(false);
    expect(isMaterialized('SELECT 1\n-- materialized: true')).toBe(false);
  });

  it('refuses a cycle, naming the views', () => {
    expect(() =>
      orderViews([
        { tableId: 'a', query: 'SELECT * FROM pmp_marts.b' },
        { tableId: 'b', query: 'SELECT * FROM pmp_marts.a' },
        { tableId: 'c', query: 'SELECT 1' },
      ]),
    ).toThrow(/cycle: a, b/);
    expect(() => orderViews([{ tableId: 'a', query: 'SELECT * FROM pmp_marts.a' }])).toThrow(
      /reads itself/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// A Tuesday morning, 2025-06-10, Paris = UTC+2. Three stations; S3 appears mid-morning.
//   T1 08:00Z (10:00 Paris)  S1 6m+4e docks 5     S2 0 bikes docks 20
//   T2 08:20Z                S1 5m+3e docks 7     S2 2m docks 18
//   T3 08:40Z                S1 4m docks 11 (arrives late)  S2 0 docks 20   S3 5m+4e docks 1
//   T4 09:10Z (11:10 Paris)  S1 10m+5e docks 0 (full)       S2 1m docks 19  S3 0 docks 10
const T1 = '2025-06-10T08:00:00.000Z';
const T2 = '2025-06-10T08:20:00.000Z';
const T3 = '2025-06-10T08:40:00.000Z';
const T4 = '2025-06-10T09:10:00.000Z';
const cleanRows: StatusRow[] = [
  row(T1, { id: 'S1', mech: 6, ebike: 4, docks: 5 }),
  row(T1, { id: 'S2', mech: 0, ebike: 0, docks: 20 }),
  row(T2, { id: 'S1', mech: 5, ebike: 3, docks: 7 }),
  row(T2, { id: 'S2', mech: 2, ebike: 0, docks: 18 }),
  row(T3, { id: 'S2', mech: 0, ebike: 0, docks: 20 }),
  row(T3, { id: 'S3', mech: 5, ebike: 4, docks: 1 }),
  row(T4, { id: 'S1', mech: 10, ebike: 5, docks: 0 }),
  row(T4, { id: 'S2', mech: 1, ebike: 0, docks: 19 }),
  row(T4, { id: 'S3', mech: 0, ebike: 0, docks: 10 }),
  // Late: S1's T3 row reaches the warehouse after T4, ingested at 09:15Z.
  row(T3, { id: 'S1', mech: 4, ebike: 0, docks: 11 }, '2025-06-10T09:15:00.000Z'),
];
// The same history as delivered at least once: T2's message twice (a redelivery: same rows,
// same ingest time), and T1 collected again five minutes later (a replayed snapshot: same feed
// timestamp, later ingest time).
const deliveredRows: StatusRow[] = [
  ...cleanRows,
  ...cleanRows.filter((r) => r.event_ts === T2),
  ...cleanRows
    .filter((r) => r.event_ts === T1)
    .map((r) => ({ ...r, ingest_ts: '2025-06-10T08:05:00.000Z' })),
];
const infoRows: InfoRow[] = [
  info('S1', 'Old name', '2025-06-09T01:10:00.000Z'),
  info('S1', 'Bastille', '2025-06-10T01:10:00.000Z', 48.853, 2.369),
  info('S2', 'Nation', '2025-06-10T01:10:00.000Z', 48.848, 2.396),
  info('S3', 'Opéra', '2025-06-10T01:10:00.000Z', 48.871, 2.332),
];

describe('marts over a morning with duplicates, late rows and a new station', () => {
  let clean: BigQuery;
  let delivered: BigQuery;

  beforeAll(async () => {
    [clean, delivered] = await Promise.all([
      warehouseFor('marts-clean'),
      warehouseFor('marts-delivered'),
    ]);
    await insertStatus(clean, cleanRows);
    await insertInfo(clean, infoRows);
    // Delivered in ingest order: the late row last.
    await insertStatus(delivered, deliveredRows.slice(0, 9));
    await insertStatus(delivered, deliveredRows.slice(10));
    await insertStatus(delivered, deliveredRows.slice(9, 10));
    await insertInfo(delivered, infoRows);
  });

  it('stores the duplicates (so the views, not insertIds, are what removes them)', async () => {
    const [[count]] = (await delivered.query(
      'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status',
    )) as [{ n: number }[]];
    expect(count!.n).toBe(10 + 2 + 2);
  });

  it('keeps one row per station and snapshot', async () => {
    const rows = await select(
      delivered,
      `SELECT station_id, snapshot_ts, ingest_ts FROM pmp_marts.velib_station_status_dedup
       ORDER BY snapshot_ts, station_id`,
    );
    expect(rows).toHaveLength(10);
    // The replayed T1 loses to the first collection.
    expect(rows.filter((r) => String(r.snapshot_ts).startsWith('2025-06-10T08:00:00'))).toEqual([
      expect.objectContaining({ station_id: 'S1', ingest_ts: expect.stringMatching(/T08:00:00/) }),
      expect.objectContaining({ station_id: 'S2', ingest_ts: expect.stringMatching(/T08:00:00/) }),
    ]);
  });

  it('gives per-hour totals in Paris time, the late row in its snapshot hour', async () => {
    const rows = await select(
      delivered,
      `SELECT * FROM pmp_marts.velib_totals_hourly ORDER BY hour_ts_paris`,
    );
    expect(rows).toHaveLength(2);
    const [ten, eleven] = rows as [
      Record<string, number | string>,
      Record<string, number | string>,
    ];
    // 10:00 Paris = T1, T2, T3. Bikes per snapshot: T1 10+0=10, T2 8+2=10, T3 4+0+9=13.
    expect(ten.hour_ts_paris).toMatch(/^2025-06-10T08:00:00/);
    expect(ten.hour_paris).toBe('2025-06-10T10:00:00');
    expect(ten.avg_total_bikes_available).toBeCloseTo(11, 9); // (10+10+13)/3
    expect(ten.peak_total_bikes_available).toBe(13);
    expect(ten.min_total_bikes_available).toBe(10);
    expect(ten.avg_mechanical_available).toBeCloseTo(22 / 3, 9); // (6 + 7 + 9)/3
    expect(ten.avg_ebike_available).toBeCloseTo(11 / 3, 9); // (4 + 3 + 4)/3
    expect(ten.avg_total_docks_available).toBeCloseTo(82 / 3, 9); // (25 + 25 + 32)/3
    expect(ten.avg_stations_reporting).toBeCloseTo(7 / 3, 9); // (2 + 2 + 3)/3: S3 arrives at T3
    expect(ten.avg_empty_stations).toBeCloseTo(2 / 3, 9); // S2 empty at T1 and T3
    expect(ten.peak_empty_stations).toBe(1);
    expect(ten.avg_full_stations).toBe(0);
    expect(ten.snapshot_samples).toBe(3);
    expect(ten.total_stations_known).toBe(3); // running max of stations in one snapshot
    expect(ten.stations_in_information).toBe(3);
    expect(ten.avg_coverage_ratio).toBeCloseTo(7 / 9, 9); // (7/3) / 3 stations in information
    // 11:00 Paris = T4 only: bikes 15+1+0, mech 10+1, e-bikes 5, docks 0+19+10; S1 full, S3 empty.
    expect(eleven.hour_paris).toBe('2025-06-10T11:00:00');
    expect(eleven.avg_total_bikes_available).toBe(16);
    expect(eleven.peak_total_bikes_available).toBe(16);
    expect(eleven.min_total_bikes_available).toBe(16);
    expect(eleven.avg_mechanical_available).toBe(11);
    expect(eleven.avg_ebike_available).toBe(5);
    expect(eleven.avg_total_docks_available).toBe(29);
    expect(eleven.avg_stations_reporting).toBe(3);
    expect(eleven.avg_empty_stations).toBe(1);
    expect(eleven.avg_full_stations).toBe(1);
    expect(eleven.snapshot_samples).toBe(1);
    expect(eleven.avg_coverage_ratio).toBe(1);
  });

  it('keeps only fully covered hours in velib_totals_hourly_paris', async () => {
    const rows = await select(delivered, 'SELECT * FROM pmp_marts.velib_totals_hourly_paris');
    expect(rows).toEqual([
      expect.objectContaining({
        hour_paris: '2025-06-10T11:00:00',
        date_paris: '2025-06-10',
        hour_of_day_paris: 11,
        avg_total_bikes_available: 16,
        avg_coverage_ratio: 1,
      }),
    ]);
  });

  it('gives each station its hourly history', async () => {
    const rows = await select(
      delivered,
      `SELECT station_id, hour_paris, avg_bikes_available, min_bikes_available, max_bikes_available,
         empty_samples, full_samples, snapshot_samples
       FROM pmp_marts.velib_station_hourly ORDER BY station_id, hour_paris`,
    );
    expect(rows).toEqual([
      // S1 10:00: 10, 8, 4 bikes
      {
        station_id: 'S1',
        hour_paris: '2025-06-10T10:00:00',
        avg_bikes_available: expect.closeTo(22 / 3, 9),
        min_bikes_available: 4,
        max_bikes_available: 10,
        empty_samples: 0,
        full_samples: 0,
        snapshot_samples: 3,
      },
      expect.objectContaining({
        station_id: 'S1',
        hour_paris: '2025-06-10T11:00:00',
        full_samples: 1,
      }),
      // S2 10:00: 0, 2, 0 bikes
      {
        station_id: 'S2',
        hour_paris: '2025-06-10T10:00:00',
        avg_bikes_available: expect.closeTo(2 / 3, 9),
        min_bikes_available: 0,
        max_bikes_available: 2,
        empty_samples: 2,
        full_samples: 0,
        snapshot_samples: 3,
      },
      expect.objectContaining({ station_id: 'S2', hour_paris: '2025-06-10T11:00:00' }),
      // S3 appears at T3: one sample in its first hour
      expect.objectContaining({
        station_id: 'S3',
        hour_paris: '2025-06-10T10:00:00',
        snapshot_samples: 1,
      }),
      expect.objectContaining({
        station_id: 'S3',
        hour_paris: '2025-06-10T11:00:00',
        empty_samples: 1,
      }),
    ]);
  });

  it('shows the latest state by snapshot time, not arrival, with the latest metadata', async () => {
    const rows = await select(
      delivered,
      `SELECT station_id, snapshot_ts, num_bikes_available, name, lat, fill_ratio
       FROM pmp_marts.velib_latest_state_enriched ORDER BY station_id`,
    );
    expect(rows).toEqual([
      // S1's late T3 row was ingested last, but T4 is its newest snapshot.
      {
        station_id: 'S1',
        snapshot_ts: expect.stringMatching(/T09:10:00/),
        num_bikes_available: 15,
        name: 'Bastille',
        lat: 48.853,
        fill_ratio: 1,
      },
      {
        station_id: 'S2',
        snapshot_ts: expect.stringMatching(/T09:10:00/),
        num_bikes_available: 1,
        name: 'Nation',
        lat: 48.848,
        fill_ratio: 0.05,
      },
      {
        station_id: 'S3',
        snapshot_ts: expect.stringMatching(/T09:10:00/),
        num_bikes_available: 0,
        name: 'Opéra',
        lat: 48.871,
        fill_ratio: 0,
      },
    ]);
  });

  it('sums the network now for the KPI cards', async () => {
    const [now] = await select(delivered, 'SELECT * FROM pmp_marts.velib_network_latest');
    expect(now).toMatchObject({
      as_of_ts: expect.stringMatching(/^2025-06-10T09:10:00/),
      stations_known: 3,
      stations_installed: 3,
      stations_reporting: 3,
      bikes_available: 16,
      mechanical_available: 11,
      ebike_available: 5,
      docks_available: 29,
      empty_stations: 1,
      full_stations: 1,
    });
  });

  it('gives every view the same figures with or without the duplicates', async () => {
    for (const view of readMartViews()) {
      if (view.tableId === 'ops_dlq_counts') continue; // no status rows; covered below
      // ingest_ts included: the earliest delivery wins, so even it is the same.
      const query = `SELECT * FROM pmp_marts.${view.tableId}`;
      const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
      expect(sorted(await select(delivered, query)), view.tableId).toEqual(
        sorted(await select(clean, query)),
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('alerts', () => {
  let bigquery: BigQuery;
  // Snapshots every 10 minutes from 12:00Z to 13:00Z; "now" is the 13:00Z snapshot.
  const times = [0, 10, 20, 30, 40, 50, 60].map((m) =>
    new Date(Date.UTC(2025, 5, 11, 12, m)).toISOString(),
  );

  beforeAll(async () => {
    bigquery = await warehouseFor('marts-alerts');
    const rows: StatusRow[] = [];
    times.forEach((t, i) => {
      const full = { mech: 20, ebike: 0, docks: 0 };
      const some = { mech: 3, ebike: 2, docks: 10 };
      const none = { mech: 0, ebike: 0, docks: 15 };
      rows.push(
        row(t, { id: 'A1', ...(i < 2 ? some : none) }), // empty since 12:20: 40 min
        row(t, { id: 'A2', ...(i < 3 ? some : none) }), // empty since 12:30: exactly 30 min
        row(t, { id: 'A3', ...full }), // full since 12:00: 60 min
        row(t, { id: 'A4', ...some, lastReported: '2025-06-11T11:50:00.000Z' }), // silent 70 min
        row(t, { id: 'A5', ...some, lastReported: '2025-06-11T12:05:00.000Z' }), // silent 55 min
        row(t, { id: 'A6', ...some, renting: i < 4 ? 1 : 0 }), // not renting since 12:40
        row(t, {
          id: 'A7',
          ...none,
          installed: 0,
          renting: 0,
          lastReported: '2025-01-01T00:00:00.000Z',
        }), // being built: no alert
        row(t, { id: 'A8', ...(i === 5 ? some : none) }), // empty again only since 13:00
        row(t, { id: 'A9', ...none, renting: 0 }), // empty but not renting: only not_renting
        row(t, { id: 'A10', ...full, returning: 0 }), // full but not returning: no full alert
      );
    });
    await insertStatus(bigquery, rows);
    // A1 has metadata; the others do not (the alert still shows, with a NULL name).
    await insertInfo(bigquery, [info('A1', 'République', '2025-06-11T01:10:00.000Z')]);
  });

  it('raises exactly the hand-picked alerts, with when each streak began', async () => {
    const rows = await select(
      bigquery,
      `SELECT alert_type, station_id, name, since_ts, duration_minutes, as_of_ts
       FROM pmp_marts.velib_station_alerts ORDER BY alert_type, station_id`,
    );
    expect(rows).toEqual([
      {
        alert_type: 'empty',
        station_id: 'A1',
        name: 'République',
        since_ts: expect.stringMatching(/T12:20:00/),
        duration_minutes: 40,
        as_of_ts: expect.stringMatching(/T13:00:00/),
      },
      {
        alert_type: 'full',
        station_id: 'A3',
        name: null,
        since_ts: expect.stringMatching(/T12:00:00/),
        duration_minutes: 60,
        as_of_ts: expect.stringMatching(/T13:00:00/),
      },
      {
        alert_type: 'not_renting',
        station_id: 'A6',
        name: null,
        since_ts: expect.stringMatching(/T12:40:00/),
        duration_minutes: 20,
        as_of_ts: expect.stringMatching(/T13:00:00/),
      },
      {
        alert_type: 'not_renting',
        station_id: 'A9',
        name: null,
        since_ts: expect.stringMatching(/T12:00:00/),
        duration_minutes: 60,
        as_of_ts: expect.stringMatching(/T13:00:00/),
      },
      {
        alert_type: 'not_reporting',
        station_id: 'A4',
        name: null,
        since_ts: expect.stringMatching(/T11:50:00/),
        duration_minutes: 70,
        as_of_ts: expect.stringMatching(/T13:00:00/),
      },
    ]);
  });

  it('counts the network now: every station in the newest snapshot, silent or not', async () => {
    const [now] = await select(bigquery, 'SELECT * FROM pmp_marts.velib_network_latest');
    // 10 stations, all in the 13:00Z snapshot: A7 not installed, A4 silent for 70 min (an alert,
    // but still in the snapshot, as the hourly marts count it).
    expect(now).toMatchObject({
      stations_known: 10,
      stations_installed: 9,
      stations_reporting: 10,
    });
    // Empty and installed at 13:00: A1, A2, A8, A9 (A7 is not installed). Full: A3, A10.
    expect(now).toMatchObject({ empty_stations: 4, full_stations: 2 });
  });
});

// ---------------------------------------------------------------------------------------------
// The real Vélib station_status.json (2025-10-18T09:09:16Z, 1,495 stations, 1,484 installed;
// last_reported at least 30 min behind the feed, 24 installed stations over an hour), as
// published and again 90 minutes later with last_reported unchanged, as Vélib's hourly steps
// leave it: then no station has reported within the hour. The second copy also lacks one station,
// gone from the feed.
describe('stations reporting on the real feed: the KPI card and the hourly marts agree', () => {
  const published = readVelibJson('station_status.json') as {
    lastUpdatedOther: number;
    data: { stations: unknown[] };
  };
  const later = {
    ...published,
    lastUpdatedOther: published.lastUpdatedOther + 90 * 60,
    data: { stations: published.data.stations.slice(1) },
  };
  const rowsOf = (document: typeof published): StatusRow[] =>
    statusSnapshotToRows(
      buildEnvelope({
        document,
        source: 'velib',
        eventType: 'station_status_snapshot',
        ingestTs: new Date(document.lastUpdatedOther * 1000 + 20_000),
      }),
    );
  /** Installed stations whose last_reported is more than an hour before their snapshot. */
  const silentForAnHour = (rows: StatusRow[]) =>
    rows.filter(
      (r) =>
        r.is_installed === 1 &&
        Date.parse(r.event_ts!) - Date.parse(r.last_reported_ts!) > 60 * 60_000,
    ).length;

  async function reportingFigures(bigquery: BigQuery) {
    const [kpi] = await select(bigquery, 'SELECT * FROM pmp_marts.velib_network_latest');
    const [snapshot] = await select(
      bigquery,
      `SELECT t.stations_reporting FROM pmp_marts.velib_snapshot_totals AS t
       JOIN pmp_marts.velib_network_latest AS n ON t.snapshot_ts = n.as_of_ts`,
    );
    // The newest snapshot is alone in its Paris hour, so the hour's average is its count.
    const [hour] = await select(
      bigquery,
      `SELECT h.avg_stations_reporting, h.snapshot_samples FROM pmp_marts.velib_totals_hourly AS h
       JOIN pmp_marts.velib_network_latest AS n
         ON h.hour_ts_paris = TIMESTAMP_TRUNC(n.as_of_ts, HOUR, 'Europe/Paris')`,
    );
    return { kpi: kpi!, snapshot: snapshot!, hour: hour! };
  }

  it('as published: every station in the snapshot, 24 of them silent for over an hour', async () => {
    const rows = rowsOf(published);
    // By last_reported, the card once said 1,484 − 24 = 1,460 here, the hourly marts 1,495.
    expect(silentForAnHour(rows)).toBe(24);
    const bigquery = await warehouseFor('marts-real-feed');
    await insertStatus(bigquery, rows);
    const { kpi, snapshot, hour } = await reportingFigures(bigquery);
    expect(kpi).toMatchObject({
      as_of_ts: expect.stringMatching(/^2025-10-18T09:09:16/),
      stations_known: 1495,
      stations_installed: 1484,
      stations_reporting: 1495,
    });
    expect(snapshot.stations_reporting).toBe(kpi.stations_reporting);
    expect(hour).toEqual({ avg_stations_reporting: kpi.stations_reporting, snapshot_samples: 1 });
  });

  it('90 minutes on, last_reported over an hour old everywhere: still the snapshot count', async () => {
    const laterRows = rowsOf(later);
    // Every installed station is silent for more than an hour by last_reported.
    expect(silentForAnHour(laterRows)).toBe(laterRows.filter((r) => r.is_installed === 1).length);
    const bigquery = await warehouseFor('marts-real-feed-later');
    await insertStatus(bigquery, [...rowsOf(published), ...laterRows]);
    const { kpi, snapshot, hour } = await reportingFigures(bigquery);
    expect(kpi).toMatchObject({
      as_of_ts: expect.stringMatching(/^2025-10-18T10:39:16/),
      stations_known: 1495, // the missing station still counts with its earlier snapshot
      stations_reporting: 1494, // but is not in the newest one
    });
    expect(snapshot.stations_reporting).toBe(kpi.stations_reporting);
    expect(hour).toEqual({ avg_stations_reporting: kpi.stations_reporting, snapshot_samples: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('daylight saving time in Europe/Paris', () => {
  let bigquery: BigQuery;

  beforeAll(async () => {
    bigquery = await warehouseFor('marts-dst');
    const one = (t: string, bikes: number) =>
      row(t, { id: 'D1', mech: bikes, ebike: 0, docks: 10 });
    await insertStatus(bigquery, [
      // Autumn, Sunday 2025-10-26: 03:00 CEST becomes 02:00 CET, so 02:xx happens twice.
      one('2025-10-25T23:30:00.000Z', 1), // 01:30 CEST
      one('2025-10-26T00:15:00.000Z', 2), // 02:15 CEST
      one('2025-10-26T00:45:00.000Z', 3), // 02:45 CEST
      one('2025-10-26T01:15:00.000Z', 4), // 02:15 CET
      one('2025-10-26T01:45:00.000Z', 5), // 02:45 CET
      one('2025-10-26T02:15:00.000Z', 6), // 03:15 CET
      // Spring, Sunday 2025-03-30: 02:00 CET becomes 03:00 CEST, so there is no 02:xx.
      one('2025-03-30T00:30:00.000Z', 10), // 01:30 CET
      one('2025-03-30T01:10:00.000Z', 20), // 03:10 CEST
      one('2025-03-30T01:50:00.000Z', 30), // 03:50 CEST
      one('2025-03-30T02:10:00.000Z', 40), // 04:10 CEST
    ]);
    await insertInfo(bigquery, [info('D1', 'Daylight', '2025-03-01T00:00:00.000Z')]);
  });

  it('keeps the two 02:00 hours of the autumn change apart, and has no 02:00 in spring', async () => {
    const rows = await select(
      bigquery,
      `SELECT hour_ts, hour_paris, date_paris, hour_of_day_paris, avg_total_bikes_available,
         snapshot_samples
       FROM pmp_marts.velib_totals_hourly_paris ORDER BY hour_ts`,
    );
    expect(rows).toEqual([
      {
        hour_ts: expect.stringMatching(/^2025-03-30T00:00:00/),
        hour_paris: '2025-03-30T01:00:00',
        date_paris: '2025-03-30',
        hour_of_day_paris: 1,
        avg_total_bikes_available: 10,
        snapshot_samples: 1,
      },
      {
        hour_ts: expect.stringMatching(/^2025-03-30T01:00:00/),
        hour_paris: '2025-03-30T03:00:00',
        date_paris: '2025-03-30',
        hour_of_day_paris: 3,
        avg_total_bikes_available: 25,
        snapshot_samples: 2,
      },
      {
        hour_ts: expect.stringMatching(/^2025-03-30T02:00:00/),
        hour_paris: '2025-03-30T04:00:00',
        date_paris: '2025-03-30',
        hour_of_day_paris: 4,
        avg_total_bikes_available: 40,
        snapshot_samples: 1,
      },
      {
        hour_ts: expect.stringMatching(/^2025-10-25T23:00:00/),
        hour_paris: '2025-10-26T01:00:00',
        date_paris: '2025-10-26',
        hour_of_day_paris: 1,
        avg_total_bikes_available: 1,
        snapshot_samples: 1,
      },
      {
        hour_ts: expect.stringMatching(/^2025-10-26T00:00:00/),
        hour_paris: '2025-10-26T02:00:00',
        date_paris: '2025-10-26',
        hour_of_day_paris: 2,
        avg_total_bikes_available: 2.5,
        snapshot_samples: 2,
      },
      {
        hour_ts: expect.stringMatching(/^2025-10-26T01:00:00/),
        hour_paris: '2025-10-26T02:00:00',
        date_paris: '2025-10-26',
        hour_of_day_paris: 2,
        avg_total_bikes_available: 4.5,
        snapshot_samples: 2,
      },
      {
        hour_ts: expect.stringMatching(/^2025-10-26T02:00:00/),
        hour_paris: '2025-10-26T03:00:00',
        date_paris: '2025-10-26',
        hour_of_day_paris: 3,
        avg_total_bikes_available: 6,
        snapshot_samples: 1,
      },
    ]);
  });

  it('builds the weekday × hour profile in Paris time', async () => {
    const rows = await select(
      bigquery,
      `SELECT day_of_week, day_name, hour_of_day, avg_total_bikes_available, snapshot_samples,
         hours_observed
       FROM pmp_marts.velib_weekday_hour_profile ORDER BY day_of_week, hour_of_day`,
    );
    // Both days are Sundays (day_of_week 1).
    expect(rows).toEqual([
      // 01:00: 1 (autumn) and 10 (spring)
      {
        day_of_week: 1,
        day_name: 'Sunday',
        hour_of_day: 1,
        avg_total_bikes_available: 5.5,
        snapshot_samples: 2,
        hours_observed: 2,
      },
      // 02:00: only autumn, twice: (2.5 + 4.5) / 2
      {
        day_of_week: 1,
        day_name: 'Sunday',
        hour_of_day: 2,
        avg_total_bikes_available: 3.5,
        snapshot_samples: 4,
        hours_observed: 2,
      },
      // 03:00: 6 (autumn) and 25 (spring)
      {
        day_of_week: 1,
        day_name: 'Sunday',
        hour_of_day: 3,
        avg_total_bikes_available: 15.5,
        snapshot_samples: 3,
        hours_observed: 2,
      },
      {
        day_of_week: 1,
        day_name: 'Sunday',
        hour_of_day: 4,
        avg_total_bikes_available: 40,
        snapshot_samples: 1,
        hours_observed: 1,
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('dead-letter counts', () => {
  it('counts each DLQ by where it lands, with a 24-hour window', async () => {
    const bigquery = await warehouseFor('marts-dlq');
    const now = Date.now();
    const recent = new Date(now - 60 * 60 * 1000).toISOString();
    const old = new Date(now - 3 * 24 * 60 * 60 * 1000).toISOString();
    const curated = (ts: string, stage: string) => ({
      dlq_ts: ts,
      stage,
      error_type: 'StageError',
      error_message: 'bad',
      raw: 'x',
      event_meta: null,
      row_json: null,
      bq_errors: null,
    });
    await bigquery
      .dataset('pmp_ops')
      .table('velib_station_status_curated_dlq')
      .insert([
        curated(recent, 'parse_normalize'),
        curated(old, 'parse_normalize'),
        curated(recent, 'bq_insert_curated'),
      ]);
    await bigquery
      .dataset('pmp_ops')
      .table('push_writer_dlq')
      .insert([
        {
          dlq_ts: old,
          writer: 'pmp-bq-writer',
          subscription: 's',
          message_id: '1',
          publish_time: old,
          error_type: 'BadBase64',
          error_message: 'x',
          attributes: null,
          raw: 'x',
        },
      ]);
    await bigquery
      .dataset('pmp_ops')
      .table('velib_station_info_push_dlq')
      .insert([
        {
          subscription_name: 'dlq-sub',
          message_id: '9',
          publish_time: recent,
          data: 'x',
          attributes: '{}',
        },
      ]);
    const rows = await select(
      bigquery,
      'SELECT dlq, detail, total, last_24h FROM pmp_marts.ops_dlq_counts ORDER BY dlq, detail',
    );
    expect(rows).toEqual([
      { dlq: 'curated', detail: 'bq_insert_curated', total: 1, last_24h: 1 },
      { dlq: 'curated', detail: 'parse_normalize', total: 2, last_24h: 1 },
      { dlq: 'push_writer', detail: 'pmp-bq-writer', total: 1, last_24h: 0 },
      { dlq: 'station_info_push', detail: 'dlq-sub', total: 1, last_24h: 1 },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('ops_data_quality_latest', () => {
  it('gives each assertion its newest result and when it last passed', async () => {
    const bigquery = await warehouseFor('marts-quality');
    const row = (runTs: string, assertion: string, passed: boolean, failingRows: number) => ({
      run_ts: runTs,
      run_id: `run-${runTs}`,
      trigger: 'scheduler',
      assertion,
      severity: 'error',
      passed,
      failing_rows: failingRows,
      sample: passed ? null : JSON.stringify([{ station_id: '42' }]),
      error_message: null,
      duration_ms: 5,
    });
    await bigquery
      .dataset('pmp_ops')
      .table('data_quality_results')
      .insert([
        row('2026-03-10T10:00:00Z', 'a', true, 0),
        row('2026-03-10T11:00:00Z', 'a', true, 0),
        row('2026-03-10T12:00:00Z', 'a', false, 3),
        row('2026-03-10T11:00:00Z', 'b', false, 1),
        row('2026-03-10T12:00:00Z', 'b', false, 2),
        row('2026-03-10T12:00:00Z', 'c', true, 0),
      ]);
    const rows = await select(
      bigquery,
      `SELECT assertion, passed, failing_rows, checked_ts, last_passed_ts,
         JSON_VALUE(sample, '$[0].station_id') AS first_station
       FROM pmp_marts.ops_data_quality_latest ORDER BY assertion`,
    );
    expect(rows).toEqual([
      {
        assertion: 'a',
        passed: false,
        failing_rows: 3,
        checked_ts: '2026-03-10T12:00:00.000Z',
        last_passed_ts: '2026-03-10T11:00:00.000Z',
        first_station: '42',
      },
      {
        assertion: 'b',
        passed: false,
        failing_rows: 2,
        checked_ts: '2026-03-10T12:00:00.000Z',
        last_passed_ts: null,
        first_station: '42',
      },
      {
        assertion: 'c',
        passed: true,
        failing_rows: 0,
        checked_ts: '2026-03-10T12:00:00.000Z',
        last_passed_ts: '2026-03-10T12:00:00.000Z',
        first_station: null,
      },
    ]);
  });
});

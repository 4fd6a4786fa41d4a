// Dashboard API latency over a week of curated rows (7 × 1,440 snapshots × 1,495 stations ≈ 15
// million), target < 1 s per call. The rows are generated inside the emulator's DuckDB by one
// BigQuery INSERT … SELECT through the official client (insertAll would take the better part of an
// hour at this size), from the real station list; each /api route is then called through HTTP with
// the dashboard's cache off (every call runs its mart query) and on (what a browser sees between
// refreshes). The materialized marts' refresh is timed on its own, before the routes. BENCH_DAYS
// (default 7) scales the history; npx tsx bench/marts.bench.ts. The refresh after each later
// snapshot is timed on its own at the end.
import { loadavg } from 'node:os';
import { startBigQueryEmulator } from '../local/bigquery-emulator/index.js';
import { startDashboard } from '../services/dashboard/index.js';
import { silentLogger } from '../runtime/logger.js';
import { simulatedHistory } from '../sql/testing/simulated-history.js';
import { createWarehouse, emulatorClient } from '../sql/testing/warehouse.js';
import { readMartViews } from '../sql/view-order.js';
import { insertSimulatedCuratedMinutes } from './simulated-week.js';

const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const SNAPSHOTS = Math.round(DAYS * 1440);
const ROUTES = [
  '/api/kpis',
  '/api/stations',
  '/api/hourly?hours=48',
  '/api/profile',
  '/api/alerts',
  '/api/dlq',
];
const PROJECT = 'bench-marts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const emulator = await startBigQueryEmulator({ port: 0, log: silentLogger() });
const bigquery = emulatorClient(emulator.url, PROJECT);
try {
  await createWarehouse(bigquery);
  const { information } = simulatedHistory({
    start: new Date('2025-10-20T00:00:00Z'),
    snapshots: 0,
  });
  await bigquery.dataset('pmp_curated').table('velib_station_information').insert(information);

  // A minute-by-minute week for every station, with bikes drifting every 15 minutes, a few
  // stations closed, and each snapshot collected 20 s after its feed time.
  let started = performance.now();
  await insertSimulatedCuratedMinutes(bigquery, {
    first: '2025-10-20 00:00:00+00',
    snapshots: SNAPSHOTS,
  });
  const [countRows] = (await bigquery.query(
    'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status',
  )) as [{ n: number }[]];
  const rows = countRows[0]?.n ?? 0;
  const generateMs = performance.now() - started;
  console.log(
    `generated ${rows.toLocaleString('en')} curated rows (${DAYS} days × 1,440 snapshots × ${information.length} stations) in ${seconds(generateMs)}`,
  );

  // The materialized marts (sql/*.sql marked `-- materialized: true`) are stale after the insert;
  // the emulator refreshes them on the first query that reads them, as BigQuery's refresh would
  // in the background. Timed on its own so the route figures below are what a dashboard sees.
  for (const view of readMartViews().filter((v) => v.materialized)) {
    started = performance.now();
    await bigquery.query(`SELECT COUNT(*) AS n FROM pmp_marts.${view.tableId}`);
    console.log(
      `refreshed materialized ${view.tableId} in ${seconds(performance.now() - started)} (load average ${loadavg()[0]!.toFixed(1)})`,
    );
  }

  for (const cacheMs of [0, 60_000]) {
    const dashboard = await startDashboard({
      port: 0,
      projectId: PROJECT,
      bigquery,
      cacheMs,
      log: silentLogger(),
    });
    try {
      console.log(
        `\ncache ${cacheMs === 0 ? 'off (every call queries the marts)' : 'on (60 s)'}; load average ${loadavg()[0]!.toFixed(1)}`,
      );
      console.log('route                   run 1      run 2      run 3      result');
      for (const route of ROUTES) {
        const times: number[] = [];
        let size = 0;
        for (let run = 0; run < 3; run++) {
          started = performance.now();
          const response = await fetch(`${dashboard.url}${route}`);
          const body = await response.text();
          times.push(performance.now() - started);
          if (!response.ok) throw new Error(`${route}: ${response.status} ${body}`);
          size = body.length;
        }
        console.log(
          `${route.padEnd(22)} ${times.map((t) => seconds(t).padStart(9)).join('  ')}   ${(size / 1024).toFixed(0)} KiB ${Math.max(...times) < 1000 ? '✓' : '✗ over 1 s'}`,
        );
      }
    } finally {
      await dashboard.close();
    }
  }

  // Live data: one more snapshot arrives (1,495 rows), then each route is called once with the
  // cache off. The first read of each materialized mart after a write brings it up to date (the
  // emulator refreshes on read, only the groups the new rows touch when they were appended;
  // BigQuery combines the stored result with the base table's delta), so this is what the
  // dashboard sees once per write on the local stack.
  const insertSnapshot = (minute: number) =>
    bigquery.query(`
      INSERT INTO pmp_curated.velib_station_status
        (ingest_ts, event_ts, station_id, station_code, is_installed, is_renting, is_returning,
         last_reported_ts, num_bikes_available, num_docks_available, mechanical_available,
         ebike_available, raw_station_json)
      SELECT TIMESTAMP_ADD(ts, INTERVAL 20 SECOND), ts, station_id, station_code, 1, 1, 1, ts, 1,
        GREATEST(capacity - 1, 0), 1, 0, NULL
      FROM (
        SELECT station_id, station_code, capacity,
          TIMESTAMP_ADD(TIMESTAMP '2025-10-20 00:00:00+00', INTERVAL ${minute} MINUTE) AS ts
        FROM pmp_curated.velib_station_information
      )`);
  await insertSnapshot(SNAPSHOTS);
  const dashboard = await startDashboard({
    port: 0,
    projectId: PROJECT,
    bigquery,
    cacheMs: 0,
    log: silentLogger(),
  });
  try {
    console.log(
      `\nafter one more snapshot (1,495 rows), cache off, first call per route; load average ${loadavg()[0]!.toFixed(1)}`,
    );
    for (const route of ROUTES) {
      started = performance.now();
      const response = await fetch(`${dashboard.url}${route}`);
      await response.text();
      if (!response.ok) throw new Error(`${route}: ${response.status}`);
      const ms = performance.now() - started;
      console.log(`${route.padEnd(22)} ${seconds(ms).padStart(9)}`);
    }
  } finally {
    await dashboard.close();
  }

  // The refresh alone: two more snapshots, each followed by a read of every materialized mart.
  for (const minute of [SNAPSHOTS + 1, SNAPSHOTS + 2]) {
    await insertSnapshot(minute);
    for (const view of readMartViews().filter((v) => v.materialized)) {
      started = performance.now();
      await bigquery.query(`SELECT COUNT(*) AS n FROM pmp_marts.${view.tableId}`);
      console.log(
        `after one more snapshot, refreshed ${view.tableId} in ${seconds(performance.now() - started)} (load average ${loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
} finally {
  await emulator.close();
}

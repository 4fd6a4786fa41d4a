// `pmp quality` over a simulated week of curated rows (7 × 1,440 snapshots × 1,495 stations ≈ 15
// million) on the BigQuery emulator, target < 5 s for the whole suite. The rows are generated inside
// the emulator's DuckDB by BigQuery INSERT … SELECT through the official client (as
// bench/marts.bench.ts does), ending a minute before now, so the week is clean and fresh: every
// assertion must pass, which the bench checks. Timed: the suite in-process with its window over the
// whole week and over the default last 24 hours, then whole `pmp quality` processes (start-up, the
// suite, the results written) against the same emulators. BENCH_DAYS (default 7) scales the
// history; npx tsx bench/quality.bench.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEmulators } from '../local/emulators.js';
import { readAssertions, recordRun, runAssertions } from '../services/data-quality/index.js';
import { silentLogger } from '../runtime/logger.js';
import { simulatedHistory } from '../sql/testing/simulated-history.js';
import { createWarehouse, emulatorClient } from '../sql/testing/warehouse.js';
import { machineSpeedLine } from './machine-speed.js';
import { insertSimulatedCuratedMinutes } from './simulated-week.js';

const DAYS = Number(process.env.BENCH_DAYS ?? 7);
const SNAPSHOTS = Math.round(DAYS * 1440);
const PROJECT = 'bench-quality';
const TARGET_MS = 5_000;

process.env.METADATA_SERVER_DETECTION ??= 'none';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const run = promisify(execFile);

console.log(machineSpeedLine());
const emulators = await startEmulators({
  pubsubPort: 0,
  pubsubAdminPort: 0,
  bigqueryPort: 0,
  log: silentLogger(),
});
const bigquery = emulatorClient(emulators.env.BIGQUERY_EMULATOR_HOST!, PROJECT);
try {
  await createWarehouse(bigquery);
  const { information } = simulatedHistory({ start: new Date(), snapshots: 0 });
  await bigquery.dataset('pmp_curated').table('velib_station_information').insert(information);

  // The week ends a minute before now (whole minutes), each snapshot collected 20 s after its
  // feed time, with one raw row per snapshot, as the bq-writer lands them.
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const first = new Date(end - (SNAPSHOTS - 1) * 60_000).toISOString();
  let started = performance.now();
  await insertSimulatedCuratedMinutes(bigquery, { first, snapshots: SNAPSHOTS });
  await bigquery.query(`
    INSERT INTO pmp_raw.velib_station_status_raw
      (ingest_ts, event_ts, source, event_type, key, message_id, publish_time)
    SELECT TIMESTAMP_ADD(ts, INTERVAL 20 SECOND), ts, 'velib', 'station_status_snapshot',
      'velib:station_status_snapshot', CONCAT('m', CAST(m AS STRING)),
      TIMESTAMP_ADD(ts, INTERVAL 21 SECOND)
    FROM (
      SELECT m, TIMESTAMP_ADD(TIMESTAMP '${first}', INTERVAL m MINUTE) AS ts
      FROM UNNEST(GENERATE_ARRAY(0, ${SNAPSHOTS - 1})) AS m
    )`);
  const [countRows] = (await bigquery.query(
    'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status',
  )) as [{ n: number }[]];
  console.log(
    `generated ${(countRows[0]?.n ?? 0).toLocaleString('en')} curated rows and ${SNAPSHOTS.toLocaleString('en')} raw snapshots (${DAYS} days × 1,440 × ${information.length} stations) in ${seconds(performance.now() - started)}`,
  );

  const assertions = readAssertions();
  const weekAgo = new Date(end - DAYS * 86_400_000);

  // Each assertion alone, over the whole history and over the last day, each timed after one
  // warm-up run: where the suite's time goes (in the suite they queue on the emulator's thread).
  console.log(`\neach assertion alone (load average ${loadavg()[0]!.toFixed(1)})`);
  console.log(`${''.padEnd(32)} ${`${DAYS} days`.padStart(8)} ${'24 hours'.padStart(8)}`);
  for (const assertion of assertions) {
    const times: number[] = [];
    for (const since of [weekAgo, undefined]) {
      await runAssertions({ bigquery, assertions: [assertion], now: new Date(), since });
      started = performance.now();
      await runAssertions({ bigquery, assertions: [assertion], now: new Date(), since });
      times.push(performance.now() - started);
    }
    console.log(
      `${assertion.name.padEnd(32)} ${times.map((t) => seconds(t).padStart(8)).join(' ')}`,
    );
  }

  console.log(
    `\n${assertions.length} assertions, in-process (load average ${loadavg()[0]!.toFixed(1)})`,
  );
  console.log('window        run 1      run 2      run 3');
  for (const [label, since] of [
    [`${DAYS} days`, weekAgo],
    ['24 hours', undefined],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      const result = await runAssertions({ bigquery, assertions, now: new Date(), since });
      await recordRun(bigquery, result, 'cli');
      times.push(performance.now() - started);
      const failed = result.results.filter((r) => r.status !== 'passed');
      if (failed.length > 0) {
        throw new Error(`a clean week must pass: ${JSON.stringify(failed, null, 2)}`);
      }
    }
    console.log(
      `${label.padEnd(12)} ${times.map((t) => seconds(t).padStart(9)).join('  ')}   ${Math.max(...times) < TARGET_MS ? '✓' : '✗ over 5 s'}`,
    );
  }

  // The command as a person runs it: a process of its own (tsx start-up included), the emulators
  // found through their host variables (no stack state in the empty data dir). `--help` alone is
  // the start-up cost.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmp-quality-bench-'));
  console.log(`
whole pmp processes (load average ${loadavg()[0]!.toFixed(1)})`);
  const env = {
    ...process.env,
    ...emulators.env,
    PROJECT_ID: PROJECT,
    METADATA_SERVER_DETECTION: 'none',
  };
  for (const args of [['--help'], [], ['--hours', String(DAYS * 24)]]) {
    const times: number[] = [];
    let summary = '';
    for (let i = 0; i < 2; i++) {
      started = performance.now();
      const { stdout } = await run(
        process.execPath,
        ['cli/bin/pmp.js', 'quality', ...args, '--data-dir', dataDir],
        { env },
      );
      times.push(performance.now() - started);
      summary = stdout.split('\n').find((line) => line.includes('assertions since')) ?? '';
    }
    console.log(
      `pmp quality ${args.join(' ')}`.padEnd(28) +
        `${times.map((t) => seconds(t).padStart(8)).join(' ')}  ${summary.replace(/ since \S+/, '')}`,
    );
  }
} finally {
  await emulators.close();
}

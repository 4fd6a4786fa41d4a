// BigQuery emulator: insertAll throughput of curated status rows (10,000-row requests, target
// ≥ 100,000 rows/s) and the latency of the latest-state query over 10 million rows (target < 2 s),
// both through the official @google-cloud/bigquery client. The emulator runs on its own thread, as
// `pmp emulators` runs it; CPU figures are this process's (all threads).
import { BigQuery } from '@google-cloud/bigquery';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stationStatusCuratedTable as curated } from '../core/warehouse/index.js';
import type { BigQueryEmulator } from '../local/bigquery-emulator/index.js';
// The emulator on its own thread, as `pmp emulators` and `npm start` run it: the bench's client
// (JSON encoding, HTTP) works on this thread meanwhile.
import { startBigQueryEmulatorThread as startBigQueryEmulator } from '../local/bigquery-emulator-thread.js';
import { clientFields } from '../local/bigquery-emulator/testing/client.js';
import { curatedRow } from '../local/bigquery-emulator/testing/curated-rows.js';
import { silentLogger } from '../services/shared/logger.js';

const REQUEST_ROWS = 10_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 41); // 20 timed requests a path: ~2 s each, steadier than 10
const STATE_ROWS = 10_000_000;
const STATIONS = 1_500;
const PROJECT = 'bench-project';

/** User + system CPU seconds of a `process.cpuUsage` difference. */
function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

async function start(dataDir: string): Promise<{ emulator: BigQueryEmulator; bigquery: BigQuery }> {
  const emulator = await startBigQueryEmulator({ port: 0, dataDir, log: silentLogger() });
  process.env.BIGQUERY_EMULATOR_HOST = emulator.url;
  return { emulator, bigquery: new BigQuery({ projectId: PROJECT }) };
}

async function createCuratedTable(bigquery: BigQuery): Promise<void> {
  const [dataset] = await bigquery.createDataset(curated.datasetId);
  await dataset.createTable(curated.tableId, {
    schema: { fields: clientFields(curated.fields) },
    timePartitioning: { ...curated.timePartitioning },
    clustering: { fields: [...curated.clustering] },
  });
}

async function benchInsertAll(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bq-bench-insert-'));
  const { emulator, bigquery } = await start(dataDir);
  try {
    await createCuratedTable(bigquery);
    const table = bigquery.dataset(curated.datasetId).table(curated.tableId);
    const requests = Array.from({ length: REQUESTS }, (_, r) =>
      Array.from({ length: REQUEST_ROWS }, (_, k) => {
        const i = r * REQUEST_ROWS + k;
        return { insertId: `m${Math.floor(i / STATIONS)}:${i % STATIONS}`, json: curatedRow(i) };
      }),
    );
    await table.insert(requests[0]!, { raw: true }); // warm-up: JIT, appender, caches
    const half = Math.floor(REQUESTS / 2);
    // Through the official client: includes its deep copy and JSON encoding of every request.
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const rows of requests.slice(1, half)) await table.insert(rows, { raw: true });
    const clientSeconds = (performance.now() - started) / 1000;
    const clientCpu = cpuSeconds(process.cpuUsage(cpu));
    // The same requests as pre-encoded HTTP bodies: the emulator's own cost.
    const bodies = requests.slice(half).map((rows) => JSON.stringify({ rows }));
    const http = await postBodies(emulator, bodies);
    const [metadata] = await table.getMetadata();
    if (metadata.numRows !== String(REQUESTS * REQUEST_ROWS)) {
      throw new Error(`expected ${REQUESTS * REQUEST_ROWS} rows, table has ${metadata.numRows}`);
    }
    // CPU time of this process (client and emulator share it) beside the wall time: on a loaded
    // machine the wall time mostly measures the wait for a core.
    const report = (label: string, requestCount: number, seconds: number, cpuUsed: number) =>
      console.log(
        `insertAll ${label}: ${(requestCount * REQUEST_ROWS).toLocaleString('en')} curated rows in ${requestCount} requests of ${REQUEST_ROWS.toLocaleString('en')}: ` +
          `${seconds.toFixed(2)} s, ${Math.round((requestCount * REQUEST_ROWS) / seconds).toLocaleString('en')} rows/s (target ≥ 100,000), ` +
          `${((seconds * 1000) / requestCount).toFixed(0)} ms per request; CPU ${cpuUsed.toFixed(2)} s = ` +
          `${Math.round((requestCount * REQUEST_ROWS) / cpuUsed).toLocaleString('en')} rows per CPU-second`,
      );
    report('via @google-cloud/bigquery', half - 1, clientSeconds, clientCpu);
    report('via HTTP (pre-encoded bodies)', REQUESTS - half, http.seconds, http.cpu);
    // The same bodies to an emulator without --data-dir: no write-ahead log, commit or checkpoint.
    const inMemory = await startBigQueryEmulator({ port: 0, log: silentLogger() });
    try {
      process.env.BIGQUERY_EMULATOR_HOST = inMemory.url;
      await createCuratedTable(new BigQuery({ projectId: PROJECT }));
      await postBodies(inMemory, [JSON.stringify({ rows: requests[0] })]); // warm-up
      const memory = await postBodies(inMemory, bodies);
      report('via HTTP, in memory (no --data-dir)', REQUESTS - half, memory.seconds, memory.cpu);
    } finally {
      await inMemory.close();
      process.env.BIGQUERY_EMULATOR_HOST = emulator.url;
    }
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${availableParallelism()} cores`,
    );
  } finally {
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Posts insertAll bodies one after the other; wall and CPU seconds. */
async function postBodies(
  emulator: BigQueryEmulator,
  bodies: readonly string[],
): Promise<{ seconds: number; cpu: number }> {
  const url = `${emulator.url}/projects/${PROJECT}/datasets/${curated.datasetId}/tables/${curated.tableId}/insertAll`;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const body of bodies) {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    const answer = (await response.json()) as { insertErrors?: unknown };
    if (!response.ok || answer.insertErrors)
      throw new Error(`insertAll failed: ${JSON.stringify(answer)}`);
  }
  return { seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(process.cpuUsage(cpu)) };
}

async function benchLatestState(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bq-bench-state-'));
  try {
    let { emulator, bigquery } = await start(dataDir);
    await createCuratedTable(bigquery);
    await emulator.close();

    // Setup: 10 million rows (1,500 stations × ~6,667 snapshots a minute apart) made inside DuckDB.
    const generated = performance.now();
    const instance = await DuckDBInstance.create(join(dataDir, 'bigquery.duckdb'));
    const connection = await instance.connect();
    await connection.run(`
      INSERT INTO "${PROJECT}__${curated.datasetId}"."${curated.tableId}"
      SELECT ts, ts, CAST(213688169 + i % ${STATIONS} AS VARCHAR), CAST(16107 + i % ${STATIONS} AS VARCHAR),
             1, 1, 1, ts, (i * 7) % 40, 40 - (i * 7) % 40, (i * 7) % 20, (i * 7) % 40 - (i * 7) % 20, NULL
      FROM (SELECT i, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_minutes(i // ${STATIONS}) AS ts
            FROM range(${STATE_ROWS}) r(i))`);
    await connection.run('CHECKPOINT');
    connection.closeSync();
    instance.closeSync();
    const setupSeconds = (performance.now() - generated) / 1000;

    ({ emulator, bigquery } = await start(dataDir));
    try {
      const query = `
        SELECT station_id, event_ts, num_bikes_available, num_docks_available
        FROM (
          SELECT station_id, event_ts, num_bikes_available, num_docks_available,
                 ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY event_ts DESC) AS rn
          FROM \`${PROJECT}.${curated.datasetId}.${curated.tableId}\`
        )
        WHERE rn = 1`;
      const timings: number[] = [];
      let stations = 0;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        const [rows] = await bigquery.query({ query });
        timings.push((performance.now() - started) / 1000);
        stations = rows.length;
      }
      if (stations !== STATIONS) throw new Error(`expected ${STATIONS} stations, got ${stations}`);
      const best = Math.min(...timings);
      console.log(
        `latest state (ROW_NUMBER() per station) over ${STATE_ROWS.toLocaleString('en')} rows → ${stations} rows: ` +
          `${timings.map((t) => t.toFixed(2)).join(' / ')} s (best ${best.toFixed(2)} s, target < 2 s); ` +
          `setup ${setupSeconds.toFixed(1)} s`,
      );
    } finally {
      await emulator.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await benchInsertAll();
// `--insert-only` skips the 10-million-row setup (about half a minute) when tuning insertAll.
if (!process.argv.includes('--insert-only')) await benchLatestState();

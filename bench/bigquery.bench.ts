// BigQuery emulator: insertAll throughput of curated status rows (10,000-row requests, target
// ≥ 100,000 rows/s) and the latency of the latest-state query over 10 million rows (target < 2 s),
// both through the official @google-cloud/bigquery client. The emulator runs on its own thread, as
// `pmp emulators` runs it; CPU figures are this process's (all threads) and, on Linux, the
// emulator thread's own.
import { BigQuery } from '@google-cloud/bigquery';
import { DuckDBInstance } from '@duckdb/node-api';
import { Agent, request as httpRequest } from 'node:http';
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
import { insertAllRow } from '../core/warehouse/insert-all-row.js';
import { silentLogger } from '../runtime/logger.js';
import { machineSpeedLine } from './machine-speed.js';
import { threadCpuSeconds } from './measure.js';

const REQUEST_ROWS = 10_000;
console.log(machineSpeedLine());
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 41); // 20 timed requests a path: ~2 s each, steadier than 10
const STATE_ROWS = 10_000_000;
const STATIONS = 1_500;
const PROJECT = 'bench-project';

/**
 * CPU seconds of the busiest thread other than the main one since `before`: the emulator's
 * thread while the bench posts to it (the bench's own client work is on the main thread).
 */
function busiestOtherThreadSeconds(before: Map<string, number>): number | undefined {
  let busiest: number | undefined;
  for (const [tid, now] of threadCpuSeconds()) {
    if (tid === String(process.pid)) continue;
    const used = now - (before.get(tid) ?? 0);
    if (busiest === undefined || used > busiest) busiest = used;
  }
  return busiest;
}

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
  let bodies: Buffer[] = [];
  let warmUpBody = Buffer.alloc(0);
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
    const client = await timed(async () => {
      for (const rows of requests.slice(1, half)) await table.insert(rows, { raw: true });
    });
    // As our writers call it: rows made by insertAllRow, which the client passes by reference
    // (no deep copies, no token walk). Fresh insertIds, so none is dropped as a duplicate.
    const byReference = Array.from({ length: half - 1 }, (_, r) =>
      Array.from({ length: REQUEST_ROWS }, (_, k) => {
        const i = (REQUESTS + r) * REQUEST_ROWS + k;
        return insertAllRow(`m${Math.floor(i / STATIONS)}:${i % STATIONS}`, curatedRow(i));
      }),
    );
    const clientByReference = await timed(async () => {
      for (const rows of byReference) await table.insert(rows, { raw: true });
    });
    // The same requests as pre-encoded HTTP bodies: the emulator's own cost.
    bodies = requests.slice(half).map((rows) => Buffer.from(JSON.stringify({ rows })));
    warmUpBody = Buffer.from(JSON.stringify({ rows: requests[0] }));
    const http = await timed(() => postBodies(emulator, bodies));
    const expectedRows = (REQUESTS + half - 1) * REQUEST_ROWS;
    const [metadata] = await table.getMetadata();
    if (metadata.numRows !== String(expectedRows)) {
      throw new Error(`expected ${expectedRows} rows, table has ${metadata.numRows}`);
    }
    // CPU time of this process (client and emulator share it) beside the wall time: on a loaded
    // machine the wall time mostly measures the wait for a core. The emulator thread's own CPU
    // (the busiest thread but the bench's) is the figure to tune the emulator by.
    report('via @google-cloud/bigquery', half - 1, client);
    report(
      'via @google-cloud/bigquery, rows by reference (insertAllRow)',
      half - 1,
      clientByReference,
    );
    report('via HTTP (pre-encoded bodies)', REQUESTS - half, http);
  } finally {
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The same bodies to an emulator without --data-dir: no write-ahead log, commit or checkpoint.
  // Started once the file-backed one is closed, so its idle checkpoint is not counted here.
  const inMemory = await startBigQueryEmulator({ port: 0, log: silentLogger() });
  try {
    process.env.BIGQUERY_EMULATOR_HOST = inMemory.url;
    await createCuratedTable(new BigQuery({ projectId: PROJECT }));
    await postBodies(inMemory, [warmUpBody]);
    const memory = await timed(() => postBodies(inMemory, bodies));
    report('via HTTP, in memory (no --data-dir)', bodies.length, memory);
  } finally {
    await inMemory.close();
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
  );
}

/** One insertAll line: wall time, process CPU and the emulator thread's CPU per row. */
function report(label: string, requestCount: number, run: Timed): void {
  const rows = requestCount * REQUEST_ROWS;
  const perCpu = (seconds: number) => Math.round(rows / seconds).toLocaleString('en');
  console.log(
    `insertAll ${label}: ${rows.toLocaleString('en')} curated rows in ${requestCount} requests of ${REQUEST_ROWS.toLocaleString('en')}: ` +
      `${run.seconds.toFixed(2)} s, ${Math.round(rows / run.seconds).toLocaleString('en')} rows/s (target ≥ 100,000), ` +
      `${((run.seconds * 1000) / requestCount).toFixed(0)} ms per request; CPU ${run.cpu.toFixed(2)} s = ` +
      `${perCpu(run.cpu)} rows per CPU-second` +
      (run.emulatorCpu
        ? `; emulator thread ${run.emulatorCpu.toFixed(2)} s = ${perCpu(run.emulatorCpu)} rows per CPU-second`
        : ''),
  );
}

interface Timed {
  seconds: number;
  /** CPU seconds of the whole process (all threads). */
  cpu: number;
  /** CPU seconds of the emulator's thread, where /proc tells. */
  emulatorCpu: number | undefined;
}

async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const threads = threadCpuSeconds();
  const started = performance.now();
  const cpu = process.cpuUsage();
  await work();
  return {
    seconds: (performance.now() - started) / 1000,
    cpu: cpuSeconds(process.cpuUsage(cpu)),
    emulatorCpu: busiestOtherThreadSeconds(threads),
  };
}

/**
 * Posts insertAll bodies one after the other with node:http and Buffer bodies: fetch spent more
 * CPU on a 4.7 MB string body (encoding and copying it) than the emulator spent storing it.
 */
async function postBodies(emulator: BigQueryEmulator, bodies: readonly Buffer[]): Promise<void> {
  const url = new URL(
    `${emulator.url}/projects/${PROJECT}/datasets/${curated.datasetId}/tables/${curated.tableId}/insertAll`,
  );
  const agent = new Agent({ keepAlive: true });
  try {
    for (const body of bodies) {
      const { status, text } = await post(url, body, agent);
      const answer = JSON.parse(text) as { insertErrors?: unknown };
      if (status !== 200 || answer.insertErrors) throw new Error(`insertAll failed: ${text}`);
    }
  } finally {
    agent.destroy();
  }
}

function post(url: URL, body: Buffer, agent: Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
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

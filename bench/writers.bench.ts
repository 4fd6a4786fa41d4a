// Writer throughput: simulator snapshots pushed by the Pub/Sub emulator to the Koa writers, landing
// in the BigQuery emulator (DuckDB). Reports snapshots/s and rows/s through push (publish → 2xx),
// and the writers alone (direct POSTs, 8 concurrent) for comparison. Then the bq-writer's own CPU
// per real Vélib snapshot, with its warehouse and its client in other processes.
// Run: npx tsx bench/writers.bench.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { emulatorClient } from '../sql/testing/warehouse.js';
import { buildEnvelope } from '../core/index.js';
import { startSimulator } from '../local/simulator/index.js';
import { createApp as createBqWriter } from '../services/bq-writer/app.js';
import { createApp as createStationInfoWriter } from '../services/station-info-writer/app.js';
import { eventually, startStack, tableRows } from '../services/testing/e2e-harness.js';
import { silentLogger } from '../runtime/logger.js';
import { listen, pushBody } from '../services/testing/service-fixtures.js';

const SNAPSHOTS = Number(process.env.BENCH_SNAPSHOTS ?? 30);
const CPU_MESSAGES = Number(process.env.BENCH_CPU_MESSAGES ?? 200);
const DLQ = { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' };

const stack = await startStack();
const simulator = await startSimulator({ port: 0, seed: 3, speed: 60 });

async function snapshot(feed: 'station_status' | 'station_information'): Promise<unknown> {
  const response = await fetch(`${simulator.url}/${feed}.json`);
  return response.json();
}

interface Case {
  name: string;
  topic: string;
  feed: 'station_status' | 'station_information';
  eventType: 'station_status_snapshot' | 'station_information_snapshot';
  app: 'bq' | 'info';
  table: { datasetId: string; tableId: string };
}

const cases: Case[] = [
  {
    name: 'bq-writer (raw, 1 row/snapshot)',
    topic: 'pmp-events',
    feed: 'station_status',
    eventType: 'station_status_snapshot',
    app: 'bq',
    table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
  },
  {
    name: 'station-info-writer (1 row/station)',
    topic: 'pmp-velib-station-info',
    feed: 'station_information',
    eventType: 'station_information_snapshot',
    app: 'info',
    table: { datasetId: 'pmp_curated', tableId: 'velib_station_information' },
  },
];

const results: string[] = [];
for (const c of cases) {
  const make = c.app === 'bq' ? createBqWriter : createStationInfoWriter;
  const handler = make({
    bigquery: stack.bigquery,
    table: c.table,
    dlqTable: DLQ,
    log: silentLogger(),
  }).callback();
  let ok = 0;
  let failed = 0;
  const server = await listen((req, res) => {
    res.on('finish', () => (res.statusCode === 200 ? (ok += 1) : (failed += 1)));
    void handler(req, res);
  });
  const envelopes: Buffer[] = [];
  // One simulated document, many envelopes: the writers never compare payloads, only message ids.
  const document = await snapshot(c.feed);
  for (let i = 0; i < SNAPSHOTS * 2; i++) {
    const envelope = buildEnvelope({
      document,
      source: 'velib',
      eventType: c.eventType,
      ingestTs: new Date(Date.UTC(2026, 2, 1, 8, 0, i)),
    });
    envelopes.push(Buffer.from(JSON.stringify(envelope)));
  }
  const stations = (
    JSON.parse(envelopes[0]!.toString()) as { payload: { data: { stations: unknown[] } } }
  ).payload.data.stations.length;
  const mb = envelopes[0]!.byteLength / 1e6;

  // 1. Through push: publish everything, wait until every delivery was answered 2xx.
  const [topic] = await stack.pubsub.createTopic(c.topic);
  await topic.createSubscription(`${c.topic}-bench-push`, {
    pushConfig: { pushEndpoint: `${server.url}/pubsub` },
  });
  const started = performance.now();
  await Promise.all(envelopes.slice(0, SNAPSHOTS).map((data) => topic.publishMessage({ data })));
  await eventually(() => (ok >= SNAPSHOTS ? true : undefined), 'all pushes acked', 120_000);
  const pushSeconds = (performance.now() - started) / 1000;

  // 2. The writer alone: the same kind of bodies POSTed directly, 8 at a time.
  const bodies = envelopes
    .slice(SNAPSHOTS)
    .map((data) => pushBody({ dataBase64: data.toString('base64') }));
  const directStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const response = await fetch(`${server.url}/pubsub`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        await response.arrayBuffer();
      }
    }),
  );
  const directSeconds = (performance.now() - directStart) / 1000;
  const rows = (await tableRows(stack.bigquery, c.table.datasetId, c.table.tableId)).length;
  const rowsPerSnapshot = c.app === 'bq' ? 1 : stations;
  results.push(
    [
      `${c.name}: snapshot ${mb.toFixed(2)} MB, ${stations} stations`,
      `  through push: ${SNAPSHOTS} snapshots in ${pushSeconds.toFixed(2)} s = ${(SNAPSHOTS / pushSeconds).toFixed(1)} snapshots/s, ${((SNAPSHOTS * rowsPerSnapshot) / pushSeconds).toFixed(0)} rows/s`,
      `  direct POST (8 concurrent): ${SNAPSHOTS} snapshots in ${directSeconds.toFixed(2)} s = ${(SNAPSHOTS / directSeconds).toFixed(1)} snapshots/s`,
      `  rows in table: ${rows} (expected ${2 * SNAPSHOTS * rowsPerSnapshot}), non-2xx answers: ${failed}`,
    ].join('\n'),
  );
  await server.close();
}
await simulator.close();
await stack.close();
results.push(await bqWriterCpuPerMessage());
console.log(results.join('\n'));

/**
 * CPU time of the bq-writer process per real snapshot (shared/data/velib/station_status.json):
 * push bodies are POSTed one at a time by a child process to the writer in this one, whose
 * BigQuery client sends to a child process answering every insertAll with success. So
 * process.cpuUsage() counts the writer's work only: HTTP, decoding, parsing, mapping, the client.
 */
async function bqWriterCpuPerMessage(): Promise<string> {
  const document = JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../shared/data/velib/station_status.json'),
      'utf8',
    ),
  ) as unknown;
  const text = JSON.stringify(
    buildEnvelope({
      document,
      source: 'velib',
      eventType: 'station_status_snapshot',
      ingestTs: new Date(Date.UTC(2026, 2, 1, 8)),
    }),
  );
  const body = pushBody({ text });
  const sink = spawn(
    process.execPath,
    [
      '-e',
      `require('http').createServer((q, s) => { q.resume(); q.on('end', () => {
         s.setHeader('content-type', 'application/json');
         s.end('{"kind":"bigquery#tableDataInsertAllResponse"}'); }); })
       .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [port] = (await once(sink.stdout, 'data')) as [Buffer];
  const bigquery = emulatorClient(`http://127.0.0.1:${String(port).trim()}`, 'pmp-local');
  const server = await listen(
    createBqWriter({
      bigquery,
      table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
      dlqTable: DLQ,
      log: silentLogger(),
    }).callback(),
  );
  try {
    const post = async () => {
      const response = await fetch(`${server.url}/pubsub`, { method: 'POST', body });
      if (response.status !== 200) throw new Error(`bq-writer answered ${response.status}`);
      await response.arrayBuffer();
    };
    for (let i = 0; i < 30; i++) await post(); // warm-up, JIT
    const poster = spawn(
      process.execPath,
      [
        '-e',
        `const body = require('fs').readFileSync(0, 'utf8');
         (async () => { for (let i = 0; i < ${CPU_MESSAGES}; i++) {
           const r = await fetch(process.argv[1], { method: 'POST', body });
           if (r.status !== 200) { console.error('status', r.status); process.exit(1); }
           await r.arrayBuffer(); } })();`,
        `${server.url}/pubsub`,
      ],
      { stdio: ['pipe', 'inherit', 'inherit'] },
    );
    poster.stdin.end(body);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const [code] = (await once(poster, 'exit')) as [number | null];
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (code !== 0) throw new Error(`poster exited with ${code}`);
    const ms = (micros: number) => (micros / 1000 / CPU_MESSAGES).toFixed(2);
    return [
      `bq-writer CPU per real snapshot (${(text.length / 1e3).toFixed(0)} kB envelope, ${CPU_MESSAGES} messages, one at a time):`,
      `  ${ms(used.user + used.system)} ms/message (user ${ms(used.user)}, system ${ms(used.system)}), ${(CPU_MESSAGES / seconds).toFixed(0)} messages/s`,
    ].join('\n');
  } finally {
    await server.close();
    sink.kill();
  }
}

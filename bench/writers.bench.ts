// Writer throughput: simulator snapshots pushed by the Pub/Sub emulator to the Koa writers, landing
// in the BigQuery emulator (DuckDB). Reports snapshots/s and rows/s through push (publish → 2xx),
// and the writers alone (direct POSTs, 8 concurrent) for comparison. Run: npx tsx bench/writers.bench.ts
import { buildEnvelope } from '../core/index.js';
import { startSimulator } from '../local/simulator/index.js';
import { createApp as createBqWriter } from '../services/bq-writer/app.js';
import { createApp as createStationInfoWriter } from '../services/station-info-writer/app.js';
import { eventually, startStack, tableRows } from '../services/e2e/harness.js';
import { silentLogger } from '../services/shared/logger.js';
import { listen, pushBody } from '../services/shared/_testing.js';

const SNAPSHOTS = Number(process.env.BENCH_SNAPSHOTS ?? 30);
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
console.log(results.join('\n'));
await simulator.close();
await stack.close();

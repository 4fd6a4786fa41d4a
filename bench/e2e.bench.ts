// The whole local pipeline (npm start's stack, on ephemeral ports, no scheduler): a full simulated
// day — 1,440 snapshots of 1,495 stations — replayed end to end (target < 60 s), then freshness from
// publish to visible in pmp_marts.velib_latest_state on an idle pipeline (target p95 < 2 s).
// Run alone: npx tsx bench/e2e.bench.ts [snapshots]   (default 1440)
import { VelibModel, loadStationList, renderFeed } from '../local/simulator/index.js';
import { replaySnapshots, emulatorBacklog, waitForDrain } from '../local/replay/index.js';
import { startLocalStack } from '../local/stack/stack.js';
import { cpus } from 'node:os';
import { machineSpeedLine } from './machine-speed.js';
import { machineCpuSeconds, percentile } from './measure.js';

const SNAPSHOTS = Number(process.argv[2] ?? 1440);
console.log(machineSpeedLine());
const FRESHNESS_SAMPLES = 20;
const START = Date.parse('2025-10-20T00:00:00Z');

const list = loadStationList();
const model = new VelibModel({ stations: list.stations, seed: 1, start: START });
// The recording: each minute's feed text, rendered before the clock starts, as `pmp replay DIR`
// would read it from files (rendering is the simulator's cost, not the pipeline's).
function record(from: number, count: number): { text: string; at: number }[] {
  const texts: { text: string; at: number }[] = [];
  for (let minute = from; minute < from + count; minute++) {
    const at = START + minute * 60_000;
    model.advanceTo(at);
    texts.push({ text: renderFeed(model, 'station_status', 'velib', '')!, at });
  }
  return texts;
}
const day = record(0, SNAPSHOTS);
const later = record(SNAPSHOTS, FRESHNESS_SAMPLES);
function* snapshots(recording: { text: string; at: number }[]) {
  for (const { text, at } of recording) {
    yield {
      label: `minute ${(at - START) / 60_000}`,
      eventType: 'station_status_snapshot' as const,
      document: JSON.parse(text) as unknown,
      text,
      collectedAt: new Date(at),
    };
  }
}

const t0 = performance.now();
const stack = await startLocalStack({
  dataDir: null,
  dashboard: false,
  scheduler: false,
  collectAtStart: false,
  runnerMaxMessages: Number(process.env.PMP_BENCH_BATCH ?? 10),
  ports: { pubsub: 0, pubsubAdmin: 0, bigquery: 0, simulator: 0, control: 0 },
});
console.log(`stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const adminUrl = stack.emulators.pubsub!.adminUrl;
const count = async (sql: string) => {
  const [rows] = await stack.bigquery.query(sql);
  return Number((rows[0] as { n: number }).n);
};

try {
  const started = performance.now();
  const cpuAtStart = machineCpuSeconds();
  let last = started;
  const result = await replaySnapshots({
    pubsub: stack.pubsub,
    snapshots: snapshots(day),
    total: SNAPSHOTS,
    backlog: emulatorBacklog(adminUrl, 'pmp-events-dataflow-sub'),
    onProgress: ({ published }) => {
      if (performance.now() - last > 10_000) {
        last = performance.now();
        const s = (last - started) / 1000;
        console.log(`  ${published}/${SNAPSHOTS} published after ${s.toFixed(0)} s`);
      }
    },
  });
  const publishedMs = performance.now() - started;
  await waitForDrain(adminUrl, ['pmp-events-dataflow-sub', 'pmp-events-to-bq-sub'], 1_800_000);
  const totalMs = performance.now() - started;
  const cpuSeconds = machineCpuSeconds() - cpuAtStart;
  const curated = await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status');
  const raw = await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw');
  const expected = SNAPSHOTS * list.stations.length;
  console.log(
    `replay: ${result.published} snapshots published in ${(publishedMs / 1000).toFixed(1)} s; ` +
      `pipeline caught up after ${(totalMs / 1000).toFixed(1)} s (target < 60 s)`,
  );
  console.log(
    `  raw rows ${raw} (expected ${SNAPSHOTS}), curated rows ${curated} (expected ${expected}) → ` +
      `${Math.round(curated / (totalMs / 1000))} curated rows/s, ${(SNAPSHOTS / (totalMs / 1000)).toFixed(1)} snapshots/s`,
  );
  // Machine-wide, so it also counts whatever else runs: meaningful on a quiet machine only.
  console.log(
    `  CPU, whole machine, while replaying: ${cpuSeconds.toFixed(1)} s on ${cpus().length} cores ` +
      `(${(cpuSeconds / (totalMs / 1000)).toFixed(2)} busy on average) = ` +
      `${((cpuSeconds * 1000) / SNAPSHOTS).toFixed(0)} ms per snapshot`,
  );
  const stats = stack.runnerStats();
  console.log(
    `  runner: ${stats.batches} batches, ${stats.failedBatches} failed, ${stats.messagesNacked} nacked`,
  );

  // Freshness: one snapshot at a time on the idle pipeline, publish → visible in velib_latest_state.
  const latencies: number[] = [];
  // The day's recording is published: let it go, so the samples below do not pay for collecting it.
  day.length = 0;
  for (const snapshot of snapshots(later)) {
    const iso = snapshot.collectedAt.toISOString();
    const publishAt = performance.now();
    await replaySnapshots({ pubsub: stack.pubsub, snapshots: [snapshot], total: 1 });
    for (;;) {
      const seen = await count(
        `SELECT COUNT(*) AS n FROM pmp_marts.velib_latest_state WHERE ingest_ts = TIMESTAMP '${iso}'`,
      );
      if (seen > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    latencies.push(performance.now() - publishAt);
  }
  console.log(
    `freshness (publish → visible in velib_latest_state, ${FRESHNESS_SAMPLES} samples): ` +
      `p50 ${(percentile(latencies, 0.5) / 1000).toFixed(2)} s, p95 ${(percentile(latencies, 0.95) / 1000).toFixed(2)} s (target < 2 s)`,
  );
  console.log(`  samples in order (s): ${latencies.map((ms) => (ms / 1000).toFixed(2)).join(' ')}`);
} finally {
  await stack.close();
}

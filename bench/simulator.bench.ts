// Vélib feed simulator: how fast the model steps (target: one simulated minute of 1,495 stations
// well under 10 ms), how fast documents render, how many feed requests a server answers, and how
// fast --export writes a history. Run alone: npx tsx bench/simulator.bench.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  VelibModel,
  exportHistory,
  loadStationList,
  renderFeed,
  startSimulator,
} from '../local/simulator/index.js';
import { percentile } from './measure.js';

const MINUTE = 60_000;
const time = <T>(run: () => T): [T, number] => {
  const started = performance.now();
  const value = run();
  return [value, performance.now() - started];
};
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

const [list, loadMs] = time(() => loadStationList());
console.log(`load + validate ${list.stations.length} stations: ${fmt(loadMs)}`);
const [, coldMs] = time(
  () =>
    new VelibModel({ stations: list.stations, seed: 1, start: Date.parse('2025-10-20T05:00:00Z') }),
);
const [, warmMs] = time(
  () =>
    new VelibModel({ stations: list.stations, seed: 2, start: Date.parse('2025-10-20T05:00:00Z') }),
);
console.log(
  `model construction: cold ${fmt(coldMs)} (nearest-neighbour geometry), warm ${fmt(warmMs)}`,
);

// Warm the JIT on a throwaway model so the first period is not charged for compilation.
const warmup = new VelibModel({
  stations: list.stations,
  seed: 9,
  start: Date.parse('2025-10-20T05:00:00Z'),
});
warmup.advanceTo(Date.parse('2025-10-20T08:00:00Z'));

// One simulated minute at a time through periods of different load.
const periods: [string, string][] = [
  ['weekday morning peak (07:00–10:00 Paris)', '2025-10-20T05:00:00Z'],
  ['weekday evening peak (16:30–19:30 Paris)', '2025-10-20T14:30:00Z'],
  ['night with rebalancing (01:00–04:00 Paris)', '2025-10-20T23:00:00Z'],
];
let worst = 0;
for (const [label, iso] of periods) {
  const start = Date.parse(iso);
  const model = new VelibModel({ stations: list.stations, seed: 1, start });
  const perMinute: number[] = [];
  const cpuPerMinute: number[] = [];
  for (let minute = 1; minute <= 180; minute++) {
    const cpu = process.cpuUsage();
    perMinute.push(time(() => model.advanceTo(start + minute * MINUTE))[1]);
    const used = process.cpuUsage(cpu);
    cpuPerMinute.push((used.user + used.system) / 1000);
  }
  worst = Math.max(worst, ...perMinute);
  const mean = perMinute.reduce((a, b) => a + b, 0) / perMinute.length;
  console.log(
    `step 1 simulated minute, ${label}: mean ${fmt(mean)}, p50 ${fmt(percentile(perMinute, 0.5))}, ` +
      `p99 ${fmt(percentile(perMinute, 0.99))}, max ${fmt(Math.max(...perMinute))}; ` +
      `CPU time p50 ${fmt(percentile(cpuPerMinute, 0.5))}, p99 ${fmt(percentile(cpuPerMinute, 0.99))}`,
  );
}
const day = new VelibModel({
  stations: list.stations,
  seed: 1,
  start: Date.parse('2025-10-20T00:00:00Z'),
});
const [, dayMs] = time(() => day.advanceTo(Date.parse('2025-10-21T00:00:00Z')));
console.log(
  `one simulated day in ${fmt(dayMs)} (${((24 * 3600 * 1000) / dayMs).toFixed(0)}× real time), ` +
    `${day.stats().tripsStarted} trips`,
);
console.log(`worst single minute: ${fmt(worst)} (target: well under 10 ms)`);

for (const format of ['velib', '2.3'] as const) {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 50; i++) {
    const [text, ms] = time(() => renderFeed(day, 'station_status', format, '') ?? '');
    samples.push(ms);
    bytes = text.length;
  }
  console.log(
    `render station_status (${format}, ${bytes} bytes): p50 ${fmt(percentile(samples, 0.5))}`,
  );
}

// HTTP: the same tick again (cached document), then one simulated minute per request (a hand-driven
// clock at ×60 moves one second per request), which steps the model and renders a fresh document.
for (const stepping of [false, true]) {
  let now = 0;
  const sim = await startSimulator({
    port: 0,
    seed: 1,
    speed: 60,
    start: new Date('2025-10-20T06:00:00Z'),
    clock: () => now,
  });
  const requests = 200;
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    if (stepping) now += 1000;
    await (await fetch(`${sim.url}/station_status.json`)).arrayBuffer();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `HTTP GET station_status.json, ${stepping ? 'one simulated minute per request' : 'same tick (cached)'}: ` +
      `${(requests / seconds).toFixed(0)} requests/s`,
  );
  await sim.close();
}

const dir = await mkdtemp(join(tmpdir(), 'pmp-sim-bench-'));
try {
  const [promise] = time(() =>
    exportHistory({
      dir,
      from: new Date('2025-10-20T06:00:00Z'),
      to: new Date('2025-10-20T08:00:00Z'),
      everySeconds: 60,
    }),
  );
  const started = performance.now();
  const result = await promise;
  const ms = performance.now() - started;
  console.log(
    `--export 2 h at 60 s: ${result.snapshots} snapshots in ${fmt(ms)} (${((result.snapshots * 1000) / ms).toFixed(0)} snapshots/s)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

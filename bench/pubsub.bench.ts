// Pub/Sub emulator throughput and latency through the official client. The emulator runs in its own
// process (as `pmp emulators` does) so client and server do not share one event loop.
//   npx tsx bench/pubsub.bench.ts [messages]   (it re-runs itself with --role subscriber)
// Environment knobs (comparisons and profiling; none is needed for the figures):
//   PUBSUB_BENCH_EMULATOR_MAIN=/other/checkout/local/pubsub-emulator/main.ts  run another emulator
//   PUBSUB_BENCH_CPU_PROF=DIR   CPU profiles into DIR/emulator and DIR/subscriber (tsx's loader
//                               thread writes its own small profile beside the main thread's)
//   PUBSUB_BENCH_SNAPSHOT=0     skip the Vélib snapshot round trip
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { buildEnvelope } from '../core/index.js';
import { spawnEmulator, stopEmulator } from '../local/pubsub-emulator/test/child.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ROLE = process.argv[2] === '--role' ? process.argv[3] : undefined;
const TOTAL = ROLE ? Number(process.argv[5]) : Number(process.argv[2] ?? 100_000);
const SNAPSHOT_ROUNDS = 200;
const PROFILE_DIR = process.env.PUBSUB_BENCH_CPU_PROF;

function profileArgs(name: string): string[] {
  return PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR, name)] : [];
}

/** CPU seconds a process has used (Linux /proc), to tell our cost apart from a busy machine's. */
function cpuSeconds(pid: number): number {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return NaN;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Subscriber role: receives and acks `total` messages, printing "ready" then "done". */
async function runSubscriber(subscriptionName: string, total: number): Promise<void> {
  const pubsub = new PubSub({ projectId: 'bench' });
  const subscription = pubsub.subscription(subscriptionName, {
    flowControl: { maxMessages: 10_000, allowExcessMessages: false },
    batching: { maxMessages: 3000, maxMilliseconds: 50 },
  });
  let acked = 0;
  const finished = new Promise<void>((resolve) => {
    subscription.on('message', (m: Message) => {
      m.ack();
      acked += 1;
      if (acked === total) resolve();
    });
  });
  const cpu0 = process.cpuUsage();
  process.stdout.write('ready\n');
  await finished;
  // close() sends the acks still batched and waits for the emulator to answer them, so "done"
  // means every ack reached the emulator (and its CPU for them is counted).
  await subscription.close();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`done ${(cpu.user + cpu.system) / 1e6}\n`);
  await pubsub.close();
}

/**
 * Publisher here, subscriber in a child process: real deployments publish and subscribe from
 * different processes, and the client's per-message CPU is the bottleneck, so one process each lets
 * the two cores work.
 */
async function throughput(pubsub: PubSub, serverPid: number): Promise<void> {
  const [topic] = await pubsub.createTopic('bench-1k');
  const [sub] = await topic.createSubscription('bench-1k-sub');
  topic.setPublishOptions({
    batching: { maxMessages: 1000, maxMilliseconds: 5, maxBytes: 4 * 1024 * 1024 },
  });
  const child = spawn(
    process.execPath,
    [
      ...profileArgs('subscriber'),
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--role',
      'subscriber',
      sub.name,
      String(TOTAL),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('subscriber did not start');
  const payload = Buffer.alloc(1024, 'x');
  const serverCpu0 = cpuSeconds(serverPid);
  const clientCpu0 = process.cpuUsage();
  const start = performance.now();
  const inFlight: Promise<string>[] = [];
  for (let i = 0; i < TOTAL; i += 1) {
    inFlight.push(topic.publishMessage({ data: payload }));
    // Bound the client's own queue so the publisher does not build a 100 MB backlog in memory.
    if (inFlight.length >= 20_000) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  const published = performance.now();
  const publisherCpu = process.cpuUsage(clientCpu0);
  const done = (await lines.next()).value as string;
  const received = performance.now();
  const serverCpu = cpuSeconds(serverPid) - serverCpu0;
  const subscriberCpu = Number(done.split(' ')[1]);
  await new Promise((resolve) => child.once('exit', resolve));
  const seconds = (received - start) / 1000;
  const pubCpu = (publisherCpu.user + publisherCpu.system) / 1e6;
  console.log(
    `1 KiB publish→ack: ${TOTAL} messages in ${seconds.toFixed(2)} s = ${Math.round(TOTAL / seconds)} msg/s` +
      ` (publish alone ${Math.round(TOTAL / ((published - start) / 1000))} msg/s)`,
  );
  const perMsg = (s: number) => ((s / TOTAL) * 1e6).toFixed(1);
  const total = serverCpu + pubCpu + subscriberCpu;
  console.log(
    `  CPU µs/msg: emulator ${perMsg(serverCpu)}, publisher ${perMsg(pubCpu)}, subscriber ${perMsg(subscriberCpu)};` +
      ` CPU-bound rate on 2 idle cores ≈ ${Math.round(TOTAL / Math.max(serverCpu, pubCpu, subscriberCpu, total / 2))} msg/s` +
      ` (load average now ${loadavg()[0]!.toFixed(1)})`,
  );
}

async function snapshotRoundTrip(pubsub: PubSub): Promise<void> {
  const document = JSON.parse(
    readFileSync(resolve(repoRoot, '../shared/data/velib/station_status.json'), 'utf8'),
  ) as unknown;
  const envelope = buildEnvelope({
    document,
    source: 'velib',
    eventType: 'station_status_snapshot',
    ingestTs: new Date(),
  });
  const data = Buffer.from(JSON.stringify(envelope));
  const [topic] = await pubsub.createTopic('bench-snapshot');
  topic.setPublishOptions({ batching: { maxMessages: 1, maxMilliseconds: 0 } });
  const [sub] = await topic.createSubscription('bench-snapshot-sub');
  let waiting: ((m: Message) => void) | undefined;
  sub.on('message', (m: Message) => {
    m.ack();
    waiting?.(m);
  });
  const times: number[] = [];
  for (let i = 0; i < SNAPSHOT_ROUNDS + 10; i += 1) {
    const got = new Promise<Message>((r) => (waiting = r));
    const t0 = performance.now();
    await topic.publishMessage({ data, attributes: { source: 'velib' } });
    const m = await got;
    const elapsed = performance.now() - t0;
    if (m.data.length !== data.length) throw new Error('snapshot corrupted in transit');
    if (i >= 10) times.push(elapsed); // the first rounds warm up the JIT and the channel
  }
  await sub.close();
  times.sort((a, b) => a - b);
  console.log(
    `Vélib snapshot (${(data.length / 1024).toFixed(0)} KiB) publish→receive: median ${percentile(times, 50).toFixed(1)} ms, ` +
      `p95 ${percentile(times, 95).toFixed(1)} ms over ${SNAPSHOT_ROUNDS} rounds`,
  );
}

if (ROLE === 'subscriber') {
  await runSubscriber(process.argv[4]!, TOTAL);
} else {
  const emulator = await spawnEmulator([], {
    nodeArgs: profileArgs('emulator'),
    main: process.env.PUBSUB_BENCH_EMULATOR_MAIN || undefined,
  });
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  const pubsub = new PubSub({ projectId: 'bench' });
  try {
    await throughput(pubsub, emulator.process.pid!);
    if (process.env.PUBSUB_BENCH_SNAPSHOT !== '0') await snapshotRoundTrip(pubsub);
  } finally {
    await pubsub.close();
    // A profiled emulator must exit on its own to write its profile.
    await stopEmulator(emulator.process, PROFILE_DIR ? 'SIGTERM' : 'SIGKILL');
  }
}

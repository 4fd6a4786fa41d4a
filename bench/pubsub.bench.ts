// Pub/Sub emulator throughput and latency through the official client. The emulator runs in its own
// process (as `pmp emulators` does) so client and server do not share one event loop.
//   npx tsx bench/pubsub.bench.ts [messages]   (it re-runs itself with --role subscriber)
// Environment knobs (comparisons and profiling; none is needed for the figures):
//   PUBSUB_BENCH_SUBSCRIBERS=N  subscriber processes on the subscription (default 2)
//   PUBSUB_BENCH_WARMUP=N       messages sent and acked before the clock starts (default 20000)
//   PUBSUB_BENCH_EMULATOR_MAIN=/other/checkout/local/pubsub-emulator/main.ts  run another emulator
//   PUBSUB_BENCH_CPU_PROF=DIR   CPU profiles into DIR/emulator and DIR/subscriber-N (tsx's loader
//                               thread writes its own small profile beside the main thread's)
//   PUBSUB_BENCH_SNAPSHOT=0     skip the Vélib snapshot round trip
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { buildEnvelope } from '../core/index.js';
import { spawnEmulator, stopEmulator } from '../local/pubsub-emulator/testing/child.js';
import { machineSpeedLine } from './machine-speed.js';
import { percentile, procStatCpuSeconds } from './measure.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ROLE = process.argv[2] === '--role' ? process.argv[3] : undefined;
const TOTAL = Number(process.argv[2] ?? 100_000);
const SNAPSHOT_ROUNDS = 200;
/**
 * Messages sent and acked before the clock starts: the first tens of thousands run while V8 is
 * still compiling the client's and the emulator's hot paths, as the snapshot rounds' first ten do.
 */
const WARMUP = Number(process.env.PUBSUB_BENCH_WARMUP ?? 20_000);
/** Subscriber processes sharing the subscription (the client's CPU per message is the limit). */
const SUBSCRIBERS = Number(process.env.PUBSUB_BENCH_SUBSCRIBERS ?? 2);
const PROFILE_DIR = process.env.PUBSUB_BENCH_CPU_PROF;

function profileArgs(name: string): string[] {
  return PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR, name)] : [];
}

/** CPU seconds a process has used (Linux /proc), to tell our cost apart from a busy machine's. */
const cpuSeconds = (pid: number): number => procStatCpuSeconds(`/proc/${pid}/stat`);

/**
 * Subscriber role, one process of several on the same subscription (the emulator spreads messages
 * over their streams as Pub/Sub does). Line protocol with the parent: prints "ready", then its
 * running ack count ("acked N", at most every 10 ms); on "mark" from the parent resets its CPU
 * baseline and answers "marked"; on "close" closes the subscription (which sends the acks still
 * batched and waits for the emulator to confirm them) and prints "done <CPU seconds since mark>".
 */
async function runSubscriber(subscriptionName: string): Promise<void> {
  const pubsub = new PubSub({ projectId: 'bench' });
  const subscription = pubsub.subscription(subscriptionName, {
    flowControl: { maxMessages: 10_000, allowExcessMessages: false },
    batching: { maxMessages: 3000, maxMilliseconds: 50 },
  });
  let acked = 0;
  let reported = 0;
  subscription.on('message', (m: Message) => {
    m.ack();
    acked += 1;
  });
  const reporter = setInterval(() => {
    if (acked !== reported) process.stdout.write(`acked ${(reported = acked)}\n`);
  }, 10);
  let cpu0 = process.cpuUsage();
  process.stdout.write('ready\n');
  for await (const command of createInterface({ input: process.stdin })) {
    if (command === 'mark') {
      cpu0 = process.cpuUsage();
      process.stdout.write('marked\n');
    } else if (command === 'close') {
      await subscription.close();
      clearInterval(reporter);
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(`done ${(cpu.user + cpu.system) / 1e6}\n`);
      break;
    }
  }
  process.stdin.destroy(); // the parent keeps its end open; the process would not exit
  await pubsub.close();
}

/** A subscriber child process and the parent's view of its line protocol. */
class SubscriberProcess {
  acked = 0;
  private readonly waiting: {
    match: (line: string) => boolean;
    resolve: (line: string) => void;
  }[] = [];
  private readonly child;
  /** Listened for from the start: a child may exit before the parent asks. */
  readonly exited: Promise<unknown>;

  constructor(subscriptionName: string, index: number) {
    this.child = spawn(
      process.execPath,
      [
        ...profileArgs(`subscriber-${index}`),
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--role',
        'subscriber',
        subscriptionName,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'], env: process.env },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.startsWith('acked ')) this.acked = Number(line.slice(6));
      const index = this.waiting.findIndex((w) => w.match(line));
      if (index >= 0) this.waiting.splice(index, 1)[0]!.resolve(line);
    });
  }

  /** Sends a command (if any) and resolves with the first line starting with `answer`. */
  request(command: string | null, answer: string): Promise<string> {
    const line = new Promise<string>((resolve) =>
      this.waiting.push({ match: (l) => l.startsWith(answer), resolve }),
    );
    if (command) this.child.stdin!.write(`${command}\n`);
    return line;
  }
}

/** Resolves once the subscribers' acks add up to `count` (polled: their counts arrive as lines). */
async function ackedTotal(subscribers: SubscriberProcess[], count: number): Promise<void> {
  while (subscribers.reduce((sum, s) => sum + s.acked, 0) < count) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Publisher here, subscribers in child processes: real deployments publish and subscribe from
 * different processes and scale subscribers out, and the client's per-message CPU (not the
 * emulator's) is the bottleneck, so separate processes let the two cores share the work.
 */
async function throughput(pubsub: PubSub, serverPid: number): Promise<void> {
  const [topic] = await pubsub.createTopic('bench-1k');
  const [sub] = await topic.createSubscription('bench-1k-sub');
  topic.setPublishOptions({
    batching: { maxMessages: 1000, maxMilliseconds: 5, maxBytes: 4 * 1024 * 1024 },
  });
  const subscribers = Array.from(
    { length: SUBSCRIBERS },
    (_, i) => new SubscriberProcess(sub.name!, i),
  );
  await Promise.all(subscribers.map((s) => s.request(null, 'ready')));
  const payload = Buffer.alloc(1024, 'x');
  await Promise.all(Array.from({ length: WARMUP }, () => topic.publishMessage({ data: payload })));
  await ackedTotal(subscribers, WARMUP);
  await Promise.all(subscribers.map((s) => s.request('mark', 'marked')));
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
  await ackedTotal(subscribers, WARMUP + TOTAL);
  const done = await Promise.all(subscribers.map((s) => s.request('close', 'done')));
  const received = performance.now();
  const serverCpu = cpuSeconds(serverPid) - serverCpu0;
  const subscriberCpu = done.reduce((sum, line) => sum + Number(line.split(' ')[1]), 0);
  await Promise.all(subscribers.map((s) => s.exited));
  const seconds = (received - start) / 1000;
  const pubCpu = (publisherCpu.user + publisherCpu.system) / 1e6;
  console.log(
    `1 KiB publish→ack: ${TOTAL} messages in ${seconds.toFixed(2)} s = ${Math.round(TOTAL / seconds)} msg/s` +
      ` (publish alone ${Math.round(TOTAL / ((published - start) / 1000))} msg/s;` +
      ` ${SUBSCRIBERS} subscriber process${SUBSCRIBERS === 1 ? '' : 'es'}; after ${WARMUP} warm-up messages)`,
  );
  const perMsg = (s: number) => ((s / TOTAL) * 1e6).toFixed(1);
  const total = serverCpu + pubCpu + subscriberCpu;
  console.log(
    `  CPU µs/msg: emulator ${perMsg(serverCpu)}, publisher ${perMsg(pubCpu)}, subscribers ${perMsg(subscriberCpu)};` +
      ` CPU-bound rate on 2 idle cores ≈ ${Math.round(TOTAL / Math.max(serverCpu, pubCpu, subscriberCpu / SUBSCRIBERS, total / 2))} msg/s` +
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
  console.log(
    `Vélib snapshot (${(data.length / 1024).toFixed(0)} KiB) publish→receive: median ${percentile(times, 0.5).toFixed(1)} ms, ` +
      `p95 ${percentile(times, 0.95).toFixed(1)} ms over ${SNAPSHOT_ROUNDS} rounds`,
  );
}

if (ROLE === 'subscriber') {
  await runSubscriber(process.argv[4]!);
} else {
  console.log(machineSpeedLine());
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

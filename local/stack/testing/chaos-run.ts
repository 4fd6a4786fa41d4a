// Test and bench support: a chaos run of the real `pmp start`. A recorded history is replayed
// while service processes are SIGKILLed at random (seeded); then the whole stack is SIGKILLed,
// started again on the same data dir, and the replay re-run. Returns what a test asserts on.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { BigQuery } from '@google-cloud/bigquery';
import type { PubSub } from '@google-cloud/pubsub';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { SUBSCRIPTIONS } from '../../../core/resource-names.js';
import { emulatorBacklog, replayRecording, waitForDrain } from '../../replay/index.js';
import { exportHistory } from '../../simulator/index.js';
import { clientsFor, resolveTarget, type StackTarget } from '../connect.js';
import { isProcessAlive, type ComponentState } from '../state-file.js';

const PMP = path.resolve(import.meta.dirname, '../../../cli/bin/pmp.js');
const WRITER_SUBSCRIPTIONS = [SUBSCRIPTIONS.eventsToBq, SUBSCRIPTIONS.stationInfoToBq];
const ALL_SUBSCRIPTIONS = [SUBSCRIPTIONS.eventsDataflow, ...WRITER_SUBSCRIPTIONS];

export interface ChaosOptions {
  /** Scratch folder: the recording and the stack's data dir go here. */
  readonly workDir: string;
  /** Status snapshots in the recorded history (one a minute). */
  readonly snapshots: number;
  /** Service processes to SIGKILL during the first replay. */
  readonly kills: number;
  /** @default 1 */
  readonly seed?: number;
  /** Replay rate, snapshots per second, so the kills fall while it runs. @default 2 */
  readonly rate?: number;
  /** At most this many kills of one service, so none of them crash-loops. @default 3 */
  readonly killsPerService?: number;
  readonly onProgress?: (line: string) => void;
}

export interface ChaosKill {
  readonly service: string;
  readonly pid: number;
  readonly atMs: number;
}

export interface ChaosReport {
  readonly snapshots: number;
  readonly stations: number;
  readonly kills: readonly ChaosKill[];
  /** Restarts each service showed before the stack itself was killed. */
  readonly restarts: Readonly<Record<string, number>>;
  /** Components of the first stack just before it was killed, and of the second one at the end. */
  readonly componentsBeforeStackKill: readonly ComponentState[];
  readonly componentsAtEnd: readonly ComponentState[];
  readonly firstReplay: { readonly published: number; readonly skipped: number };
  readonly secondReplay: { readonly published: number; readonly skipped: number };
  readonly rows: {
    readonly raw: number;
    readonly rawDistinctSnapshots: number;
    readonly curated: number;
    readonly curatedDistinct: number;
    readonly stationInformation: number;
  };
  /** What had landed when the first stack was killed (the rest was still in flight). */
  readonly rowsAtStackKill: ChaosReport['rows'];
  readonly secondStackExitCode: number | null;
  readonly seconds: number;
}

interface RunningPmp {
  readonly child: ChildProcess;
  readonly target: StackTarget;
  readonly pubsub: PubSub;
  readonly bigquery: BigQuery;
  readonly output: () => string;
}

/** `pmp start --no-collect` on `dataDir`, every port ephemeral, until it prints its table. */
async function startPmp(dataDir: string): Promise<RunningPmp> {
  const ports = ['pubsub', 'pubsub-admin', 'bigquery', 'simulator', 'control'];
  const child = spawn(
    process.execPath,
    [
      PMP,
      'start',
      '--data-dir',
      dataDir,
      '--no-collect',
      '--no-dashboard',
      ...ports.flatMap((p) => [`--${p}-port`, '0']),
    ],
    { cwd: path.resolve(PMP, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const exited = () => reject(new Error(`pmp start exited early:\n${output}`));
    child.once('exit', exited);
    child.stdout!.on('data', () => {
      if (!output.includes('Ctrl-C stops everything')) return;
      child.off('exit', exited);
      resolve();
    });
  });
  const target = resolveTarget({ dataDir });
  return { child, target, ...clientsFor(target), output: () => output };
}

async function componentsOf(pmp: RunningPmp): Promise<ComponentState[]> {
  const response = await fetch(`${pmp.target.state!.controlUrl}/status`);
  return ((await response.json()) as { components: ComponentState[] }).components;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seeded kills of running service processes, until `stop()` resolves and `count` are done. */
async function killAtRandom(
  pmp: RunningPmp,
  options: Required<Pick<ChaosOptions, 'kills' | 'seed' | 'killsPerService'>>,
  until: Promise<unknown>,
): Promise<ChaosKill[]> {
  const rng = xoroshiro128plus(options.seed | 0);
  const random = () => (rng.next() >>> 0) / 4294967296;
  let done = false;
  void until.finally(() => (done = true));
  const kills: ChaosKill[] = [];
  const started = Date.now();
  while (!done || kills.length < options.kills) {
    await sleep(300 + random() * 600);
    if (kills.length >= options.kills) continue;
    const candidates = (await componentsOf(pmp)).filter(
      (c) =>
        c.kind === 'service' &&
        c.status === 'running' &&
        c.pid !== undefined &&
        kills.filter((k) => k.service === c.name).length < options.killsPerService,
    );
    const victim = candidates[Math.floor(random() * candidates.length)];
    if (!victim) continue;
    process.kill(victim.pid!, 'SIGKILL');
    kills.push({ service: victim.name, pid: victim.pid!, atMs: Date.now() - started });
  }
  return kills;
}

/** Waits until every service runs again and has counted each of its kills as a restart. */
async function waitForServicesBack(pmp: RunningPmp, kills: readonly ChaosKill[]) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const services = (await componentsOf(pmp)).filter((c) => c.kind === 'service');
    const back = services.every(
      (c) =>
        c.status === 'running' &&
        (c.restarts ?? 0) >= kills.filter((k) => k.service === c.name).length,
    );
    if (back) return services;
    if (Date.now() > deadline) {
      throw new Error(`services not back: ${JSON.stringify(services, null, 2)}`);
    }
    await sleep(100);
  }
}

/** SIGKILL of `pmp start`: no stop step runs; its services notice and exit on their own. */
async function killStack(pmp: RunningPmp, services: readonly ComponentState[]) {
  await pmp.pubsub.close().catch(() => undefined);
  const exited = once(pmp.child, 'exit');
  pmp.child.kill('SIGKILL');
  await exited;
  const deadline = Date.now() + 10_000;
  while (
    services.some((s) => s.pid !== undefined && isProcessAlive(s.pid)) &&
    Date.now() < deadline
  ) {
    await sleep(50);
  }
}

function replayInto(pmp: RunningPmp, input: string, rate?: number) {
  const adminUrl = pmp.target.pubsubAdminUrl;
  return replayRecording({
    input,
    pubsub: pmp.pubsub,
    bigquery: pmp.bigquery,
    rate,
    untilLanded: () => waitForDrain(adminUrl, WRITER_SUBSCRIPTIONS, 120_000),
    backlog: emulatorBacklog(adminUrl, SUBSCRIPTIONS.eventsDataflow),
  });
}

async function countRows(bigquery: BigQuery): Promise<ChaosReport['rows']> {
  const count = async (sql: string) => {
    const [rows] = await bigquery.query(sql);
    return Number((rows[0] as { n: number }).n);
  };
  return {
    raw: await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw'),
    rawDistinctSnapshots: await count(
      'SELECT COUNT(DISTINCT event_ts) AS n FROM pmp_raw.velib_station_status_raw',
    ),
    curated: await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status'),
    curatedDistinct: await count(
      'SELECT COUNT(*) AS n FROM (SELECT DISTINCT station_id, event_ts FROM pmp_curated.velib_station_status)',
    ),
    stationInformation: await count(
      'SELECT COUNT(*) AS n FROM pmp_curated.velib_station_information',
    ),
  };
}

async function recordHistory(dir: string, snapshots: number) {
  const from = new Date('2025-10-18T06:00:00Z');
  await exportHistory({
    dir,
    from,
    to: new Date(from.getTime() + (snapshots - 1) * 60_000),
  });
  const { readFileSync } = await import('node:fs');
  const info = JSON.parse(readFileSync(path.join(dir, 'station_information.json'), 'utf8')) as {
    data: { stations: unknown[] };
  };
  return info.data.stations.length;
}

/** The whole chaos run; see the file comment. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const say = (line: string) =>
    options.onProgress?.(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}`);
  const recording = path.join(options.workDir, 'recording');
  const dataDir = path.join(options.workDir, 'data');
  const stations = await recordHistory(recording, options.snapshots);

  say('starting pmp start');
  const first = await startPmp(dataDir);
  const replaying = replayInto(first, recording, options.rate ?? 2);
  const kills = await killAtRandom(
    first,
    {
      kills: options.kills,
      seed: options.seed ?? 1,
      killsPerService: options.killsPerService ?? 3,
    },
    replaying.catch(() => undefined),
  );
  const firstReplay = await replaying;
  say(`first replay published ${firstReplay.published}; ${kills.length} kills`);
  const componentsBeforeStackKill = await waitForServicesBack(first, kills);
  const rowsAtStackKill = await countRows(first.bigquery);
  say(`killing the stack with ${JSON.stringify(rowsAtStackKill)} landed`);
  await killStack(first, componentsBeforeStackKill);

  say('pmp start again on the same data dir');
  const second = await startPmp(dataDir);
  const secondReplay = await replayInto(second, recording);
  await waitForDrain(second.target.pubsubAdminUrl, ALL_SUBSCRIPTIONS, 120_000);
  const rows = await countRows(second.bigquery);
  say(`second replay published ${secondReplay.published}; drained`);
  const componentsAtEnd = await componentsOf(second);
  await second.pubsub.close();
  const exited = once(second.child, 'exit');
  second.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return {
    snapshots: options.snapshots,
    stations,
    kills,
    restarts: Object.fromEntries(componentsBeforeStackKill.map((c) => [c.name, c.restarts ?? 0])),
    componentsBeforeStackKill,
    componentsAtEnd,
    firstReplay,
    secondReplay,
    rows,
    rowsAtStackKill,
    secondStackExitCode: code,
    seconds: (Date.now() - t0) / 1000,
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { eventually as waitUntil } from '../../runtime/testing/eventually.js';
import { replayRecording, waitForDrain } from '../replay/index.js';
import { exportHistory } from '../simulator/index.js';
import { startLocalStack, type RunningStack } from './stack.js';
import { collectStackStatus, formatStackStatus } from './status.js';
import { localConfigWithFastRetry } from './testing/fast-retry-config.js';
import { startSupervisedCuratedRunner } from './supervised-runner.js';

/** Restarts back off for seconds: every wait here allows 30 s. */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, what: string) =>
  waitUntil(check, what, 30_000);

// Crashed components come back: the stack as `npm start` runs it (no scheduler, no first
// collection: only what the test publishes lands). One change to the rendered config: the raw
// push subscription retries after 1 s instead of 10 s, so a push refused while the writer was
// down is redelivered within the test.

let stack: RunningStack;
let work: string;
let dataDir: string;
let snapshots: readonly string[];

const count = async (sql: string) => {
  const [rows] = await stack.bigquery.query(sql);
  return Number((rows[0] as { n: number }).n);
};
const drained = () =>
  waitForDrain(
    stack.emulators.pubsub!.adminUrl,
    ['pmp-events-to-bq-sub', 'pmp-events-dataflow-sub'],
    60_000,
  );
const replay = (file: string) =>
  replayRecording({ input: file, pubsub: stack.pubsub, bigquery: stack.bigquery });
const component = (name: string) => stack.components().find((c) => c.name === name)!;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pmp-restarts-'));
  dataDir = path.join(work, 'data');
  const envDir = localConfigWithFastRetry(work, 'pmp-events-to-bq-sub');
  const recording = await exportHistory({
    dir: path.join(work, 'recording'),
    from: new Date('2025-10-18T09:00:00Z'),
    to: new Date('2025-10-18T09:01:00Z'),
  });
  snapshots = recording.files.filter((f) => path.basename(f).startsWith('station_status'));
  stack = await startLocalStack({
    envDir,
    dataDir,
    dashboard: false,
    scheduler: false,
    collectAtStart: false,
    ports: { pubsub: 0, pubsubAdmin: 0, bigquery: 0, simulator: 0, control: 0 },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('crashed components come back', () => {
  it('kill -9 of pmp-bq-writer: back on its port, restarts 1 in status, the refused push lands once', async () => {
    const before = stack.serviceProcesses().find((p) => p.name === 'pmp-bq-writer')!;
    process.kill(before.pid, 'SIGKILL');
    await eventually(
      () => (component('pmp-bq-writer').status === 'restarting' ? true : undefined),
      'the stack to notice the crash',
    );
    // Published while the writer is down: its first push is refused, the emulator retries.
    expect(await replay(snapshots[0]!)).toMatchObject({ published: 1 });

    const after = await eventually(() => {
      const p = stack.serviceProcesses().find((s) => s.name === 'pmp-bq-writer');
      return p && p.pid !== before.pid ? p : undefined;
    }, 'pmp-bq-writer to be back');
    expect(after.port).toBe(before.port);
    expect((await fetch(`${after.url}/healthz`)).status).toBe(200);
    expect(component('pmp-bq-writer')).toMatchObject({
      status: 'running',
      pid: after.pid,
      restarts: 1,
      detail: `pid ${after.pid}; restarts 1, last: killed by SIGKILL`,
    });
    // `pmp status` reads the same through the control endpoint.
    const status = await collectStackStatus({ dataDir });
    expect(status.components.find((c) => c.name === 'pmp-bq-writer')?.restarts).toBe(1);
    expect(formatStackStatus(status)).toMatch(
      /pmp-bq-writer\s+http:\/\/127\.0\.0\.1:\d+\s+running\s+pid \d+; restarts 1, last: killed by SIGKILL/,
    );

    await eventually(
      async () =>
        (await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw')) === 1
          ? true
          : undefined,
      'the redelivered push to land',
    );
    await drained();
    expect(await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw')).toBe(1);
  }, 60_000);

  it('the curated runner thread comes back after it dies and curates on, keeping its totals', async () => {
    await drained();
    const stations = await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status');
    expect(stations).toBeGreaterThan(1000);
    // The stack's own runner steps aside, so the one under test is the subscription's only reader;
    // it is the same supervised runner the stack starts (stack.ts).
    await stack.pause();
    const runner = await startSupervisedCuratedRunner({
      runner: {
        projectId: stack.projectId,
        inputSubscription: 'pmp-events-dataflow-sub',
        outputTable: `${stack.projectId}:pmp_curated.velib_station_status`,
        dlqTable: `${stack.projectId}:pmp_ops.velib_station_status_curated_dlq`,
        maxWaitMs: 200,
      },
      pubsubHost: stack.env.PUBSUB_EMULATOR_HOST,
      bigqueryUrl: stack.env.BIGQUERY_EMULATOR_HOST,
      log: silentLogger(),
    });
    try {
      await runner.crash();
      await eventually(() => (runner.phase() === 'restarting' ? true : undefined), 'the crash');
      await eventually(() => (runner.phase() === 'running' ? true : undefined), 'the restart');
      expect(runner.restarts()).toBe(1);
      expect(runner.describeRestarts()).toBe('restarts 1, last: thread exited with code 1');

      expect(await replay(snapshots[1]!)).toMatchObject({ published: 1 });
      await drained();
      expect(await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status')).toBe(
        2 * stations,
      );
      expect(runner.stats().messagesAcked).toBe(1);
    } finally {
      await runner.stop();
      await stack.resume();
    }
    expect(runner.phase()).toBe('stopped');
    expect(component('pmp-velib-curated').status).toBe('running');
  }, 60_000);
});

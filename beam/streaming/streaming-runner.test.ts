import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../runtime/testing/eventually.js';
import { startCuratedStreamingRunner } from './streaming-runner.js';
import { startCuratedStreamingRunnerThread } from './streaming-runner-thread.js';
import {
  CURATED_INPUT,
  CURATED_TABLE_SPECS,
  CURATED_TEST_PROJECT,
  startCuratedEmulators,
  type CuratedEmulators,
} from '../testing/curated-emulators.js';
import {
  envelopeLine,
  repoRoot,
  STATUS_FIXTURES,
  STREAM_WITH_POISON,
} from '../testing/fixtures.js';

const runnerBase = {
  projectId: CURATED_TEST_PROJECT,
  inputSubscription: CURATED_INPUT.subscription,
  ...CURATED_TABLE_SPECS,
};

/** Waits until `predicate` holds (40 s at most: a crashed batch's lease must expire first). */
const until = (predicate: () => boolean, what: string) =>
  eventually(() => (predicate() ? true : undefined), what, 40_000);

describe('curated streaming runner on the Pub/Sub and BigQuery emulators', () => {
  let emulators: CuratedEmulators;

  beforeAll(async () => {
    // One ack-deadline second lasts 100 ms: a 10 s lease expires after 1 s. The clients are
    // configured the way the runner is in production: by the emulator host variables alone.
    emulators = await startCuratedEmulators({
      ackDeadlineSeconds: 10,
      ackDeadlineUnitMs: 100,
      clientsFromEnvironment: true,
    });
  });

  afterAll(async () => {
    await emulators?.close();
  });

  const rows = () => emulators.curatedRows();
  const dlq = () => emulators.dlqRecords();

  it('survives a kill between write and ack: every station row lands exactly once', async () => {
    const messages = STREAM_WITH_POISON.messages();
    for (const data of messages) await emulators.topic.publishMessage({ data: Buffer.from(data) });
    const expectedRows = STREAM_WITH_POISON.rows;

    // 1. A runner in its own process writes its first batch, then is SIGKILLed before acking.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'beam/testing/crash-before-ack.ts')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PROJECT_ID: CURATED_TEST_PROJECT,
          INPUT_SUBSCRIPTION: CURATED_INPUT.subscription,
          OUTPUT_TABLE: CURATED_TABLE_SPECS.outputTable,
          DLQ_TABLE: CURATED_TABLE_SPECS.dlqTable,
          MAX_MESSAGES: '2',
          PUBSUB_EMULATOR_HOST: emulators.pubsubHost,
          BIGQUERY_EMULATOR_HOST: emulators.bigqueryUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect({ code, signal, stderr: stderr.slice(0, 2000) }).toMatchObject({ signal: 'SIGKILL' });
    const written = JSON.parse(stdout.slice(stdout.indexOf('WRITTEN ') + 8).split('\n')[0]!) as {
      messageIds: string[];
      rowsInserted: number;
      dlqInserted: number;
    };
    expect(written.messageIds).toHaveLength(2);
    const afterCrash = (await rows()).length + (await dlq()).length;
    expect(afterCrash).toBe(written.rowsInserted + written.dlqInserted);
    expect(afterCrash).toBeGreaterThan(0);

    // 2. A fresh runner gets everything, including the crashed batch once its lease expires.
    const runner = await startCuratedStreamingRunner({
      ...runnerBase,
      maxMessages: 2,
      maxWaitMs: 100,
      pubsub: emulators.pubsub,
      bigquery: emulators.bigquery,
    });
    try {
      await until(() => runner.stats().messagesAcked >= messages.length, 'all messages acked');
    } finally {
      await runner.stop();
    }
    expect(runner.stats()).toMatchObject({ messagesAcked: messages.length, failedBatches: 0 });
    // The crashed batch was delivered and written again: the rewrite was absorbed by insertIds.
    expect(runner.stats().rowsInserted + runner.stats().dlqInserted).toBe(expectedRows + 2);

    const curated = await rows();
    expect(curated).toHaveLength(expectedRows);
    const keys = new Set(curated.map((r) => `${JSON.stringify(r.event_ts)}|${r.station_id}`));
    expect(keys.size).toBe(expectedRows);
    const failures = await dlq();
    expect(failures.map((r) => r.stage).sort()).toEqual(['parse_normalize', 'parse_normalize']);
  }, 90_000);

  it('runs the same way on its own thread, logging through the parent', async () => {
    const before = { rows: (await rows()).length, dlq: (await dlq()).length };
    const messages = [...STATUS_FIXTURES.map((f) => envelopeLine(f)), '{not json'];
    for (const data of messages) await emulators.topic.publishMessage({ data: Buffer.from(data) });
    const records: { msg?: string; messages?: number }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => records.push(JSON.parse(line) as { msg?: string }) },
    );

    const runner = await startCuratedStreamingRunnerThread({
      runner: { ...runnerBase, maxMessages: 2, maxWaitMs: 100 },
      pubsubHost: emulators.pubsubHost,
      bigqueryUrl: emulators.bigqueryUrl,
      logger,
    });
    try {
      await until(() => runner.stats().messagesAcked >= messages.length, 'thread acks');
    } finally {
      await runner.stop();
    }
    expect(runner.stats()).toMatchObject({
      messagesAcked: messages.length,
      failedBatches: 0,
      rowsInserted: STREAM_WITH_POISON.rows,
      dlqInserted: 1,
    });
    expect((await rows()).length - before.rows).toBe(STREAM_WITH_POISON.rows);
    expect((await dlq()).length - before.dlq).toBe(1);
    const written = records.filter((r) => r.msg === 'curated batch written');
    expect(written.reduce((n, r) => n + (r.messages ?? 0), 0)).toBe(messages.length);
    await expect(
      startCuratedStreamingRunnerThread({
        runner: { ...runnerBase, inputSubscription: 'no-such-sub' },
        pubsubHost: emulators.pubsubHost,
        bigqueryUrl: emulators.bigqueryUrl,
      }),
    ).rejects.toThrow(/INPUT_SUBSCRIPTION no-such-sub does not exist/);
  }, 60_000);
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curatedDlqTable,
  stationStatusCuratedTable,
  type CuratedDlqRow,
  type CuratedStatusRow,
} from '../../core/index.js';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
} from '../../local/bigquery-emulator/index.js';
import { startPubSubEmulator, type PubSubEmulator } from '../../local/pubsub-emulator/index.js';
import { silentLogger } from '../../runtime/logger.js';
import { startCuratedStreamingRunner } from './streaming-runner.js';
import { startCuratedStreamingRunnerThread } from './streaming-runner-thread.js';
import { createTable } from '../testing/warehouse-tables.js';
import { envelopeLine, repoRoot, STATUS_FIXTURES } from '../testing/fixtures.js';

const PROJECT = 'pmp-local';
const TOPIC = 'pmp-events';
const SUBSCRIPTION = 'pmp-events-dataflow-sub';
const OUTPUT_TABLE = 'pmp_curated.velib_station_status';
const DLQ_TABLE = 'pmp_ops.velib_station_status_curated_dlq';
const runnerBase = {
  projectId: PROJECT,
  inputSubscription: SUBSCRIPTION,
  outputTable: OUTPUT_TABLE,
  dlqTable: DLQ_TABLE,
};

async function until(predicate: () => Promise<boolean>, what: string, timeoutMs = 40_000) {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('curated streaming runner on the Pub/Sub and BigQuery emulators', () => {
  let bq: BigQueryEmulator;
  let ps: PubSubEmulator;
  let bigquery: BigQuery;
  let pubsub: PubSub;

  beforeAll(async () => {
    bq = await startBigQueryEmulator({ port: 0, log: silentLogger() });
    // One ack-deadline second lasts 100 ms: a 10 s lease expires after 1 s.
    ps = await startPubSubEmulator({
      port: 0,
      adminPort: 0,
      log: silentLogger(),
      ackDeadlineUnitMs: 100,
    });
    // The official clients, configured the way the runner is in production: by the emulator host
    // variables alone (read by the constructors; restored right after).
    const saved = { ...process.env };
    process.env.PUBSUB_EMULATOR_HOST = ps.host;
    process.env.BIGQUERY_EMULATOR_HOST = bq.url;
    pubsub = new PubSub({ projectId: PROJECT });
    bigquery = new BigQuery({ projectId: PROJECT });
    for (const name of ['PUBSUB_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await createTable(bigquery, stationStatusCuratedTable);
    await createTable(bigquery, curatedDlqTable);
    const [topic] = await pubsub.createTopic(TOPIC);
    await topic.createSubscription(SUBSCRIPTION, { ackDeadlineSeconds: 10 });
  });

  afterAll(async () => {
    await pubsub?.close();
    await ps?.close();
    await bq?.close();
  });

  const rows = async () =>
    (
      await bigquery.dataset('pmp_curated').table('velib_station_status').getRows()
    )[0] as CuratedStatusRow[];
  const dlq = async () =>
    (
      await bigquery.dataset('pmp_ops').table('velib_station_status_curated_dlq').getRows()
    )[0] as CuratedDlqRow[];

  it('survives a kill between write and ack: every station row lands exactly once', async () => {
    const topic = pubsub.topic(TOPIC);
    const messages = [
      ...STATUS_FIXTURES.map((f) => envelopeLine(f)),
      envelopeLine('station_information.json', 'station_information_snapshot'),
      '{not json',
      JSON.stringify({ ingest_ts: '2025-10-18T09:10:00Z', source: 'velib' }),
    ];
    for (const data of messages) await topic.publishMessage({ data: Buffer.from(data) });
    const expectedRows = 1495 + 1439 + 1485;

    // 1. A runner in its own process writes its first batch, then is SIGKILLed before acking.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'beam/testing/crash-before-ack.ts')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PROJECT_ID: PROJECT,
          INPUT_SUBSCRIPTION: SUBSCRIPTION,
          OUTPUT_TABLE,
          DLQ_TABLE,
          MAX_MESSAGES: '2',
          PUBSUB_EMULATOR_HOST: ps.host,
          BIGQUERY_EMULATOR_HOST: bq.url,
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
      projectId: PROJECT,
      inputSubscription: SUBSCRIPTION,
      outputTable: OUTPUT_TABLE,
      dlqTable: DLQ_TABLE,
      maxMessages: 2,
      maxWaitMs: 100,
      pubsub,
      bigquery,
    });
    try {
      await until(
        async () => runner.stats().messagesAcked >= messages.length,
        'all messages acked',
      );
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
    const topic = pubsub.topic(TOPIC);
    const messages = [...STATUS_FIXTURES.map((f) => envelopeLine(f)), '{not json'];
    for (const data of messages) await topic.publishMessage({ data: Buffer.from(data) });
    const records: { msg?: string; messages?: number }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => records.push(JSON.parse(line) as { msg?: string }) },
    );

    const runner = await startCuratedStreamingRunnerThread({
      runner: { ...runnerBase, maxMessages: 2, maxWaitMs: 100 },
      pubsubHost: ps.host,
      bigqueryUrl: bq.url,
      logger,
    });
    try {
      await until(async () => runner.stats().messagesAcked >= messages.length, 'thread acks');
    } finally {
      await runner.stop();
    }
    expect(runner.stats()).toMatchObject({
      messagesAcked: messages.length,
      failedBatches: 0,
      rowsInserted: 1495 + 1439 + 1485,
      dlqInserted: 1,
    });
    expect((await rows()).length - before.rows).toBe(1495 + 1439 + 1485);
    expect((await dlq()).length - before.dlq).toBe(1);
    const written = records.filter((r) => r.msg === 'curated batch written');
    expect(written.reduce((n, r) => n + (r.messages ?? 0), 0)).toBe(messages.length);
    await expect(
      startCuratedStreamingRunnerThread({
        runner: { ...runnerBase, inputSubscription: 'no-such-sub' },
        pubsubHost: ps.host,
        bigqueryUrl: bq.url,
      }),
    ).rejects.toThrow(/INPUT_SUBSCRIPTION no-such-sub does not exist/);
  }, 60_000);
});

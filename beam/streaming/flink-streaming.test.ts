import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlinkCuratedStreaming, type RunningFlinkStreaming } from './flink-streaming.js';
import {
  CURATED_INPUT,
  CURATED_TEST_PROJECT,
  startCuratedEmulators,
  type CuratedEmulators,
} from '../testing/curated-emulators.js';
import { STREAM_WITH_POISON } from '../testing/fixtures.js';

/*
 * The Dataflow variant's graph as a streaming job on an embedded Flink: Java PubsubIO reads our
 * emulator over Pub/Sub's REST API, the TypeScript composite runs in LOOPBACK workers, and rows
 * leave through the spool sink and loader (Java's BigQuery write cannot reach the emulator).
 */

/** getRows answers TIMESTAMP columns as BigQueryTimestamp objects. */
const timestampText = (value: unknown) =>
  typeof value === 'object' && value !== null && 'value' in value
    ? String(value.value)
    : String(value);

describe('the curated job streaming on embedded Flink from the Pub/Sub emulator', () => {
  let emulators: CuratedEmulators;
  let job: RunningFlinkStreaming | undefined;
  const spoolDir = mkdtempSync(join(tmpdir(), 'pmp-flink-spool-'));

  beforeAll(async () => {
    emulators = await startCuratedEmulators({ ackDeadlineSeconds: 60 });
  }, 120_000);

  afterAll(async () => {
    await job?.stop().catch(() => undefined);
    await emulators?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('curates each published snapshot once and dead-letters the poison messages', async () => {
    job = await startFlinkCuratedStreaming({
      subscription: `projects/${CURATED_TEST_PROJECT}/subscriptions/${CURATED_INPUT.subscription}`,
      pubsubRootUrl: `http://${emulators.pubsubHost}`,
      curatedTable: emulators.curatedTable,
      dlqTable: emulators.dlqTable,
      spoolDir,
    });
    for (const data of STREAM_WITH_POISON.messages()) {
      await emulators.topic.publishMessage({ data: Buffer.from(data) });
    }
    const expectedRows = STREAM_WITH_POISON.rows;

    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const { rowsInserted, dlqInserted } = job.totals(); // throws if the job failed
      if (rowsInserted >= expectedRows && dlqInserted >= 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // A little longer: a redelivery would land now if acks were lost.
    await new Promise((r) => setTimeout(r, 3_000));
    const totals = await job.stop();
    job = undefined;

    const landed = await emulators.curatedRows();
    expect(totals.rowsInserted).toBe(expectedRows);
    expect(landed).toHaveLength(expectedRows);
    const keys = new Set(landed.map((r) => `${timestampText(r.event_ts)}|${r.station_id}`));
    expect(keys.size).toBe(expectedRows);
    const dead = await emulators.dlqRecords();
    expect(dead.map((d) => d.stage).sort()).toEqual(['parse_normalize', 'parse_normalize']);
    expect(dead.some((d) => d.raw?.includes('{not json'))).toBe(true);
  }, 300_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
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
import { startFlinkCuratedStreaming, type RunningFlinkStreaming } from './flink-streaming.js';
import { createTable } from '../testing/warehouse-tables.js';
import { envelopeLine, STATUS_FIXTURES } from '../testing/fixtures.js';

/*
 * The Dataflow variant's graph as a streaming job on an embedded Flink: Java PubsubIO reads our
 * emulator over Pub/Sub's REST API, the TypeScript composite runs in LOOPBACK workers, and rows
 * leave through the spool sink and loader (Java's BigQuery write cannot reach the emulator).
 */

const PROJECT = 'pmp-local';
const TOPIC = 'pmp-events';
const SUBSCRIPTION = 'pmp-events-dataflow-sub';

/** getRows answers TIMESTAMP columns as BigQueryTimestamp objects. */
const timestampText = (value: unknown) =>
  typeof value === 'object' && value !== null && 'value' in value
    ? String(value.value)
    : String(value);

describe('the curated job streaming on embedded Flink from the Pub/Sub emulator', () => {
  let bq: BigQueryEmulator;
  let ps: PubSubEmulator;
  let bigquery: BigQuery;
  let pubsub: PubSub;
  let job: RunningFlinkStreaming | undefined;
  const spoolDir = mkdtempSync(join(tmpdir(), 'pmp-flink-spool-'));

  beforeAll(async () => {
    bq = await startBigQueryEmulator({ port: 0, log: silentLogger() });
    ps = await startPubSubEmulator({ port: 0, adminPort: 0, log: silentLogger() });
    pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: ps.host, emulatorMode: true });
    bigquery = new BigQuery({ projectId: PROJECT, apiEndpoint: bq.url });
    await createTable(bigquery, stationStatusCuratedTable);
    await createTable(bigquery, curatedDlqTable);
    const [topic] = await pubsub.createTopic(TOPIC);
    await topic.createSubscription(SUBSCRIPTION, { ackDeadlineSeconds: 60 });
  }, 120_000);

  afterAll(async () => {
    await job?.stop().catch(() => undefined);
    await pubsub?.close();
    await ps?.close();
    await bq?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const rows = async () =>
    (
      await bigquery.dataset('pmp_curated').table('velib_station_status').getRows()
    )[0] as CuratedStatusRow[];
  const dlq = async () =>
    (
      await bigquery.dataset('pmp_ops').table('velib_station_status_curated_dlq').getRows()
    )[0] as CuratedDlqRow[];

  it('curates each published snapshot once and dead-letters the poison messages', async () => {
    job = await startFlinkCuratedStreaming({
      subscription: `projects/${PROJECT}/subscriptions/${SUBSCRIPTION}`,
      pubsubRootUrl: `http://${ps.host}`,
      curatedTable: bigquery.dataset('pmp_curated').table('velib_station_status'),
      dlqTable: bigquery.dataset('pmp_ops').table('velib_station_status_curated_dlq'),
      spoolDir,
    });
    const topic = pubsub.topic(TOPIC);
    const messages = [
      ...STATUS_FIXTURES.map((f) => envelopeLine(f)),
      envelopeLine('station_information.json', 'station_information_snapshot'),
      '{not json',
      JSON.stringify({ ingest_ts: '2025-10-18T09:10:00Z', source: 'velib' }),
    ];
    for (const data of messages) await topic.publishMessage({ data: Buffer.from(data) });
    const expectedRows = 1495 + 1439 + 1485;

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

    const landed = await rows();
    expect(totals.rowsInserted).toBe(expectedRows);
    expect(landed).toHaveLength(expectedRows);
    const keys = new Set(landed.map((r) => `${timestampText(r.event_ts)}|${r.station_id}`));
    expect(keys.size).toBe(expectedRows);
    const dead = await dlq();
    expect(dead.map((d) => d.stage).sort()).toEqual(['parse_normalize', 'parse_normalize']);
    expect(dead.some((d) => d.raw?.includes('{not json'))).toBe(true);
  }, 300_000);
});

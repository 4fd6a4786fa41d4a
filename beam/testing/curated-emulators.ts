import { BigQuery, type Table } from '@google-cloud/bigquery';
import { PubSub, type Topic } from '@google-cloud/pubsub';
import {
  curatedDlqTable,
  stationStatusCuratedTable,
  SUBSCRIPTIONS,
  TOPICS,
  type CuratedDlqRow,
  type CuratedStatusRow,
} from '../../core/index.js';
import { startBigQueryEmulator } from '../../local/bigquery-emulator/index.js';
import { startPubSubEmulator } from '../../local/pubsub-emulator/index.js';
import { clientsFor } from '../../local/stack/connect.js';
import { silentLogger } from '../../runtime/logger.js';
import { createTable } from './warehouse-tables.js';

export const CURATED_TEST_PROJECT = 'pmp-local';
/** The curated job's input: `pmp-events` and its `pmp-events-dataflow-sub`. */
export const CURATED_INPUT = {
  topic: TOPICS.events,
  subscription: SUBSCRIPTIONS.eventsDataflow,
} as const;
/** The runner's table options for the tables made here. */
export const CURATED_TABLE_SPECS = {
  outputTable: `${stationStatusCuratedTable.datasetId}.${stationStatusCuratedTable.tableId}`,
  dlqTable: `${curatedDlqTable.datasetId}.${curatedDlqTable.tableId}`,
} as const;

/** Both emulators, the curated job's input subscription and its two tables, ready for a run. */
export interface CuratedEmulators {
  /** host:port of the Pub/Sub emulator (PUBSUB_EMULATOR_HOST). */
  readonly pubsubHost: string;
  /** http://host:port of the BigQuery emulator (BIGQUERY_EMULATOR_HOST). */
  readonly bigqueryUrl: string;
  readonly pubsub: PubSub;
  readonly bigquery: BigQuery;
  readonly topic: Topic;
  readonly curatedTable: Table;
  readonly dlqTable: Table;
  curatedRows(): Promise<CuratedStatusRow[]>;
  dlqRecords(): Promise<CuratedDlqRow[]>;
  close(): Promise<void>;
}

export interface CuratedEmulatorOptions {
  readonly ackDeadlineSeconds: number;
  /** One ack-deadline second lasts this many ms (the emulator's test clock). @default 1000 */
  readonly ackDeadlineUnitMs?: number;
  /**
   * Build the clients from PUBSUB_EMULATOR_HOST and BIGQUERY_EMULATOR_HOST alone, as the runner is
   * configured in production (set for the constructors, restored right after). @default false
   */
  readonly clientsFromEnvironment?: boolean;
}

/** Starts both emulators on free ports and provisions what the curated job reads and writes. */
export async function startCuratedEmulators(
  options: CuratedEmulatorOptions,
): Promise<CuratedEmulators> {
  const bq = await startBigQueryEmulator({ port: 0, log: silentLogger() });
  const ps = await startPubSubEmulator({
    port: 0,
    adminPort: 0,
    log: silentLogger(),
    ...(options.ackDeadlineUnitMs === undefined
      ? {}
      : { ackDeadlineUnitMs: options.ackDeadlineUnitMs }),
  });
  const { pubsub, bigquery } = options.clientsFromEnvironment
    ? clientsFor({ pubsubHost: ps.host, bigqueryUrl: bq.url, projectId: CURATED_TEST_PROJECT })
    : {
        pubsub: new PubSub({
          projectId: CURATED_TEST_PROJECT,
          apiEndpoint: ps.host,
          emulatorMode: true,
        }),
        bigquery: new BigQuery({ projectId: CURATED_TEST_PROJECT, apiEndpoint: bq.url }),
      };
  await createTable(bigquery, stationStatusCuratedTable);
  await createTable(bigquery, curatedDlqTable);
  const [topic] = await pubsub.createTopic(CURATED_INPUT.topic);
  await topic.createSubscription(CURATED_INPUT.subscription, {
    ackDeadlineSeconds: options.ackDeadlineSeconds,
  });
  const table = (def: { datasetId: string; tableId: string }) =>
    bigquery.dataset(def.datasetId).table(def.tableId);
  const curated = table(stationStatusCuratedTable);
  const dlq = table(curatedDlqTable);
  return {
    pubsubHost: ps.host,
    bigqueryUrl: bq.url,
    pubsub,
    bigquery,
    topic,
    curatedTable: curated,
    dlqTable: dlq,
    curatedRows: async () => (await curated.getRows())[0] as CuratedStatusRow[],
    dlqRecords: async () => (await dlq.getRows())[0] as CuratedDlqRow[],
    async close() {
      await pubsub.close();
      await ps.close();
      await bq.close();
    },
  };
}

// The local stack for the services' tests: both emulators in-process on ephemeral ports, the
// official clients pointed at them through the emulator host variables only, and the warehouse
// tables created from core's definitions. Test-only: services never import local/ otherwise.
import { BigQuery, type TableField } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { TABLES } from '../../core/index.js';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
} from '../../local/bigquery-emulator/index.js';
import { startPubSubEmulator, type PubSubEmulator } from '../../local/pubsub-emulator/index.js';
import { silentLogger } from '../../runtime/logger.js';

export const PROJECT = 'pmp-test';

export interface Stack {
  readonly pubsubEmulator: PubSubEmulator;
  readonly bigqueryEmulator: BigQueryEmulator;
  readonly pubsub: PubSub;
  readonly bigquery: BigQuery;
  close(): Promise<void>;
}

/** Builds clients while the emulator host variables are set, then restores the environment. */
export function withEmulatorEnv<T>(
  hosts: { pubsub?: string; bigquery?: string },
  build: () => T,
): T {
  const saved = {
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    BIGQUERY_EMULATOR_HOST: process.env.BIGQUERY_EMULATOR_HOST,
  };
  if (hosts.pubsub) process.env.PUBSUB_EMULATOR_HOST = hosts.pubsub;
  if (hosts.bigquery) process.env.BIGQUERY_EMULATOR_HOST = hosts.bigquery;
  try {
    return build();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function startStack(options: { ackDeadlineUnitMs?: number } = {}): Promise<Stack> {
  const [pubsubEmulator, bigqueryEmulator] = await Promise.all([
    startPubSubEmulator({
      port: 0,
      adminPort: 0,
      log: silentLogger(),
      ackDeadlineUnitMs: options.ackDeadlineUnitMs,
    }),
    startBigQueryEmulator({ port: 0, log: silentLogger() }),
  ]);
  const { pubsub, bigquery } = withEmulatorEnv(
    { pubsub: pubsubEmulator.host, bigquery: bigqueryEmulator.url },
    () => ({
      pubsub: new PubSub({ projectId: PROJECT }),
      bigquery: new BigQuery({ projectId: PROJECT }),
    }),
  );
  for (const datasetId of new Set(TABLES.map((t) => t.datasetId))) {
    await bigquery.createDataset(datasetId);
  }
  for (const table of TABLES) {
    await bigquery.dataset(table.datasetId).createTable(table.tableId, {
      schema: { fields: JSON.parse(JSON.stringify(table.fields)) as TableField[] },
      ...(table.timePartitioning ? { timePartitioning: { ...table.timePartitioning } } : {}),
      ...(table.clustering ? { clustering: { fields: [...table.clustering] } } : {}),
    });
  }
  return {
    pubsubEmulator,
    bigqueryEmulator,
    pubsub,
    bigquery,
    close: async () => {
      await pubsub.close();
      await Promise.all([pubsubEmulator.close(), bigqueryEmulator.close()]);
    },
  };
}

/** Rows of a table through tabledata.list. */
export async function tableRows(
  bigquery: BigQuery,
  datasetId: string,
  tableId: string,
): Promise<Record<string, unknown>[]> {
  const [rows] = await bigquery.dataset(datasetId).table(tableId).getRows();
  return rows as Record<string, unknown>[];
}

export { eventually } from '../../runtime/testing/eventually.js';

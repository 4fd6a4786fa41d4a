import { BigQuery, type TableField } from '@google-cloud/bigquery';
import { DATASETS, TABLES } from '../../core/warehouse/index.js';
import { orderViews, readMartViews } from '../view-order.js';

/**
 * Builds the warehouse in a BigQuery (the emulator in tests) with the official client, as the
 * charts would: every dataset, every table of core/warehouse TABLES, then every mart of sql/ as a
 * view, in dependency order.
 */
export async function createWarehouse(
  bigquery: BigQuery,
  options: { maxStaleness?: string } = {},
): Promise<void> {
  for (const datasetId of Object.values(DATASETS)) {
    const [exists] = await bigquery.dataset(datasetId).exists();
    if (!exists) await bigquery.createDataset(datasetId);
  }
  for (const table of TABLES) {
    await bigquery.dataset(table.datasetId).createTable(table.tableId, {
      // A deep, mutable copy: the definitions are readonly, the client's types are not.
      schema: { fields: structuredClone(table.fields) as TableField[] },
      ...(table.timePartitioning ? { timePartitioning: { ...table.timePartitioning } } : {}),
      ...(table.clustering ? { clustering: { fields: [...table.clustering] } } : {}),
    });
  }
  await createMartViews(bigquery, options);
}

/**
 * A `-- materialized: true` mart as BigQuery takes it: non-incremental (the marts de-duplicate with
 * a window, which incremental materialized views do not allow), which BigQuery only accepts with a
 * `maxStaleness`: queries may then answer from a refresh up to that old. Without `maxStaleness`
 * (tests, the bench) the emulator answers fresh, refreshing on the first read after a write.
 */
export function materializedViewOf(query: string, maxStaleness?: string) {
  return {
    query,
    enableRefresh: true,
    refreshIntervalMs: String(MATERIALIZED_REFRESH_MS),
    allowNonIncrementalDefinition: true,
    ...(maxStaleness !== undefined ? { maxStaleness } : {}),
  };
}

/** How often BigQuery refreshes a materialized mart in the background (its minimum is 1 minute). */
export const MATERIALIZED_REFRESH_MS = 5 * 60_000;

/** The staleness a deployed materialized mart allows (GoogleSQL INTERVAL): the refresh period. */
export const MATERIALIZED_MAX_STALENESS = '0-0 0 0:5:0';

/** Creates every sql/*.sql view in `pmp_marts`, each after the views it reads. */
export async function createMartViews(
  bigquery: BigQuery,
  options: { maxStaleness?: string } = {},
): Promise<void> {
  for (const view of orderViews(readMartViews(), DATASETS.marts)) {
    try {
      await bigquery
        .dataset(DATASETS.marts)
        .createTable(
          view.tableId,
          view.materialized
            ? { materializedView: materializedViewOf(view.query, options.maxStaleness) }
            : { view: { query: view.query, useLegacySql: false } },
        );
    } catch (error) {
      throw new Error(
        `creating view ${DATASETS.marts}.${view.tableId}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}

/**
 * The official client for `projectId` on the emulator at `url`, built as services build it: from
 * BIGQUERY_EMULATOR_HOST alone (set only while the constructor reads it, then restored).
 */
export function emulatorClient(url: string, projectId: string): BigQuery {
  const saved = process.env.BIGQUERY_EMULATOR_HOST;
  process.env.BIGQUERY_EMULATOR_HOST = url;
  try {
    return new BigQuery({ projectId });
  } finally {
    if (saved === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
    else process.env.BIGQUERY_EMULATOR_HOST = saved;
  }
}

/** Plain values for assertions: TIMESTAMP/DATETIME/DATE objects of the client become strings. */
export function plainRows(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        value !== null && typeof value === 'object' && 'value' in value
          ? String((value as { value: unknown }).value)
          : value,
      ]),
    ),
  );
}

import type { BigQuery } from '@google-cloud/bigquery';
import type { TableDefinition } from '../../core/index.js';

/** Creates `def`'s table (and its dataset when missing) in the emulator, as the manifests would. */
export async function createTable(bigquery: BigQuery, def: TableDefinition): Promise<void> {
  const dataset = bigquery.dataset(def.datasetId);
  const [exists] = await dataset.exists();
  if (!exists) await dataset.create();
  await dataset.table(def.tableId).create({
    schema: { fields: def.fields.map((f) => ({ ...f })) },
    ...(def.timePartitioning ? { timePartitioning: { ...def.timePartitioning } } : {}),
  });
}

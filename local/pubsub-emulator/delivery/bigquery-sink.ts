import { BigQuery } from '@google-cloud/bigquery';
import type { BigQueryRow, BigQueryRowSink, BigQueryTableRef } from './bigquery-worker.js';

/**
 * The real sink: tabledata.insertAll through the official client, against `BIGQUERY_EMULATOR_HOST`
 * (or the given endpoint). Any row error fails the whole call so the batch is retried.
 */
export function createBigQueryRowSink(options: { apiEndpoint?: string } = {}): BigQueryRowSink {
  const clients = new Map<string, BigQuery>();
  const client = (projectId: string) => {
    let bq = clients.get(projectId);
    if (!bq) {
      bq = new BigQuery({
        projectId,
        ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      });
      clients.set(projectId, bq);
    }
    return bq;
  };
  return {
    async insertRows(table: BigQueryTableRef, rows: readonly BigQueryRow[]): Promise<void> {
      await client(table.projectId)
        .dataset(table.datasetId)
        .table(table.tableId)
        .insert(
          rows.map((r) => ({ insertId: r.insertId, json: r.json })),
          { raw: true },
        );
    },
  };
}

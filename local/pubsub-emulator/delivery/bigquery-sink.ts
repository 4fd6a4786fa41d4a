import { BigQuery } from '@google-cloud/bigquery';
import type { BigQueryRow, BigQueryRowSink, BigQueryTableRef } from './bigquery-worker.js';

/**
 * The real sink: tabledata.insertAll through the official client. The client reads
 * BIGQUERY_EMULATOR_HOST in its constructor, so an explicit emulator host is put there for exactly
 * that moment (and restored), the same way services are configured. Any row error fails the call,
 * so the whole batch is retried (insertIds make the retry idempotent).
 */
export function createBigQueryRowSink(options: { emulatorHost?: string } = {}): BigQueryRowSink {
  const clients = new Map<string, BigQuery>();
  const client = (projectId: string) => {
    let bq = clients.get(projectId);
    if (!bq) {
      const saved = process.env.BIGQUERY_EMULATOR_HOST;
      if (options.emulatorHost) process.env.BIGQUERY_EMULATOR_HOST = options.emulatorHost;
      try {
        bq = new BigQuery({ projectId });
      } finally {
        if (saved === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
        else process.env.BIGQUERY_EMULATOR_HOST = saved;
      }
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

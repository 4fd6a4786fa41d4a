import type { Table } from '@google-cloud/bigquery';
import { buildCuratedDlqRecord, type CuratedStatusRow } from '../../core/index.js';
import {
  insertAllRow,
  partialFailureRows,
  type InsertAllRow,
} from '../../core/warehouse/insert-all-row.js';
import { dlqInsertId } from '../transform/curated-dofns.js';
import type { KeyedDlqRecord, KeyedRow } from '../transform/curated-elements.js';

/**
 * Rows per insertAll request. BigQuery recommends 500 for latency on the real service, but this
 * writer only runs against the local emulator (Dataflow writes on Google Cloud), where fewer, larger
 * requests cost far less CPU per row; 5,000 curated rows are ~3 MB, well under the 10 MB limit.
 */
export const INSERT_CHUNK_ROWS = 5_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The Pub/Sub message id inside a curated insertId `${messageId}:${station_id}`. */
function messageIdOf(insertId: string | undefined, stationId: unknown): string | undefined {
  if (insertId === undefined || typeof stationId !== 'string') return undefined;
  return insertId.endsWith(`:${stationId}`)
    ? insertId.slice(0, insertId.length - stationId.length - 1)
    : undefined;
}

export interface CuratedInsertResult {
  readonly inserted: number;
  /** Rows BigQuery rejected, as `bq_insert_curated` DLQ records carrying the row and its errors. */
  readonly failures: KeyedDlqRecord[];
}

/**
 * The streaming write stage for curated rows: insertAll with our insertIds (`raw`, so the client
 * does not invent random ones), `skipInvalidRows` so one bad row does not stop its neighbours and
 * no partial retries (a rejected row is rejected again). Rows BigQuery refuses become DLQ records;
 * any other failure (network, missing table, permission) throws, and the caller nacks the batch.
 */
export async function insertCuratedRows(
  table: Table,
  rows: readonly KeyedRow[],
  options: { destination: string; now: () => Date; chunkRows?: number },
): Promise<CuratedInsertResult> {
  let inserted = 0;
  const failures: KeyedDlqRecord[] = [];
  for (const chunk of chunks(rows, options.chunkRows ?? INSERT_CHUNK_ROWS)) {
    const payload = chunk.map((r) => insertAllRow(r.insertId, r.value));
    try {
      await table.insert(payload, { raw: true, skipInvalidRows: true, partialRetries: 0 });
      inserted += chunk.length;
    } catch (error) {
      const rejected = partialFailureRows(error);
      if (rejected === null) throw error;
      inserted += chunk.length - rejected.length;
      for (const failure of rejected) {
        // The client hands back the very rows it was given: ours, from insertAllRow.
        const row = failure.row as InsertAllRow<CuratedStatusRow>;
        const stationId = row.json.station_id;
        const messageId = messageIdOf(row.insertId, stationId);
        failures.push({
          insertId: dlqInsertId(messageId, 'bq_insert_curated', String(stationId)),
          value: buildCuratedDlqRecord({
            stage: 'bq_insert_curated',
            error: undefined,
            raw: null,
            eventMeta: { message_id: messageId ?? null, destination: options.destination },
            now: options.now(),
            row: row.json,
            bqErrors: failure.errors,
          }),
        });
      }
    }
  }
  return { inserted, failures };
}

/**
 * Writes DLQ records. A DLQ record must never be lost, so any failure, partial or not, throws and
 * the caller nacks the batch (redelivery rewrites the same insertIds).
 */
export async function insertDlqRecords(
  table: Table,
  records: readonly KeyedDlqRecord[],
  chunkRows = INSERT_CHUNK_ROWS,
): Promise<void> {
  for (const chunk of chunks(records, chunkRows)) {
    const payload = chunk.map((r) => insertAllRow(r.insertId, r.value));
    try {
      await table.insert(payload, { raw: true, partialRetries: 0 });
    } catch (error) {
      const rejected = partialFailureRows(error);
      if (rejected === null) throw error;
      const first = rejected[0]?.errors[0];
      throw new Error(
        `DLQ insert rejected ${rejected.length} of ${chunk.length} records: ${first?.reason ?? ''} ${first?.message ?? ''}`.trim(),
        { cause: error },
      );
    }
  }
}

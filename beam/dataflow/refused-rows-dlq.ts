import { requireForSerialization } from 'apache-beam/serialization';
import { buildCuratedDlqRecord, type CuratedDlqRow } from '../../core/index.js';

/**
 * An element of the Storage Write SchemaTransform's `FailedRowsWithErrors` output (Java 2.49,
 * BigQueryStorageWriteApiSchemaTransformProvider): the refused row as we sent it, and why.
 */
export interface RefusedRow {
  readonly failed_row: unknown;
  readonly error_message: string | null;
}

/** The output of the Storage Write SchemaTransform that carries refused rows with their errors. */
export const FAILED_ROWS_WITH_ERRORS = 'FailedRowsWithErrors';

/**
 * A row BigQuery refused on Dataflow → a `bq_insert_curated` DLQ record, as the local runner makes
 * from insertAll's refusals (bigquery-writes.ts): the row in `row_json`, the error in `bq_errors`
 * and `error_message`, the table in `event_meta.destination`. Without it a refused row would only
 * be counted by Java's `error-count` metric and be lost.
 */
export class RefusedRowToDlqDoFn {
  readonly beamName = 'refused_rows_to_dlq';

  constructor(private readonly destination: string) {}

  process(refused: RefusedRow): CuratedDlqRow[] {
    return [
      buildCuratedDlqRecord({
        stage: 'bq_insert_curated',
        error: undefined,
        raw: null,
        eventMeta: { destination: this.destination },
        now: new Date(),
        row: refused.failed_row,
        bqErrors: [{ message: refused.error_message ?? 'refused by BigQuery (no message)' }],
      }),
    ];
  }
}

requireForSerialization('paris-mobility-pulse/beam/dataflow/refused-rows-dlq.ts', {
  RefusedRowToDlqDoFn,
});

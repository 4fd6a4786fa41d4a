/** Where in the curated path a message failed; the `stage` column of the curated DLQ. */
export type Stage = 'parse_normalize' | 'snapshot_to_station_rows' | 'bq_insert_curated';

/**
 * A failure with the stage it belongs to and an error class for the DLQ `error_type` column. The
 * message names the field at fault, so the DLQ row reads on its own.
 */
export class StageError extends Error {
  readonly stage: Stage;
  readonly errorType: string;

  constructor(stage: Stage, errorType: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StageError';
    this.stage = stage;
    this.errorType = errorType;
  }
}

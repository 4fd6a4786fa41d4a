import * as beam from 'apache-beam';
import { withRowCoder } from 'apache-beam/transforms/internal';
import type { CuratedDlqRow, CuratedStatusRow } from '../../core/index.js';
import type { CuratedMessage } from '../transform/curated-elements.js';
import { writeToBigQueryStorage } from './bigquery-storage-write.js';
import { UnkeyDoFn } from '../transform/curated-dofns.js';
import {
  FAILED_ROWS_WITH_ERRORS,
  RefusedRowToDlqDoFn,
  type RefusedRow,
} from './refused-rows-dlq.js';
import { PubsubMessageProtoToCuratedMessageDoFn, readPubsubMessageProtos } from './pubsub-read.js';
import { curatedTransform, type CuratedPCollections } from '../transform/curated-transform.js';
import type { PipelineFn } from '../direct/direct-run.js';

export interface DataflowPipelineParams {
  /** `projects/<project>/subscriptions/pmp-events-dataflow-sub` */
  readonly inputSubscription: string;
  /** `project:pmp_curated.velib_station_status` */
  readonly outputTable: string;
  /** `project:pmp_ops.velib_station_status_curated_dlq` */
  readonly dlqTable: string;
}

/*
 * Example rows fixing the Beam schema (RowCoder) of what crosses into the Java BigQuery write: every
 * column present, with a value of the column's type (the SDK infers the schema from a value, and
 * cannot infer a type from null; every inferred field is nullable).
 */
const CURATED_ROW_SCHEMA_EXAMPLE: CuratedStatusRow = {
  ingest_ts: '2025-01-01T00:00:00Z',
  event_ts: '2025-01-01T00:00:00Z',
  station_id: '0',
  station_code: '0',
  is_installed: 0,
  is_renting: 0,
  is_returning: 0,
  last_reported_ts: '2025-01-01T00:00:00Z',
  num_bikes_available: 0,
  num_docks_available: 0,
  mechanical_available: 0,
  ebike_available: 0,
  raw_station_json: '{}',
};

const DLQ_ROW_SCHEMA_EXAMPLE: CuratedDlqRow = {
  dlq_ts: '2025-01-01T00:00:00Z',
  stage: 'parse_normalize',
  error_type: '',
  error_message: '',
  raw: '',
  event_meta: '{}',
  row_json: '',
  bq_errors: '',
};

/**
 * The Dataflow form of pmp-velib-curated: Pub/Sub read → the same curated composite → BigQuery
 * writes for rows and DLQ records; rows BigQuery refuses join the DLQ records. Read and writes are the SDK's cross-language transforms (Java
 * PubsubIO and BigQueryIO through an expansion service), the only Pub/Sub and BigQuery IO the
 * TypeScript SDK has. See docs/dataflow.md for what this can and cannot do on Dataflow.
 */
export function dataflowPipeline(params: DataflowPipelineParams): PipelineFn {
  return async (root: beam.Root) => {
    const { rows, dlq } = await curatedFromPubsub(root, params.inputSubscription);
    const written = await rows
      .apply(beam.parDo(new UnkeyDoFn<CuratedStatusRow>('rows')))
      .apply(beam.withName('rows_schema', withRowCoder(CURATED_ROW_SCHEMA_EXAMPLE)))
      .applyAsync(
        beam.withName('write_rows', writeToBigQueryStorage({ table: params.outputTable })),
      );
    const refused = refusedRowsOf(written).apply(
      beam.parDo(new RefusedRowToDlqDoFn(params.outputTable)),
    );
    await beam
      .P([dlq.apply(beam.parDo(new UnkeyDoFn<CuratedDlqRow>('dlq'))), refused])
      .apply(beam.withName('dlq_with_refused_rows', beam.flatten()))
      .apply(beam.withName('dlq_schema', withRowCoder(DLQ_ROW_SCHEMA_EXAMPLE)))
      .applyAsync(beam.withName('write_dlq', writeToBigQueryStorage({ table: params.dlqTable })));
  };
}

/** The rows write's refusals; an expansion without that output would lose them, so it is refused. */
function refusedRowsOf(
  written: Record<string, beam.PCollection<unknown>>,
): beam.PCollection<RefusedRow> {
  const refused = written[FAILED_ROWS_WITH_ERRORS];
  if (!refused) {
    throw new Error(
      `The BigQuery Storage Write expansion has no ${FAILED_ROWS_WITH_ERRORS} output ` +
        `(outputs: ${Object.keys(written).join(', ') || 'none'}); refused rows would be lost.`,
    );
  }
  return refused as beam.PCollection<RefusedRow>;
}

/**
 * The source half of the Dataflow variant: Java PubsubIO's read of `subscription`, each message
 * decoded from its PubsubMessage proto, then the curated composite. The Flink streaming run
 * (`beam/flink-streaming.ts`) puts its own sinks after exactly this.
 */
export async function curatedFromPubsub(
  root: beam.Root,
  subscription: string,
): Promise<CuratedPCollections> {
  const encoded = await root.applyAsync(readPubsubMessageProtos({ subscription }));
  const messages = encoded.apply(
    beam.parDo(new PubsubMessageProtoToCuratedMessageDoFn()),
  ) as beam.PCollection<CuratedMessage>;
  return messages.apply(curatedTransform()) as CuratedPCollections;
}

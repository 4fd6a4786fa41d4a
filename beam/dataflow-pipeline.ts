import * as beam from 'apache-beam';
import { writeToBigQuery } from 'apache-beam/io/bigqueryio';
import { readFromPubSubWithAttributes } from 'apache-beam/io/pubsub';
import { requireForSerialization } from 'apache-beam/serialization';
import { withRowCoder } from 'apache-beam/transforms/internal';
import type { CuratedDlqRow, CuratedStatusRow } from '../core/index.js';
import type { CuratedMessage } from './curated-elements.js';
import { UnkeyDoFn } from './curated-dofns.js';
import { curatedTransform, type CuratedPCollections } from './curated-transform.js';
import type { PipelineFn } from './direct-run.js';

export interface DataflowPipelineParams {
  /** `projects/<project>/subscriptions/pmp-events-dataflow-sub` */
  readonly inputSubscription: string;
  /** `project:pmp_curated.velib_station_status` */
  readonly outputTable: string;
  /** `project:pmp_ops.velib_station_status_curated_dlq` */
  readonly dlqTable: string;
}

/** The decoded Pub/Sub message the SDK's read yields (google.pubsub.v1.PubsubMessage). */
interface PubsubMessageProto {
  data?: Uint8Array | null;
  attributes?: Record<string, string> | null;
  messageId?: string | null;
  publishTime?: { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null;
}

/** google.pubsub.v1.PubsubMessage → the composite's input element. */
export class PubsubToCuratedMessageDoFn {
  readonly beamName = 'pubsub_message';

  process(message: PubsubMessageProto): CuratedMessage[] {
    const attributes = message.attributes ?? {};
    return [
      {
        data: message.data ?? new Uint8Array(),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes: { ...attributes } } : {}),
      },
    ];
  }
}

requireForSerialization('paris-mobility-pulse/beam/dataflow-pipeline.ts', {
  PubsubToCuratedMessageDoFn,
});

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
 * writes for rows and DLQ records. Read and writes are the SDK's cross-language transforms (Java
 * PubsubIO and BigQueryIO through an expansion service), the only Pub/Sub and BigQuery IO the
 * TypeScript SDK has. See docs/dataflow.md for what this can and cannot do on Dataflow.
 */
export function dataflowPipeline(params: DataflowPipelineParams): PipelineFn {
  return async (root: beam.Root) => {
    const pubsubMessages = (await root.applyAsync(
      readFromPubSubWithAttributes({ subscription: params.inputSubscription }),
    )) as beam.PCollection<PubsubMessageProto>;
    const messages = pubsubMessages.apply(
      beam.parDo(new PubsubToCuratedMessageDoFn()),
    ) as beam.PCollection<CuratedMessage>;
    const { rows, dlq } = messages.apply(curatedTransform()) as CuratedPCollections;
    await rows
      .apply(beam.parDo(new UnkeyDoFn<CuratedStatusRow>('rows')))
      .apply(beam.withName('rows_schema', withRowCoder(CURATED_ROW_SCHEMA_EXAMPLE)))
      .applyAsync(
        beam.withName(
          'write_rows',
          writeToBigQuery(params.outputTable, { createDisposition: 'Never' }),
        ),
      );
    await dlq
      .apply(beam.parDo(new UnkeyDoFn<CuratedDlqRow>('dlq')))
      .apply(beam.withName('dlq_schema', withRowCoder(DLQ_ROW_SCHEMA_EXAMPLE)))
      .applyAsync(
        beam.withName(
          'write_dlq',
          writeToBigQuery(params.dlqTable, { createDisposition: 'Never' }),
        ),
      );
  };
}

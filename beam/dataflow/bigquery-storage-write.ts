import { MessageType, ScalarType } from '@protobuf-ts/runtime';
import * as beam from 'apache-beam';
import { RowCoder } from 'apache-beam/coders/row_coder';
import protobuf from 'protobufjs';
import { Schema } from 'apache-beam/proto/schema';
import { rawExternalTransform } from 'apache-beam/transforms/external';
import { withName, type AsyncPTransform } from 'apache-beam/transforms/transform';
import { serviceProviderFromJavaGradleTarget } from 'apache-beam/utils/service';
import { GCP_IO_EXPANSION_TARGET } from './pubsub-read.js';

/** Java's BigQuery Storage Write API SchemaTransform (BigQueryStorageWriteApiSchemaTransformProvider). */
export const BIGQUERY_STORAGE_WRITE_ID =
  'beam:schematransform:org.apache.beam:bigquery_storage_write:v1';

/** The URN under which an expansion service expands any SchemaTransform it knows by identifier. */
export const SCHEMA_TRANSFORM_URN = 'beam:expansion:payload:schematransform:v1';

/*
 * Why not the SDK's writeToBigQuery: in 2.49 it asks for `schemaio_bigquery_write:v1`, which the
 * GCP IO expansion service built from Maven Central's artifacts does not register ("Unknown urn":
 * its registrar lives in beam-sdks-java-extensions-schemaio-expansion-service), and which has no
 * failed-rows output anyway. Java's own cross-language BigQuery write in 2.49 is the Storage Write
 * SchemaTransform, the one Python's StorageWriteToBigQuery uses; it returns the rows BigQuery
 * refused. The TypeScript SDK's generated protos predate SchemaTransformPayload
 * (beam_runner_api's external_transforms.proto), so its three fields are declared here.
 */
const SchemaTransformPayload = new MessageType<{
  identifier: string;
  configurationSchema?: Schema;
  configurationRow: Uint8Array;
}>('org.apache.beam.model.pipeline.v1.SchemaTransformPayload', [
  { no: 1, name: 'identifier', kind: 'scalar', T: ScalarType.STRING },
  { no: 2, name: 'configuration_schema', kind: 'message', T: () => Schema },
  { no: 3, name: 'configuration_row', kind: 'scalar', T: ScalarType.BYTES },
]);

export interface StorageWriteOptions {
  /** `project:dataset.table` or `project.dataset.table` */
  readonly table: string;
  /** @default 'CREATE_NEVER' (the charts own every table) */
  readonly createDisposition?: 'CREATE_NEVER' | 'CREATE_IF_NEEDED';
  /** Commit every N seconds on an unbounded input. @default 5 */
  readonly triggeringFrequencySeconds?: number;
}

/*
 * The configuration row, in the field order of the provider's own schema: the expansion service
 * decodes the row with that schema, not with the one sent beside it, so order is part of the
 * contract (it checks the two are assignable first, and names both when they are not).
 */
function configurationPayload(options: StorageWriteOptions): Uint8Array {
  const configuration = {
    autoSharding: null,
    createDisposition: options.createDisposition ?? 'CREATE_NEVER',
    table: options.table,
    triggeringFrequencySeconds: options.triggeringFrequencySeconds ?? 5,
    useAtLeastOnceSemantics: null,
    writeDisposition: 'WRITE_APPEND',
  };
  const schema = RowCoder.inferSchemaOfJSON({
    ...configuration,
    autoSharding: false,
    useAtLeastOnceSemantics: false,
  });
  // The provider declares `table` NOT NULL; the SDK infers every field nullable.
  for (const field of schema.fields) if (field.name === 'table') field.type!.nullable = false;
  const row = new protobuf.Writer();
  new RowCoder(schema).encode(configuration, row, null as never);
  return SchemaTransformPayload.toBinary({
    identifier: BIGQUERY_STORAGE_WRITE_ID,
    configurationSchema: schema,
    configurationRow: row.finish(),
  });
}

/** Rows with a Beam schema (withRowCoder) → BigQuery through Java's Storage Write API. */
export function writeToBigQueryStorage(
  options: StorageWriteOptions,
): AsyncPTransform<beam.PCollection<unknown>, Record<string, beam.PCollection<unknown>>> {
  const write = rawExternalTransform<
    Record<string, beam.PCollection<unknown>>,
    Record<string, beam.PCollection<unknown>>
  >(
    SCHEMA_TRANSFORM_URN,
    configurationPayload(options),
    serviceProviderFromJavaGradleTarget(GCP_IO_EXPANSION_TARGET),
  );
  return withName('write_bigquery_storage', async (rows: beam.PCollection<unknown>) =>
    beam.P({ input: rows }).applyAsync(write),
  );
}

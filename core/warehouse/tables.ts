import type { FieldMode, FieldSchema, FieldType, TableDefinition } from './schema.js';

/**
 * The one definition of every warehouse table. The charts render these into BigQueryTable objects,
 * `pmp reconcile` creates them in the emulator from the rendered manifests, and the writers' row
 * types are derived from them (`RowOf`), so none of those can drift apart.
 */

function field<N extends string, T extends FieldType, M extends FieldMode>(
  name: N,
  type: T,
  mode: M,
  description: string,
): FieldSchema & { name: N; type: T; mode: M } {
  return { name, type, mode, description };
}

export const DATASETS = {
  raw: 'pmp_raw',
  curated: 'pmp_curated',
  marts: 'pmp_marts',
  ops: 'pmp_ops',
} as const;

export const stationStatusRawTable = {
  datasetId: DATASETS.raw,
  tableId: 'velib_station_status_raw',
  description:
    'One row per station_status snapshot as published to pmp-events (insertId = messageId).',
  fields: [
    field('ingest_ts', 'TIMESTAMP', 'REQUIRED', 'When the collector fetched the feed (UTC).'),
    field(
      'event_ts',
      'TIMESTAMP',
      'NULLABLE',
      'Feed timestamp (lastUpdatedOther or last_updated).',
    ),
    field('source', 'STRING', 'REQUIRED', 'Feed source, "velib".'),
    field('event_type', 'STRING', 'REQUIRED', 'Envelope event type.'),
    field('key', 'STRING', 'NULLABLE', '<source>:<event_type>.'),
    field('message_id', 'STRING', 'REQUIRED', 'Pub/Sub message id.'),
    field('publish_time', 'TIMESTAMP', 'NULLABLE', 'Pub/Sub publish time.'),
    field('attributes', 'JSON', 'NULLABLE', 'Pub/Sub message attributes.'),
    field('payload', 'JSON', 'NULLABLE', 'The feed document, untouched.'),
  ],
  timePartitioning: { type: 'DAY', field: 'ingest_ts' },
} as const satisfies TableDefinition;

export const stationStatusCuratedTable = {
  datasetId: DATASETS.curated,
  tableId: 'velib_station_status',
  description: 'One row per station per station_status snapshot (pmp-velib-curated).',
  fields: [
    field('ingest_ts', 'TIMESTAMP', 'REQUIRED', 'When the collector fetched the feed (UTC).'),
    field('event_ts', 'TIMESTAMP', 'NULLABLE', 'Feed timestamp of the snapshot.'),
    field('station_id', 'STRING', 'REQUIRED', 'GBFS station_id as a string (ids exceed 2^31).'),
    field('station_code', 'STRING', 'NULLABLE', 'Operator station code (stationCode).'),
    field('is_installed', 'INT64', 'NULLABLE', '1 when the station is installed.'),
    field('is_renting', 'INT64', 'NULLABLE', '1 when the station rents bikes.'),
    field('is_returning', 'INT64', 'NULLABLE', '1 when the station accepts returns.'),
    field('last_reported_ts', 'TIMESTAMP', 'NULLABLE', 'When the station last reported.'),
    field('num_bikes_available', 'INT64', 'NULLABLE', 'Bikes available, all types.'),
    field('num_docks_available', 'INT64', 'NULLABLE', 'Free docks.'),
    field('mechanical_available', 'INT64', 'NULLABLE', 'Mechanical bikes available.'),
    field('ebike_available', 'INT64', 'NULLABLE', 'E-bikes available.'),
    field('raw_station_json', 'STRING', 'NULLABLE', 'The station object as received.'),
  ],
  timePartitioning: { type: 'DAY', field: 'ingest_ts' },
  clustering: ['station_id'],
} as const satisfies TableDefinition;

export const stationInformationTable = {
  datasetId: DATASETS.curated,
  tableId: 'velib_station_information',
  description: 'One row per station per station_information snapshot.',
  fields: [
    field('ingest_ts', 'TIMESTAMP', 'REQUIRED', 'When the collector fetched the feed (UTC).'),
    field('event_ts', 'TIMESTAMP', 'NULLABLE', 'Feed timestamp of the snapshot.'),
    field('station_id', 'STRING', 'REQUIRED', 'GBFS station_id as a string.'),
    field('station_code', 'STRING', 'NULLABLE', 'Operator station code (stationCode).'),
    field('name', 'STRING', 'NULLABLE', 'Station name as published (may carry stray spaces).'),
    field('lat', 'FLOAT64', 'NULLABLE', 'Latitude (WGS 84).'),
    field('lon', 'FLOAT64', 'NULLABLE', 'Longitude (WGS 84).'),
    field('capacity', 'INT64', 'NULLABLE', 'Number of docks (0 for some stations).'),
    field('address', 'STRING', 'NULLABLE', 'Street address when published.'),
    field('post_code', 'STRING', 'NULLABLE', 'Post code when published.'),
    field('raw_station_json', 'STRING', 'NULLABLE', 'The station object as received.'),
  ],
  timePartitioning: { type: 'DAY', field: 'ingest_ts' },
  clustering: ['station_id'],
} as const satisfies TableDefinition;

export const curatedDlqTable = {
  datasetId: DATASETS.ops,
  tableId: 'velib_station_status_curated_dlq',
  description: 'Failures of pmp-velib-curated at parse/normalize, mapping and BigQuery insert.',
  fields: [
    field('dlq_ts', 'TIMESTAMP', 'REQUIRED', 'When the failure was recorded.'),
    field(
      'stage',
      'STRING',
      'REQUIRED',
      'parse_normalize | snapshot_to_station_rows | bq_insert_curated.',
    ),
    field('error_type', 'STRING', 'REQUIRED', 'Error class.'),
    field('error_message', 'STRING', 'NULLABLE', 'Readable reason.'),
    field('raw', 'STRING', 'NULLABLE', 'The input, cut at 200,000 characters.'),
    field('event_meta', 'JSON', 'NULLABLE', 'Message id, publish time, attributes, envelope keys.'),
    field('row_json', 'STRING', 'NULLABLE', 'The curated row that failed to insert.'),
    field('bq_errors', 'STRING', 'NULLABLE', 'BigQuery insert errors as JSON.'),
  ],
  timePartitioning: { type: 'DAY', field: 'dlq_ts' },
} as const satisfies TableDefinition;

/** Written by the BigQuery subscription with writeMetadata: the column names are Pub/Sub's. */
export const stationInfoPushDlqTable = {
  datasetId: DATASETS.ops,
  tableId: 'velib_station_info_push_dlq',
  description: 'Dead-lettered station-information pushes, via a BigQuery subscription.',
  fields: [
    field('subscription_name', 'STRING', 'NULLABLE', 'Subscription that wrote the row.'),
    field('message_id', 'STRING', 'NULLABLE', 'Pub/Sub message id.'),
    field('publish_time', 'TIMESTAMP', 'NULLABLE', 'Pub/Sub publish time.'),
    field('data', 'STRING', 'NULLABLE', 'Message data.'),
    field('attributes', 'STRING', 'NULLABLE', 'Message attributes as JSON.'),
  ],
  timePartitioning: { type: 'DAY', field: 'publish_time' },
} as const satisfies TableDefinition;

/** Permanently bad pushes, recorded by a writer before it acknowledges them. */
export const writerDlqTable = {
  datasetId: DATASETS.ops,
  tableId: 'push_writer_dlq',
  description: 'Push messages a writer could never process (bad base64, JSON or shape).',
  fields: [
    field('dlq_ts', 'TIMESTAMP', 'REQUIRED', 'When the writer recorded the message.'),
    field('writer', 'STRING', 'REQUIRED', 'Service that rejected the message.'),
    field('subscription', 'STRING', 'NULLABLE', 'Push subscription name.'),
    field('message_id', 'STRING', 'NULLABLE', 'Pub/Sub message id.'),
    field('publish_time', 'TIMESTAMP', 'NULLABLE', 'Pub/Sub publish time.'),
    field('error_type', 'STRING', 'REQUIRED', 'Error class.'),
    field('error_message', 'STRING', 'NULLABLE', 'Readable reason.'),
    field('attributes', 'JSON', 'NULLABLE', 'Message attributes.'),
    field('raw', 'STRING', 'NULLABLE', 'The request body, cut at 200,000 characters.'),
  ],
  timePartitioning: { type: 'DAY', field: 'dlq_ts' },
} as const satisfies TableDefinition;

/**
 * One row per assertion per data-quality run (`pmp quality`, pmp-data-quality): what the dashboard's
 * "Data quality" panel and anyone asking "since when has this failed?" read.
 */
export const dataQualityResultsTable = {
  datasetId: DATASETS.ops,
  tableId: 'data_quality_results',
  description: 'Results of the sql/assertions checks, one row per assertion per run.',
  fields: [
    field('run_ts', 'TIMESTAMP', 'REQUIRED', 'When the run started (UTC).'),
    field('run_id', 'STRING', 'REQUIRED', 'Identifies the run; shared by its rows.'),
    field('trigger', 'STRING', 'REQUIRED', 'Who ran it: cli | scheduler.'),
    field('assertion', 'STRING', 'REQUIRED', 'Assertion name (sql/assertions/<name>.sql).'),
    field('severity', 'STRING', 'REQUIRED', 'error | warn.'),
    field('passed', 'BOOL', 'REQUIRED', 'True when the query returned no row and did not fail.'),
    field('failing_rows', 'INT64', 'NULLABLE', 'Offending rows; null when the query failed.'),
    field('sample', 'JSON', 'NULLABLE', 'Up to 5 offending rows.'),
    field('error_message', 'STRING', 'NULLABLE', 'Why the query itself failed.'),
    field('duration_ms', 'INT64', 'REQUIRED', 'How long the query took.'),
  ],
  timePartitioning: { type: 'DAY', field: 'run_ts' },
} as const satisfies TableDefinition;

/** Every table, in a stable order (rendering and reconciling iterate this list). */
export const TABLES: readonly TableDefinition[] = [
  stationStatusRawTable,
  stationStatusCuratedTable,
  stationInformationTable,
  curatedDlqTable,
  stationInfoPushDlqTable,
  writerDlqTable,
  dataQualityResultsTable,
];

/**
 * BigQuery table schema types, in the shape of the BigQuery v2 REST API (`TableFieldSchema`), so a
 * definition can be sent as-is to BigQuery, to our emulator, or rendered into a Config Connector
 * `BigQueryTable.spec.schema` string.
 */
export type FieldType =
  | 'STRING'
  | 'BYTES'
  | 'INT64'
  | 'FLOAT64'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOL'
  | 'TIMESTAMP'
  | 'DATE'
  | 'DATETIME'
  | 'TIME'
  | 'JSON'
  | 'RECORD';

export type FieldMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

export interface FieldSchema {
  readonly name: string;
  readonly type: FieldType;
  readonly mode: FieldMode;
  readonly description: string;
  readonly fields?: readonly FieldSchema[];
}

export interface TableDefinition {
  /** Dataset id, e.g. `pmp_curated`. */
  readonly datasetId: string;
  /** Table id inside the dataset, e.g. `velib_station_status`. */
  readonly tableId: string;
  readonly description: string;
  readonly fields: readonly FieldSchema[];
  /** Partitioning is DAY on a TIMESTAMP column everywhere in this project. */
  readonly timePartitioning?: { readonly type: 'DAY'; readonly field: string };
  readonly clustering?: readonly string[];
}

/** The JS value a field holds in a row we send with insertAll (timestamps as RFC 3339 strings). */
type ScalarValue<T extends FieldType> = T extends 'INT64'
  ? number | string
  : T extends 'FLOAT64' | 'NUMERIC' | 'BIGNUMERIC'
    ? number
    : T extends 'BOOL'
      ? boolean
      : T extends 'JSON'
        ? string
        : string;

type FieldValue<F extends FieldSchema> = F['mode'] extends 'REPEATED'
  ? ScalarValue<F['type']>[]
  : F['mode'] extends 'REQUIRED'
    ? ScalarValue<F['type']>
    : ScalarValue<F['type']> | null;

/**
 * The row type of a table, derived from its definition so that a writer's rows and the table the
 * charts render cannot disagree: add a column to the definition and every writer must fill it.
 */
export type RowOf<T extends { readonly fields: readonly FieldSchema[] }> = {
  [F in T['fields'][number] as F['name']]: FieldValue<F>;
};

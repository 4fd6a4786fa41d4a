/**
 * The one BigQuery → DuckDB type map, for columns (tables made through the API or by DDL), CAST
 * and typed literals, and query parameters alike, so that a value has the same DuckDB type, and
 * so the same reported type and text, whichever way it was made. Pure (no DuckDB import): the
 * SQL translator in `sql/` uses it too. The way back (DuckDB result type → reported BigQuery
 * type) is `fieldFromDuckType` in `schema.ts`.
 */

/** The types whose GoogleSQL and REST legacy names are the same. */
type SameNamed =
  | 'STRING'
  | 'BYTES'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'TIMESTAMP'
  | 'DATE'
  | 'DATETIME'
  | 'TIME'
  | 'JSON'
  | 'GEOGRAPHY';

/** A BigQuery scalar type by its GoogleSQL name. */
export type BigQueryScalar = SameNamed | 'INT64' | 'FLOAT64' | 'BOOL' | 'INTERVAL';

/** The legacy names the REST API answers with, whatever name a schema was created with. */
export type LegacyType = SameNamed | 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'RECORD';

/**
 * NUMERIC keeps BigQuery's 38 digits with scale 9. BIGNUMERIC (76 digits, scale 38) does not fit
 * DuckDB's widest DECIMAL(38), so it is VARCHAR holding the exact decimal text (canonical: no
 * exponent, no trailing fractional zeros, `decimal-text.ts`); queries report it as STRING. The
 * alternative, DECIMAL(38, 9), would hand the official client a `Big` as BigQuery does, but with
 * silently wrong digits past 9 decimals and an overflow past 29 integer digits; exact text never
 * changes a value, and a STRING report says honestly what the client then gets (a string, where
 * BigQuery's client gives a `Big` of the same digits). DuckDB cannot tag VARCHAR so that results
 * keep a BIGNUMERIC name (a user type alias is dropped at bind time; JSON's built-in one is not).
 * GEOGRAPHY is its WKT text.
 */
const DUCKDB_TYPES: Readonly<Record<BigQueryScalar, string>> = {
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  NUMERIC: 'DECIMAL(38, 9)',
  BIGNUMERIC: 'VARCHAR',
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
  TIME: 'TIME',
  JSON: 'JSON',
  GEOGRAPHY: 'VARCHAR',
  INTERVAL: 'INTERVAL',
};

/**
 * The DuckDB type of a BigQuery scalar. `NUMERIC(p, s)` becomes `DECIMAL(p, s)` (at most 38);
 * other parameters (`STRING(n)`, `BYTES(n)`, `BIGNUMERIC(p, s)`) are not enforced.
 */
export function duckDbScalarType(name: BigQueryScalar, params?: readonly number[]): string {
  const [precision, scale] = params ?? [];
  if (name === 'NUMERIC' && precision !== undefined) {
    return `DECIMAL(${Math.min(precision, 38)}, ${Math.min(scale ?? 0, 38)})`;
  }
  return DUCKDB_TYPES[name];
}

/** The scalar a REST schema's legacy type name stands for (RECORD is not a scalar). */
export function scalarOfLegacy(type: Exclude<LegacyType, 'RECORD'>): BigQueryScalar {
  switch (type) {
    case 'INTEGER':
      return 'INT64';
    case 'FLOAT':
      return 'FLOAT64';
    case 'BOOLEAN':
      return 'BOOL';
    default:
      return type;
  }
}

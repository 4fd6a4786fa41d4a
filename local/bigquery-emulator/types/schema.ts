import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { invalid } from '../errors.js';
import { duckDbScalarType, scalarOfLegacy, type LegacyType } from './bigquery-types.js';
import { quoteIdent } from './duckdb-names.js';

/** A field as the REST API carries it (`TableFieldSchema`), after normalisation. */
export interface RestField {
  name: string;
  type: LegacyType;
  mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  fields?: RestField[];
  description?: string;
}

const TYPE_ALIASES: Record<string, LegacyType> = {
  STRING: 'STRING',
  BYTES: 'BYTES',
  INTEGER: 'INTEGER',
  INT64: 'INTEGER',
  FLOAT: 'FLOAT',
  FLOAT64: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  DATETIME: 'DATETIME',
  TIME: 'TIME',
  JSON: 'JSON',
  GEOGRAPHY: 'GEOGRAPHY',
  RECORD: 'RECORD',
  STRUCT: 'RECORD',
};

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

/** Validates a schema from a request and normalises type and mode names; errors name the field. */
export function normalizeSchema(fields: unknown, path = ''): RestField[] {
  if (!Array.isArray(fields))
    throw invalid(`Schema fields${path ? ` of ${path}` : ''} must be a list`);
  const seen = new Set<string>();
  return fields.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null)
      throw invalid('Each schema field must be an object');
    const input = raw as Record<string, unknown>;
    const name = input.name;
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
      throw invalid(
        `Invalid field name "${String(name)}". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long.`,
      );
    }
    const fullName = path ? `${path}.${name}` : name;
    if (seen.has(name.toLowerCase())) throw invalid(`Field ${fullName} already exists in schema`);
    seen.add(name.toLowerCase());
    const rawType = typeof input.type === 'string' ? input.type.toUpperCase() : 'STRING';
    const type = TYPE_ALIASES[rawType];
    if (!type) throw invalid(`Invalid field type ${String(input.type)} for field ${fullName}`);
    const rawMode = typeof input.mode === 'string' ? input.mode.toUpperCase() : 'NULLABLE';
    if (rawMode !== 'NULLABLE' && rawMode !== 'REQUIRED' && rawMode !== 'REPEATED') {
      throw invalid(`Invalid field mode ${String(input.mode)} for field ${fullName}`);
    }
    const field: RestField = { name, type, mode: rawMode };
    if (typeof input.description === 'string') field.description = input.description;
    if (type === 'RECORD') {
      if (!Array.isArray(input.fields) || input.fields.length === 0) {
        throw invalid(`Field ${fullName} is type RECORD but has no schema`);
      }
      field.fields = normalizeSchema(input.fields, fullName);
    }
    return field;
  });
}

/** The DuckDB column type of a BigQuery field (`bigquery-types.ts` has the map and its reasons). */
export function duckTypeOf(field: RestField): string {
  const base =
    field.type === 'RECORD'
      ? `STRUCT(${(field.fields ?? []).map((f) => `${quoteIdent(f.name)} ${duckTypeOf(f)}`).join(', ')})`
      : duckDbScalarType(scalarOfLegacy(field.type));
  return field.mode === 'REPEATED' ? `${base}[]` : base;
}

/** Column definitions for CREATE TABLE; REQUIRED becomes NOT NULL. */
export function columnDefinitions(fields: readonly RestField[]): string {
  return fields
    .map((f) => `${quoteIdent(f.name)} ${duckTypeOf(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`)
    .join(', ');
}

/**
 * The BigQuery field that describes a DuckDB result column (query results, tables created by
 * DDL). Lists become REPEATED, structs RECORD; anything without a BigQuery equivalent is
 * reported as STRING and encoded as its text.
 */
export function fieldFromDuckType(name: string, type: DuckDBType): RestField {
  if (type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY) {
    const inner = fieldFromDuckType(name, type.valueType);
    return { ...inner, mode: 'REPEATED' };
  }
  if (type.typeId === DuckDBTypeId.STRUCT) {
    return {
      name,
      type: 'RECORD',
      mode: 'NULLABLE',
      fields: type.entryNames.map((entry, i) => fieldFromDuckType(entry, type.entryTypes[i]!)),
    };
  }
  return { name, type: legacyTypeOfScalar(type), mode: 'NULLABLE' };
}

function legacyTypeOfScalar(type: DuckDBType): LegacyType {
  if (type.alias === 'JSON') return 'JSON';
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'INTEGER';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.DECIMAL:
      return 'NUMERIC';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'TIMESTAMP';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'DATETIME';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
      return 'TIME';
    case DuckDBTypeId.BLOB:
      return 'BYTES';
    default:
      return 'STRING';
  }
}

import {
  DuckDBTypeId,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimestampValue,
  type DuckDBDateValue,
  type DuckDBTimeValue,
  type DuckDBDecimalValue,
  type DuckDBBlobValue,
} from '@duckdb/node-api';
import { quoteIdent, schemaName } from '../types/duckdb-names.js';
import {
  columnDefinitions,
  duckTypeOf,
  fieldFromDuckType,
  type RestField,
} from '../types/schema.js';

export async function createSchema(
  connection: DuckDBConnection,
  projectId: string,
  datasetId: string,
): Promise<void> {
  await connection.run(
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName(projectId, datasetId))}`,
  );
}

export async function dropSchema(
  connection: DuckDBConnection,
  projectId: string,
  datasetId: string,
): Promise<void> {
  await connection.run(
    `DROP SCHEMA IF EXISTS ${quoteIdent(schemaName(projectId, datasetId))} CASCADE`,
  );
}

export async function createTable(
  connection: DuckDBConnection,
  name: string,
  fields: readonly RestField[],
): Promise<void> {
  await connection.run(`CREATE TABLE ${name} (${columnDefinitions(fields)})`);
}

export async function createView(
  connection: DuckDBConnection,
  name: string,
  duckSql: string,
): Promise<void> {
  await connection.run(`CREATE OR REPLACE VIEW ${name} AS ${duckSql}`);
}

export async function dropRelation(
  connection: DuckDBConnection,
  name: string,
  kind: 'TABLE' | 'VIEW',
): Promise<void> {
  await connection.run(`DROP ${kind} IF EXISTS ${name}`);
}

/** The BigQuery schema of any relation or query, read from DuckDB's result types. */
export async function describeQuery(
  connection: DuckDBConnection,
  duckSql: string,
): Promise<RestField[]> {
  // Preparing is enough: DuckDB binds the statement and knows its result types without running it.
  const prepared = await connection.prepare(duckSql);
  return Array.from({ length: prepared.columnCount }, (_, i) =>
    fieldFromDuckType(prepared.columnName(i), prepared.columnType(i)),
  );
}

/** Adds new columns and relaxes REQUIRED ones, the only schema changes BigQuery allows in place. */
export async function evolveTable(
  connection: DuckDBConnection,
  name: string,
  added: readonly RestField[],
  relaxed: readonly string[],
): Promise<void> {
  for (const field of added) {
    await connection.run(
      `ALTER TABLE ${name} ADD COLUMN ${quoteIdent(field.name)} ${duckTypeOf(field)}`,
    );
  }
  for (const column of relaxed) {
    await connection.run(`ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(column)} DROP NOT NULL`);
  }
}

export async function countRows(connection: DuckDBConnection, name: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${name}`);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

export async function readRows(
  connection: DuckDBConnection,
  name: string,
  columns: readonly string[],
  offset: number,
  limit: number,
): Promise<DuckDBValue[][]> {
  const list = columns.map(quoteIdent).join(', ');
  // rowid keeps insertion order stable across pages, like BigQuery's listing of a table.
  const reader = await connection.runAndReadAll(
    `SELECT ${list} FROM ${name} ORDER BY rowid LIMIT ${limit} OFFSET ${offset}`,
  );
  return reader.getRows() as DuckDBValue[][];
}

/**
 * Appends decoded rows with DuckDB's Appender (one native call per value, no SQL parsing), which
 * is what makes streaming inserts of tens of thousands of rows per request cheap.
 */
export async function appendRows(
  connection: DuckDBConnection,
  schema: string,
  tableId: string,
  rows: readonly DuckDBValue[][],
): Promise<void> {
  if (rows.length === 0) return;
  const appender = await connection.createAppender(tableId, schema);
  try {
    const writers = Array.from({ length: appender.columnCount }, (_, i) =>
      writerFor(appender, appender.columnType(i)),
    );
    for (const row of rows) {
      for (let i = 0; i < writers.length; i++) {
        const value = row[i] ?? null;
        if (value === null) appender.appendNull();
        else writers[i]!(value);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

type Writer = (value: DuckDBValue) => void;

function writerFor(appender: DuckDBAppender, type: DuckDBType): Writer {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return (v) => appender.appendVarchar(v as string);
    case DuckDBTypeId.BIGINT:
      return (v) =>
        typeof v === 'number' ? appender.appendInteger(v) : appender.appendBigInt(v as bigint);
    case DuckDBTypeId.DOUBLE:
      return (v) => appender.appendDouble(v as number);
    case DuckDBTypeId.BOOLEAN:
      return (v) => appender.appendBoolean(v as boolean);
    case DuckDBTypeId.TIMESTAMP_TZ:
      // appendTimestampTZ builds a native value object per call (slow, GC-heavy); the plain
      // timestamp path is a direct native append, and the appender converts it to TIMESTAMPTZ in
      // the connection's time zone, which Database pins to UTC.
      return (v) =>
        appender.appendTimestamp(v as DuckDBTimestampTZValue as unknown as DuckDBTimestampValue);
    case DuckDBTypeId.TIMESTAMP:
      return (v) => appender.appendTimestamp(v as DuckDBTimestampValue);
    case DuckDBTypeId.DATE:
      return (v) => appender.appendDate(v as DuckDBDateValue);
    case DuckDBTypeId.TIME:
      return (v) => appender.appendTime(v as DuckDBTimeValue);
    case DuckDBTypeId.DECIMAL:
      return (v) => appender.appendDecimal(v as DuckDBDecimalValue);
    case DuckDBTypeId.BLOB:
      return (v) => appender.appendBlob((v as DuckDBBlobValue).bytes);
    default:
      return (v) => appender.appendValue(v, type);
  }
}

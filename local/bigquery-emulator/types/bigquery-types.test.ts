// Each BigQuery type three ways, through the official client: a column of it (insertAll, then a
// query), a CAST or typed literal of it, and the table's own schema. A value must come back with
// the same reported type and the same value whichever way it was made (one type map,
// `bigquery-types.ts`).
import type { BigQuery, Dataset } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BigQueryEmulator } from '../index.js';
import { startWithClient } from '../testing/client.js';

interface TypeCase {
  /** The type as a REST schema names it. */
  readonly column: string;
  /** What insertAll sends for the column. */
  readonly insert: unknown;
  /** The same value made in SQL (a CAST, or the typed literal where BigQuery has no CAST). */
  readonly sql: string | undefined;
  /** What the table's schema says (BigQuery's legacy names). */
  readonly tableType: string;
  /** What query results say, for the column and for the SQL value alike. */
  readonly queryType: string;
  /** The value the client hands back, made plain (`plain`). */
  readonly value: unknown;
}

const CASES: readonly TypeCase[] = [
  {
    column: 'INT64',
    insert: '42',
    sql: "CAST('42' AS INT64)",
    tableType: 'INTEGER',
    queryType: 'INTEGER',
    value: 42,
  },
  {
    column: 'FLOAT64',
    insert: 1.25,
    sql: "CAST('1.25' AS FLOAT64)",
    tableType: 'FLOAT',
    queryType: 'FLOAT',
    value: 1.25,
  },
  {
    column: 'NUMERIC',
    insert: '1.50',
    sql: "CAST('1.50' AS NUMERIC)",
    tableType: 'NUMERIC',
    queryType: 'NUMERIC',
    value: '1.5',
  },
  // Exact text in DuckDB, so query results report STRING (bigquery-types.ts says why).
  {
    column: 'BIGNUMERIC',
    insert: '1.50',
    sql: "CAST('1.50' AS BIGNUMERIC)",
    tableType: 'BIGNUMERIC',
    queryType: 'STRING',
    value: '1.5',
  },
  {
    column: 'BOOL',
    insert: true,
    sql: "CAST('true' AS BOOL)",
    tableType: 'BOOLEAN',
    queryType: 'BOOLEAN',
    value: true,
  },
  {
    column: 'STRING',
    insert: 'héllo',
    sql: "CAST('héllo' AS STRING)",
    tableType: 'STRING',
    queryType: 'STRING',
    value: 'héllo',
  },
  {
    column: 'BYTES',
    insert: 'AAH+',
    sql: "CAST(b'\\x00\\x01\\xfe' AS BYTES)",
    tableType: 'BYTES',
    queryType: 'BYTES',
    value: 'AAH+',
  },
  {
    column: 'DATE',
    insert: '2026-02-28',
    sql: "CAST('2026-02-28' AS DATE)",
    tableType: 'DATE',
    queryType: 'DATE',
    value: '2026-02-28',
  },
  {
    column: 'DATETIME',
    insert: '2026-03-29T02:30:00',
    sql: "CAST('2026-03-29 02:30:00' AS DATETIME)",
    tableType: 'DATETIME',
    queryType: 'DATETIME',
    value: '2026-03-29T02:30:00',
  },
  {
    column: 'TIME',
    insert: '23:59:59.5',
    sql: "CAST('23:59:59.5' AS TIME)",
    tableType: 'TIME',
    queryType: 'TIME',
    value: '23:59:59.500000',
  },
  {
    column: 'TIMESTAMP',
    insert: '2026-03-29T01:30:00.123456Z',
    sql: "CAST('2026-03-29 01:30:00.123456+00' AS TIMESTAMP)",
    tableType: 'TIMESTAMP',
    queryType: 'TIMESTAMP',
    value: '2026-03-29T01:30:00.123456000Z',
  },
  // BigQuery has no CAST to JSON from a string: the typed literal makes one.
  {
    column: 'JSON',
    insert: '{"a":[1,"x"]}',
    sql: 'JSON \'{"a":[1,"x"]}\'',
    tableType: 'JSON',
    queryType: 'JSON',
    value: '{"a":[1,"x"]}',
  },
  // WKT text in DuckDB: queries report STRING where BigQuery says GEOGRAPHY; SQL cannot make one.
  {
    column: 'GEOGRAPHY',
    insert: 'POINT(2.35 48.85)',
    sql: undefined,
    tableType: 'GEOGRAPHY',
    queryType: 'STRING',
    value: 'POINT(2.35 48.85)',
  },
];

/** The client's typed values (Big, BigQueryDate, Buffer, …) as plain JS values to compare. */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value !== 'object' || value === null) return value;
  if (value.constructor.name === 'Big') return (value as { toFixed(): string }).toFixed();
  if ('value' in value) return (value as { value: unknown }).value;
  return value;
}

let emulator: BigQueryEmulator;
let bigquery: BigQuery;
let dataset: Dataset;

beforeAll(async () => {
  ({ emulator, bigquery } = await startWithClient());
  [dataset] = await bigquery.createDataset('type_map');
});

afterAll(async () => {
  await emulator.close();
});

/** Runs a one-column query; returns the reported type and the client's value. */
async function queryOne(sql: string): Promise<{ type: string | undefined; value: unknown }> {
  const [job] = await bigquery.createQueryJob({ query: sql });
  const [rows, , response] = await job.getQueryResults({ autoPaginate: false });
  expect(rows).toHaveLength(1);
  return { type: response?.schema?.fields?.[0]?.type, value: plain(Object.values(rows[0]!)[0]) };
}

describe('a BigQuery type reports the same type and value as a column, a CAST and a schema', () => {
  it.each(CASES)('$column', async (c) => {
    const tableId = `t_${c.column.toLowerCase()}`;
    const [table] = await dataset.createTable(tableId, {
      schema: { fields: [{ name: 'v', type: c.column }] },
    });
    await table.insert([{ v: c.insert }]);

    const [metadata] = await table.getMetadata();
    expect(metadata.schema.fields[0].type).toBe(c.tableType);
    const [listed] = await table.getRows();
    expect(plain(listed[0]!.v)).toEqual(c.value);

    const fromColumn = await queryOne(`SELECT v FROM \`type_map.${tableId}\``);
    expect(fromColumn).toEqual({ type: c.queryType, value: c.value });
    if (c.sql !== undefined) expect(await queryOne(`SELECT ${c.sql} AS v`)).toEqual(fromColumn);
  });
});

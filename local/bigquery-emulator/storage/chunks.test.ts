import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileColumnarDecoder } from '../types/columnar.js';
import { compileRowDecoder } from '../types/decode.js';
import { columnDefinitions, normalizeSchema } from '../types/schema.js';
import { appendBatch } from './chunks.js';
import { appendRows } from './rows.js';

// Every scalar type, so the columnar path is checked against the row-wise one value by value.
const fields = normalizeSchema([
  { name: 'id', type: 'INT64', mode: 'REQUIRED' },
  { name: 's', type: 'STRING' },
  { name: 'b', type: 'BYTES' },
  { name: 'f', type: 'FLOAT64' },
  { name: 'n', type: 'NUMERIC' },
  { name: 'bn', type: 'BIGNUMERIC' },
  { name: 'ok', type: 'BOOL' },
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'd', type: 'DATE' },
  { name: 'dt', type: 'DATETIME' },
  { name: 't', type: 'TIME' },
  { name: 'j', type: 'JSON' },
  { name: 'g', type: 'GEOGRAPHY' },
]);
const options = { ignoreUnknownValues: false };
const rowWise = compileRowDecoder(fields);
const columnar = compileColumnarDecoder(fields)!;

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let tableNumber = 0;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(`SET TimeZone = 'UTC'`);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function freshTable(): Promise<string> {
  const name = `t${tableNumber++}`;
  await connection.run(`CREATE TABLE ${name} (${columnDefinitions(fields)})`);
  return name;
}

async function contents(name: string): Promise<string> {
  const reader = await connection.runAndReadAll(`SELECT * FROM ${name} ORDER BY rowid`);
  return JSON.stringify(reader.getRowsJson());
}

/** Stores `jsons` through both paths; returns both tables' contents and both error lists. */
async function bothPaths(jsons: unknown[]) {
  const rowTable = await freshTable();
  const columnTable = await freshTable();
  const decodedRows = jsons.map((json) => rowWise(json, options));
  const good = decodedRows.flatMap((r) => (r.ok ? [r.values as DuckDBValue[]] : []));
  await appendRows(connection, 'main', rowTable, good);
  const { batch, insertErrors } = columnar(
    jsons.map((json) => ({ json })),
    options,
  );
  await appendBatch(connection, 'main', columnTable, batch);
  return {
    rowWise: await contents(rowTable),
    columnar: await contents(columnTable),
    rowWiseErrors: decodedRows.flatMap((r, index) => (r.ok ? [] : [{ index, errors: r.errors }])),
    columnarErrors: insertErrors,
  };
}

const edgeRows: unknown[] = [
  {
    id: 1,
    s: 'plain',
    b: 'AAEC',
    f: 1.5,
    n: '123.456',
    bn: '1e-30',
    ok: true,
    ts: '2026-03-29T01:30:00.123456Z',
    d: '2026-02-28',
    dt: '2026-01-01T12:00:00',
    t: '23:59:59.999999',
    j: { a: [1, 2] },
    g: 'POINT(2.35 48.85)',
  },
  { id: '9007199254740993', s: 42, f: 'NaN', n: 0.1, ok: 'false', ts: 1_767_225_600.5 },
  { id: -9_223_372_036_854_775_808n.toString(), ts: '2026-01-01 02:00:00+02:00', f: '-inf' },
  { id: 3, s: 'nul\u0000inside', ts: '9999-12-31T23:59:59.999999Z', j: '"text"' },
  { id: 4, s: 'é ✓ 😀', ts: '0001-01-01T00:00:00Z', d: '0001-01-01', t: '00:00' },
  { id: 5, ts: '2024-02-29t00:00:00.1234567z', ok: 1, s: null, f: null },
  { ID: 6, S: 'case-insensitive names' },
];

describe('column-wise insertAll decoding and chunk appends', () => {
  it('stores exactly what the row-wise path stores, for every scalar type and edge value', async () => {
    const result = await bothPaths(edgeRows);
    expect(result.columnarErrors).toEqual([]);
    expect(result.columnar).toBe(result.rowWise);
    expect(JSON.parse(result.columnar)).toHaveLength(edgeRows.length);
  });

  it('reports the same row errors, in the same order and shape', async () => {
    const bad: unknown[] = [
      { id: 1, ts: 'yesterday' },
      { s: 'missing id' },
      { id: 2, extra: 1, d: '2026-02-30' },
      { id: 'x', t: '25:00' },
      { id: 3, s: ['array'] },
      'not an object',
      { id: 4, ok: 'maybe', b: '***', j: '{bad' },
      { id: 5 },
    ];
    const result = await bothPaths(bad);
    expect(result.columnarErrors).toEqual(result.rowWiseErrors);
    expect(result.columnarErrors.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.columnar).toBe(result.rowWise);
  });

  it('handles several chunks, NULL runs and duplicates squeezed out of the batch', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => ({
      json: {
        id: i,
        s: i % 3 === 0 ? null : `row ${i}`,
        ts: i % 2048 === 0 ? undefined : new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        f: i % 5 === 0 ? null : i / 7,
      },
    }));
    const { batch, slotOfRow } = columnar(rows, options);
    expect(batch.rowCount).toBe(5_000);
    const kept = rows.map((_, i) => i).filter((i) => i % 4 !== 1);
    batch.keep(kept.map((i) => slotOfRow[i]!));
    const table = await freshTable();
    await appendBatch(connection, 'main', table, batch);
    const reader = await connection.runAndReadAll(
      `SELECT id, s, epoch_us(ts), f FROM ${table} ORDER BY rowid`,
    );
    const stored = reader.getRowsJson();
    expect(stored).toHaveLength(kept.length);
    kept.forEach((i, k) => {
      const json = rows[i]!.json;
      expect(stored[k]).toEqual([
        String(i),
        json.s,
        json.ts === undefined ? null : String(Date.parse(json.ts) * 1000),
        json.f,
      ]);
    });
  });

  it('stores repeated timestamps (the last-text cache) as the row-wise path does', async () => {
    const a = '2026-01-01T00:01:00.000Z';
    const b = '2026-01-01T00:02:00.000Z';
    const stamps: unknown[] = [
      a,
      a,
      b,
      a,
      'not a time',
      a,
      1_767_225_600,
      a,
      '2026-01-01 00:01:00',
      a,
      b,
      b,
    ];
    const result = await bothPaths(stamps.map((ts, id) => ({ id, ts })));
    expect(result.columnarErrors).toEqual(result.rowWiseErrors);
    expect(result.columnarErrors).toHaveLength(1);
    expect(result.columnar).toBe(result.rowWise);
  });

  it('stores short strings and bytes written inline so that DuckDB compares them as equal', async () => {
    // Lengths 0 to 14 around the 12-byte inline limit, non-ASCII, a NUL, base64 bytes of 0-13.
    const texts = [
      '',
      'a',
      'abcdefghijk',
      'abcdefghijkl',
      'abcdefghijklm',
      'é',
      'nul\u0000x',
      '✓✓✓✓',
    ];
    const jsons = [...texts, ...texts].map((s, id) => ({
      id,
      s,
      b: Buffer.alloc(id % 14, id).toString('base64'),
    }));
    const result = await bothPaths(jsons);
    expect(result.columnar).toBe(result.rowWise);
    // The same values through SQL literals: equality, grouping and joins see one value each.
    const table = `t${tableNumber - 1}`;
    for (const text of texts) {
      const reader = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER FROM ${table} WHERE s = $1`,
        [text],
      );
      expect(reader.getRows()[0]![0]).toBe(2);
    }
    const groups = await connection.runAndReadAll(
      `SELECT count(DISTINCT s)::INTEGER, count(DISTINCT b)::INTEGER FROM ${table}`,
    );
    expect(groups.getRows()[0]).toEqual([texts.length, 15]); // ids 0 and 14: both empty
    const joined = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER FROM ${table} c JOIN t${tableNumber - 2} r USING (s, b)`,
    );
    expect(joined.getRows()[0]![0]).toBe(jsons.length);
  });

  it('agrees with the row-wise path on generated rows', async () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc
        .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') })
        .filter((d) => !Number.isNaN(d.getTime()))
        .map((d) => d.toISOString()),
    );
    const row = fc.record(
      Object.fromEntries(fields.map((f) => [f.name, value])) as Record<
        string,
        fc.Arbitrary<unknown>
      >,
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 20 }), async (jsons) => {
        const result = await bothPaths(jsons);
        expect(result.columnarErrors).toEqual(result.rowWiseErrors);
        expect(result.columnar).toBe(result.rowWise);
      }),
      { numRuns: 40 },
    );
  });
});

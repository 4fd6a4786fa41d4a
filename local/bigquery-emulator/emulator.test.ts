import type { BigQuery } from '@google-cloud/bigquery';
import { type Dataset, type Table } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, stationStatusCuratedTable } from '../../core/warehouse/index.js';
import type { BigQueryEmulator } from './index.js';
import { clientFields, startWithClient } from './testing/client.js';
import { curatedRow } from './testing/curated-rows.js';

// Driven only through the official client (@google-cloud/bigquery), as the services use it.
let emulator: BigQueryEmulator;
let bigquery: BigQuery;

beforeAll(async () => {
  ({ emulator, bigquery } = await startWithClient());
  for (const datasetId of new Set(TABLES.map((t) => t.datasetId))) {
    await bigquery.createDataset(datasetId);
  }
  for (const table of TABLES) {
    await bigquery.dataset(table.datasetId).createTable(table.tableId, {
      schema: { fields: clientFields(table.fields) },
      description: table.description,
      ...(table.timePartitioning ? { timePartitioning: { ...table.timePartitioning } } : {}),
      ...(table.clustering ? { clustering: { fields: [...table.clustering] } } : {}),
    });
  }
});

afterAll(async () => {
  await emulator.close();
});

function curated(): Table {
  return bigquery
    .dataset(stationStatusCuratedTable.datasetId)
    .table(stationStatusCuratedTable.tableId);
}

describe('datasets and tables', () => {
  it('creates every warehouse table from its schema, keeping partitioning and clustering', async () => {
    for (const table of TABLES) {
      const [metadata] = await bigquery.dataset(table.datasetId).table(table.tableId).getMetadata();
      expect(metadata.schema.fields.map((f: { name: string }) => f.name)).toEqual(
        table.fields.map((f) => f.name),
      );
      expect(metadata.timePartitioning).toEqual(table.timePartitioning);
      expect(metadata.clustering?.fields).toEqual(table.clustering);
      expect(metadata.type).toBe('TABLE');
    }
    const [tables] = await bigquery.dataset('pmp_ops').getTables();
    expect(tables.map((t) => t.id).sort()).toEqual([
      'data_quality_results',
      'push_writer_dlq',
      'velib_station_info_push_dlq',
      'velib_station_status_curated_dlq',
    ]);
  });

  it('answers 409 duplicate and 404 notFound in Google error shape', async () => {
    await expect(bigquery.createDataset('pmp_raw')).rejects.toMatchObject({
      code: 409,
      errors: [expect.objectContaining({ reason: 'duplicate' })],
    });
    await expect(bigquery.dataset('nope').get()).rejects.toMatchObject({
      code: 404,
      errors: [expect.objectContaining({ reason: 'notFound' })],
    });
    await expect(bigquery.dataset('pmp_raw').table('nope').getMetadata()).rejects.toMatchObject({
      code: 404,
    });
    const [exists] = await bigquery.dataset('pmp_raw').table('nope').exists();
    expect(exists).toBe(false);
  });

  it('rejects a bad schema with invalid, naming the field', async () => {
    await expect(
      bigquery.dataset('pmp_raw').createTable('bad', {
        schema: { fields: [{ name: 'x', type: 'NOT_A_TYPE' }] },
      }),
    ).rejects.toMatchObject({ code: 400, message: expect.stringContaining('field x') });
  });

  it('patches metadata and adds a column; refuses to drop one', async () => {
    const [dataset] = await bigquery.createDataset('patch_me', { description: 'before' });
    await dataset.setMetadata({ description: 'after', labels: { env: 'test' } });
    const [datasetMeta] = await dataset.getMetadata();
    expect(datasetMeta).toMatchObject({ description: 'after', labels: { env: 'test' } });

    const [table] = await dataset.createTable('t', {
      schema: { fields: [{ name: 'a', type: 'STRING', mode: 'REQUIRED' }] },
    });
    await table.setMetadata({
      schema: {
        fields: [
          { name: 'a', type: 'STRING', mode: 'NULLABLE' },
          { name: 'b', type: 'INT64' },
        ],
      },
      description: 'two columns',
    });
    await table.insert([{ b: 7 }]);
    const [rows] = await table.getRows();
    expect(rows).toEqual([{ a: null, b: 7 }]);
    await expect(
      table.setMetadata({ schema: { fields: [{ name: 'b', type: 'INT64' }] } }),
    ).rejects.toMatchObject({ code: 400, message: expect.stringContaining('Field a is missing') });

    await expect(dataset.delete()).rejects.toMatchObject({ code: 400 });
    await dataset.delete({ force: true });
    const [exists] = await dataset.exists();
    expect(exists).toBe(false);
  });
});

describe('tabledata.insertAll', () => {
  it('inserts 100,000 rows in batches, and a re-sent batch adds no duplicates', async () => {
    const batch = 10_000;
    const rowsFor = (b: number) =>
      Array.from({ length: batch }, (_, k) => {
        const i = b * batch + k;
        return { insertId: `msg-${Math.floor(i / 1500)}:${i % 1500}`, json: curatedRow(i) };
      });
    for (let b = 0; b < 10; b++) await curated().insert(rowsFor(b), { raw: true });
    await curated().insert(rowsFor(3), { raw: true });
    const [metadata] = await curated().getMetadata();
    expect(metadata.numRows).toBe('100000');
    const [[counts]] = await bigquery.query(
      'SELECT count(*) AS n, count(DISTINCT station_id) AS stations, sum(num_bikes_available) AS bikes FROM `pmp_curated.velib_station_status`',
    );
    let bikes = 0;
    for (let i = 0; i < 100_000; i++) bikes += Number(curatedRow(i).num_bikes_available ?? 0);
    expect(counts).toEqual({ n: 100_000, stations: 1500, bikes });
  });

  it('reports bad rows in BigQuery shape and stops the good ones without skipInvalidRows', async () => {
    const table = bigquery.dataset('pmp_ops').table('push_writer_dlq');
    const good = { dlq_ts: '2026-01-01T00:00:00Z', writer: 'w', error_type: 'E' };
    const bad = [
      { writer: 'w', error_type: 'E' }, // REQUIRED dlq_ts missing
      { ...good, dlq_ts: 'yesterday' }, // bad timestamp
      { ...good, surprise: 1 }, // unknown field
      { ...good, attributes: '{not json' }, // bad JSON
    ];
    const error = await table.insert([good, ...bad], { partialRetries: 0 }).then(
      () => undefined,
      (e: unknown) => e as { response: { insertErrors: unknown[] } },
    );
    expect(error?.response.insertErrors).toEqual([
      { index: 0, errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }] },
      {
        index: 1,
        errors: [
          {
            reason: 'invalid',
            location: 'dlq_ts',
            debugInfo: '',
            message: 'Missing required field: dlq_ts.',
          },
        ],
      },
      {
        index: 2,
        errors: [
          {
            reason: 'invalid',
            location: 'dlq_ts',
            debugInfo: '',
            message: expect.stringContaining("Could not parse 'yesterday' as a timestamp"),
          },
        ],
      },
      {
        index: 3,
        errors: [
          {
            reason: 'invalid',
            location: 'surprise',
            debugInfo: '',
            message: 'no such field: surprise.',
          },
        ],
      },
      {
        index: 4,
        errors: [
          {
            reason: 'invalid',
            location: 'attributes',
            debugInfo: '',
            message: expect.stringContaining('Invalid JSON'),
          },
        ],
      },
    ]);
    let [rows] = await table.getRows();
    expect(rows).toHaveLength(0);

    // skipInvalidRows keeps the good row; ignoreUnknownValues accepts the row with an extra field.
    await expect(
      table.insert([good, ...bad], {
        skipInvalidRows: true,
        ignoreUnknownValues: true,
        partialRetries: 0,
      }),
    ).rejects.toMatchObject({ name: 'PartialFailureError' });
    [rows] = await table.getRows();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.writer === 'w')).toBe(true);
  });

  it('answers 404 for an unknown table', async () => {
    await expect(
      bigquery
        .dataset('pmp_raw')
        .table('missing')
        .insert([{ a: 1 }]),
    ).rejects.toMatchObject({
      code: 404,
    });
  });
});

const ALL_TYPES = [
  { name: 's', type: 'STRING' },
  { name: 'b', type: 'BYTES' },
  { name: 'i', type: 'INT64' },
  { name: 'f', type: 'FLOAT64' },
  { name: 'n', type: 'NUMERIC' },
  { name: 'bn', type: 'BIGNUMERIC' },
  { name: 'bo', type: 'BOOL' },
  { name: 'ts', type: 'TIMESTAMP', mode: 'REQUIRED' },
  { name: 'd', type: 'DATE' },
  { name: 'dt', type: 'DATETIME' },
  { name: 't', type: 'TIME' },
  { name: 'j', type: 'JSON' },
  {
    name: 'rec',
    type: 'RECORD',
    fields: [
      { name: 'x', type: 'INT64' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      { name: 'inner', type: 'RECORD', fields: [{ name: 'at', type: 'TIMESTAMP' }] },
    ],
  },
  { name: 'nums', type: 'INT64', mode: 'REPEATED' },
  {
    name: 'points',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'lat', type: 'FLOAT64' },
      { name: 'lon', type: 'FLOAT64' },
    ],
  },
];

describe('every type round-trips to the same JS values as BigQuery gives', () => {
  let typed: Table;
  let dataset: Dataset;
  beforeAll(async () => {
    [dataset] = await bigquery.createDataset('types');
    [typed] = await dataset.createTable('all_types', { schema: { fields: ALL_TYPES } });
    await typed.insert([
      {
        s: 'héllo',
        b: Buffer.from([0, 1, 254, 255]),
        i: '9007199254740993',
        f: 1.25,
        n: '12345678901234567890.123456789',
        bn: '1234567890123456789012345678901234567.12345678901234567890123456789012345678',
        bo: true,
        ts: bigquery.timestamp('2026-03-29T01:30:00.123456Z'),
        d: bigquery.date('2026-02-28'),
        dt: bigquery.datetime('2026-03-29T02:30:00'),
        t: bigquery.time('23:59:59.5'),
        j: JSON.stringify({ a: [1, 'x'], b: null }),
        rec: { x: 3, tags: ['a', 'b'], inner: { at: '2026-01-01 00:00:00+02:00' } },
        nums: [1, 2, 3],
        points: [
          { lat: 48.85, lon: 2.35 },
          { lat: 48.86, lon: 2.36 },
        ],
      },
      { ts: 0, nums: [], points: [] },
    ]);
  });

  it('through tabledata.list', async () => {
    const [rows] = await typed.getRows({ wrapIntegers: true });
    expect(rows).toHaveLength(2);
    const [full, sparse] = rows;
    expect(full.s).toBe('héllo');
    expect(full.b).toEqual(Buffer.from([0, 1, 254, 255]));
    expect(full.i.value).toBe('9007199254740993');
    expect(full.f).toBe(1.25);
    expect(full.n.constructor.name).toBe('Big');
    expect(full.n.toFixed()).toBe('12345678901234567890.123456789');
    expect(full.bn.toFixed()).toBe(
      '1234567890123456789012345678901234567.12345678901234567890123456789012345678',
    );
    expect(full.bo).toBe(true);
    expect(full.ts).toEqual(bigquery.timestamp('2026-03-29T01:30:00.123456Z'));
    expect(full.ts.value).toBe('2026-03-29T01:30:00.123456000Z');
    expect(full.d).toEqual(bigquery.date('2026-02-28'));
    expect(full.dt.value).toBe('2026-03-29T02:30:00');
    expect(full.t.value).toBe('23:59:59.500000');
    expect(JSON.parse(full.j)).toEqual({ a: [1, 'x'], b: null });
    expect(full.rec.x.value).toBe('3');
    expect(full.rec.tags).toEqual(['a', 'b']);
    expect(full.rec.inner.at).toEqual(bigquery.timestamp('2025-12-31T22:00:00Z'));
    expect(full.nums.map((n: { value: string }) => n.value)).toEqual(['1', '2', '3']);
    expect(full.points).toEqual([
      { lat: 48.85, lon: 2.35 },
      { lat: 48.86, lon: 2.36 },
    ]);
    expect(sparse).toMatchObject({ s: null, rec: null, nums: [], points: [], d: null });
    expect(sparse.ts).toEqual(bigquery.timestamp(new Date(0)));
  });

  it('plain numbers and strings, which the row loop stores itself, at the int32 edges too', async () => {
    const [table] = await dataset.createTable('plain_values', {
      schema: {
        fields: [
          { name: 'k', type: 'INTEGER' },
          { name: 'i', type: 'INTEGER' },
          { name: 'f', type: 'FLOAT' },
          { name: 's', type: 'STRING' },
        ],
      },
    });
    const ints = [0, -1, 7, 2_147_483_647, -2_147_483_648, 2_147_483_648, -2_147_483_649];
    await table.insert(ints.map((i, k) => ({ k, i, f: 0.25 - i / 2, s: `v${i}` })));
    const [rows] = await table.getRows({ wrapIntegers: true });
    const got = rows
      .map((r) => ({ k: Number(r.k.value), i: r.i.value, f: r.f, s: r.s }))
      .sort((a, b) => a.k - b.k);
    expect(got).toEqual(ints.map((i, k) => ({ k, i: String(i), f: 0.25 - i / 2, s: `v${i}` })));
  });

  it('through queries, with int64 and float-seconds timestamps', async () => {
    const sql = 'SELECT * FROM `types.all_types` ORDER BY ts DESC';
    const [viaQuery] = await bigquery.query({ query: sql });
    const [viaList] = await typed.getRows();
    // BIGNUMERIC is stored as exact text; query results report it as STRING.
    const withoutBigNumeric = (rows: Record<string, unknown>[]) =>
      rows.map(({ bn, ...rest }) => ({
        ...rest,
        bn: typeof bn === 'object' && bn !== null ? (bn as { toFixed(): string }).toFixed() : bn,
      }));
    expect(withoutBigNumeric(viaQuery)).toEqual(withoutBigNumeric(viaList));

    const [job] = await bigquery.createQueryJob({ query: sql });
    const [viaJob] = await job.getQueryResults();
    expect(withoutBigNumeric(viaJob)).toEqual(withoutBigNumeric(viaList));

    const [floatSeconds] = await bigquery.query(
      { query: 'SELECT ts FROM `types.all_types` ORDER BY ts DESC' },
      { 'formatOptions.useInt64Timestamp': false },
    );
    // Float seconds and int64 micros parse to the same timestamp in the client.
    expect(floatSeconds[0].ts).toEqual(viaList[0]!.ts);
    expect(floatSeconds[0].ts.value).toBe('2026-03-29T01:30:00.123456000Z');
  });
});

describe('jobs', () => {
  it('pages getQueryResults with maxResults, pageToken and startIndex', async () => {
    const sql =
      'SELECT station_id, num_bikes_available FROM `pmp_curated.velib_station_status` WHERE event_ts = (SELECT min(event_ts) FROM `pmp_curated.velib_station_status`) ORDER BY station_id';
    const [job] = await bigquery.createQueryJob({ query: sql });
    const [firstPage, next, response] = await job.getQueryResults({
      maxResults: 400,
      autoPaginate: false,
    });
    expect(firstPage).toHaveLength(400);
    expect(response?.totalRows).toBe('1500');
    expect(next?.pageToken).toBeTruthy();
    const all: Record<string, unknown>[] = [...firstPage];
    let pageToken = next?.pageToken;
    while (pageToken) {
      const [page, following] = await job.getQueryResults({
        maxResults: 400,
        pageToken,
        autoPaginate: false,
      });
      all.push(...page);
      pageToken = following?.pageToken;
    }
    expect(all).toHaveLength(1500);
    const [everything] = await job.getQueryResults();
    expect(everything).toEqual(all);
    expect(new Set(all.map((r) => r.station_id)).size).toBe(1500);
    const [fromIndex] = await job.getQueryResults({
      startIndex: '1499',
      maxResults: 10,
      autoPaginate: false,
    });
    expect(fromIndex).toEqual([all[1499]]);
    const [metadata] = await job.getMetadata();
    expect(metadata.status.state).toBe('DONE');
    expect(metadata.statistics.query.statementType).toBe('SELECT');
  });

  it('pages tabledata.list', async () => {
    const [page, next] = await curated().getRows({ maxResults: 1000, autoPaginate: false });
    expect(page).toHaveLength(1000);
    const [second] = await curated().getRows({ ...next, autoPaginate: false });
    expect(second[0]).toEqual(curatedRowAsRead(1000));
  });

  it('dry-runs a query: schema, no job stored', async () => {
    const [job] = await bigquery.createQueryJob({
      query: 'SELECT station_id, event_ts FROM `pmp_curated.velib_station_status`',
      dryRun: true,
    });
    expect(job.metadata.statistics.query.schema.fields).toEqual([
      { name: 'station_id', type: 'STRING', mode: 'NULLABLE' },
      { name: 'event_ts', type: 'TIMESTAMP', mode: 'NULLABLE' },
    ]);
    expect(job.metadata.status.state).toBe('DONE');
  });

  it('fails a bad query with invalidQuery (jobs.query) and records it on the job (jobs.insert)', async () => {
    await expect(
      bigquery.query('SELECT no_such_column FROM `pmp_raw.velib_station_status_raw`'),
    ).rejects.toMatchObject({
      code: 400,
      errors: [expect.objectContaining({ reason: 'invalidQuery' })],
    });
    await expect(
      bigquery.createQueryJob({ query: 'SELECT * FROM `pmp_raw.missing_table`' }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ reason: 'notFound' })] });
  });

  it('runs DML and reports affected rows', async () => {
    const [dataset] = await bigquery.createDataset('dml');
    await dataset.createTable('t', { schema: { fields: [{ name: 'a', type: 'INT64' }] } });
    await dataset.table('t').insert([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const [job] = await bigquery.createQueryJob({ query: 'DELETE FROM `dml.t` WHERE a >= 2' });
    const [metadata] = await job.getMetadata();
    expect(metadata.statistics.query.numDmlAffectedRows).toBe('2');
    const [rows] = await dataset.table('t').getRows();
    expect(rows).toEqual([{ a: 1 }]);
  });
});

describe('views', () => {
  it('queries a view over a view in another dataset', async () => {
    const [marts] = await bigquery.createDataset('marts_test');
    await marts.createTable('latest', {
      view: {
        query:
          'SELECT station_id, max(event_ts) AS last_event_ts FROM `pmp_curated.velib_station_status` GROUP BY station_id',
        useLegacySql: false,
      },
    });
    const [reports] = await bigquery.createDataset('reports_test');
    await reports.createTable('latest_count', {
      view: {
        query: 'SELECT count(*) AS stations, max(last_event_ts) AS newest FROM `marts_test.latest`',
        useLegacySql: false,
      },
    });
    const [[row]] = await bigquery.query('SELECT * FROM `reports_test.latest_count`');
    expect(row.stations).toBe(1500);
    expect(row.newest).toEqual(bigquery.timestamp(new Date(Date.UTC(2026, 0, 1) + 66 * 60_000)));
    const [metadata] = await reports.table('latest_count').getMetadata();
    expect(metadata.type).toBe('VIEW');
    expect(metadata.schema.fields.map((f: { name: string }) => f.name)).toEqual([
      'stations',
      'newest',
    ]);

    await marts.createTable('latest_mv', {
      materializedView: { query: 'SELECT station_id FROM `marts_test.latest`' },
    });
    const [[mv]] = await bigquery.query('SELECT count(*) AS n FROM `marts_test.latest_mv`');
    expect(mv.n).toBe(1500);
  });
});

/** How the client hands back a curated row read from the emulator. */
function curatedRowAsRead(i: number): Record<string, unknown> {
  const row = curatedRow(i);
  const ts = (iso: string | null) => (iso === null ? null : bigquery.timestamp(iso));
  return {
    ...row,
    ingest_ts: ts(row.ingest_ts),
    event_ts: ts(row.event_ts),
    last_reported_ts: ts(row.last_reported_ts),
  };
}

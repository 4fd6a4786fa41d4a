import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BigQueryEmulator } from './index.js';
import { startWithClient } from './testing/client.js';

// A handful of BigQuery constructs end to end (client → REST → translator → DuckDB → client);
// the translator's own tests cover each construct against DuckDB.
let emulator: BigQueryEmulator;
let bigquery: BigQuery;

beforeAll(async () => {
  ({ emulator, bigquery } = await startWithClient());
  const [dataset] = await bigquery.createDataset('q');
  const [table] = await dataset.createTable('events', {
    schema: {
      fields: [
        { name: 'station_id', type: 'STRING' },
        { name: 'event_ts', type: 'TIMESTAMP' },
        { name: 'bikes', type: 'INT64' },
        { name: 'docks', type: 'INT64' },
        { name: 'payload', type: 'JSON' },
      ],
    },
  });
  await table.insert([
    { station_id: 'a', event_ts: '2026-03-28T22:30:00Z', bikes: 3, docks: 7, payload: '{"k":"x"}' },
    { station_id: 'a', event_ts: '2026-03-29T08:00:00Z', bikes: 5, docks: 0, payload: '{"k":"y"}' },
    { station_id: 'b', event_ts: '2026-03-29T09:00:00Z', bikes: 0, docks: 10, payload: null },
  ]);
});

afterAll(async () => {
  await emulator.close();
});

describe('queries through the client', () => {
  it('named and positional parameters, including an array with UNNEST', async () => {
    const [named] = await bigquery.query({
      query:
        'SELECT station_id, bikes FROM `q.events` WHERE bikes >= @min AND station_id IN UNNEST(@ids) ORDER BY bikes',
      params: { min: 3, ids: ['a', 'b'] },
    });
    expect(named).toEqual([
      { station_id: 'a', bikes: 3 },
      { station_id: 'a', bikes: 5 },
    ]);
    const [positional] = await bigquery.query({
      query: 'SELECT count(*) AS n FROM `q.events` WHERE event_ts < ? AND station_id = ?',
      params: [bigquery.timestamp('2026-03-29T08:30:00Z'), 'a'],
    });
    expect(positional).toEqual([{ n: 2 }]);
  });

  it('QUALIFY with ROW_NUMBER, SELECT * EXCEPT, SAFE_DIVIDE and COUNTIF', async () => {
    const [latest] = await bigquery.query(`
      SELECT * EXCEPT (payload, docks), SAFE_DIVIDE(bikes, docks) AS ratio
      FROM \`q.events\`
      QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id ORDER BY event_ts DESC) = 1
      ORDER BY station_id`);
    expect(latest).toEqual([
      {
        station_id: 'a',
        event_ts: bigquery.timestamp('2026-03-29T08:00:00Z'),
        bikes: 5,
        ratio: null,
      },
      { station_id: 'b', event_ts: bigquery.timestamp('2026-03-29T09:00:00Z'), bikes: 0, ratio: 0 },
    ]);
    const [[counts]] = await bigquery.query('SELECT COUNTIF(bikes > 0) AS renting FROM `q.events`');
    expect(counts).toEqual({ renting: 2 });
  });

  it('TIMESTAMP_TRUNC and DATE in Europe/Paris across the DST change, JSON_VALUE and STRUCT', async () => {
    const [rows] = await bigquery.query(`
      SELECT DATE(event_ts, 'Europe/Paris') AS paris_day,
             TIMESTAMP_TRUNC(event_ts, HOUR, 'Europe/Paris') AS paris_hour,
             JSON_VALUE(payload, '$.k') AS k,
             STRUCT(bikes AS b, docks AS d) AS s
      FROM \`q.events\` WHERE station_id = 'a' ORDER BY event_ts`);
    expect(rows).toEqual([
      {
        paris_day: bigquery.date('2026-03-28'),
        paris_hour: bigquery.timestamp('2026-03-28T22:00:00Z'),
        k: 'x',
        s: { b: 3, d: 7 },
      },
      {
        paris_day: bigquery.date('2026-03-29'),
        paris_hour: bigquery.timestamp('2026-03-29T08:00:00Z'),
        k: 'y',
        s: { b: 5, d: 0 },
      },
    ]);
  });

  it('refuses an unsupported construct with invalidQuery naming it and its position', async () => {
    await expect(
      bigquery.query('SELECT 1 AS x\nFROM `q.events` TABLESAMPLE SYSTEM (10 PERCENT)'),
    ).rejects.toMatchObject({
      code: 400,
      errors: [
        expect.objectContaining({
          reason: 'invalidQuery',
          message: expect.stringMatching(/\[2:\d+\]/),
        }),
      ],
    });
  });

  it('creates a table and a view with DDL and sees them in the metadata', async () => {
    await bigquery.query('CREATE TABLE `q.copy` AS SELECT station_id, bikes FROM `q.events`');
    await bigquery.query('CREATE VIEW `q.copy_view` AS SELECT sum(bikes) AS total FROM `q.copy`');
    const [[row]] = await bigquery.query('SELECT total FROM `q.copy_view`');
    expect(row).toEqual({ total: 8 });
    // The view keeps the query as written in BigQuery SQL, and a replaced view its new schema.
    const [view] = await bigquery.dataset('q').table('copy_view').getMetadata();
    expect(view.view).toEqual({
      query: 'SELECT sum(bikes) AS total FROM `q.copy`',
      useLegacySql: false,
    });
    await bigquery.query(
      'CREATE OR REPLACE VIEW q.copy_view OPTIONS (description = "x (y)") AS\n' +
        '  SELECT station_id, IFNULL(bikes, 0) AS bikes FROM `q.copy`;',
    );
    const [replaced] = await bigquery.dataset('q').table('copy_view').getMetadata();
    expect(replaced.view.query).toBe('SELECT station_id, IFNULL(bikes, 0) AS bikes FROM `q.copy`');
    expect(replaced.schema.fields.map((f: { name: string }) => f.name)).toEqual([
      'station_id',
      'bikes',
    ]);
    const [metadata] = await bigquery.dataset('q').table('copy').getMetadata();
    expect(metadata.numRows).toBe('3');
    await bigquery.query('DROP TABLE `q.copy`');
    const [exists] = await bigquery.dataset('q').table('copy').exists();
    expect(exists).toBe(false);
  });
});

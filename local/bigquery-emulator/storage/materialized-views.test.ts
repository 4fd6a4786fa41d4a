import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BigQueryEmulator } from '../index.js';
import { startWithClient } from '../testing/client.js';
import { intervalMs } from './materialized-views.js';

const dataDir = mkdtempSync(join(tmpdir(), 'bq-mv-'));
let emulator: BigQueryEmulator;
let bigquery: BigQuery;

beforeAll(async () => {
  ({ emulator, bigquery } = await startWithClient({ dataDir }));
  const [dataset] = await bigquery.createDataset('mv');
  await dataset.createTable('events', {
    schema: {
      fields: [
        { name: 'kind', type: 'STRING' },
        { name: 'n', type: 'INT64' },
      ],
    },
  });
  await dataset.table('events').insert([{ kind: 'a', n: 1 }]);
  await dataset.createTable('totals', {
    materializedView: {
      query: 'SELECT kind, SUM(n) AS total FROM `mv.events` GROUP BY kind',
      allowNonIncrementalDefinition: true,
    },
  });
  // A logical view over the materialized view: reading it must refresh the materialized view too.
  await dataset.createTable('big_totals', {
    view: { query: 'SELECT kind FROM `mv.totals` WHERE total >= 10', useLegacySql: false },
  });
});

afterAll(async () => {
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const totals = async () =>
  (await bigquery.query('SELECT kind, total FROM `mv.totals` ORDER BY kind'))[0];

describe('materialized views', () => {
  it('are computed at creation and report their type', async () => {
    expect(await totals()).toEqual([{ kind: 'a', total: 1 }]);
    const [metadata] = await bigquery.dataset('mv').table('totals').getMetadata();
    expect(metadata.type).toBe('MATERIALIZED_VIEW');
    expect(metadata.schema.fields.map((f: { name: string }) => f.name)).toEqual(['kind', 'total']);
  });

  it('answer with fresh data after insertAll and after DML, directly and through a view', async () => {
    await bigquery
      .dataset('mv')
      .table('events')
      .insert([{ kind: 'a', n: 9 }]);
    expect(await totals()).toEqual([{ kind: 'a', total: 10 }]);
    await bigquery.query("INSERT INTO mv.events (kind, n) VALUES ('b', 20)");
    const [[big]] = await bigquery.query(
      'SELECT STRING_AGG(kind, ",") AS kinds FROM `mv.big_totals`',
    );
    expect(big.kinds.split(',').sort()).toEqual(['a', 'b']);
    await bigquery.query("DELETE FROM mv.events WHERE kind = 'a'");
    expect(await totals()).toEqual([{ kind: 'b', total: 20 }]);
  });

  it('answer from the last refresh while it is younger than maxStaleness', async () => {
    const dataset = bigquery.dataset('mv');
    await dataset.createTable('lagging', {
      materializedView: {
        query: 'SELECT COUNT(*) AS n FROM `mv.events`',
        allowNonIncrementalDefinition: true,
        maxStaleness: '0-0 0 1:0:0',
      },
    });
    const count = async () => (await bigquery.query('SELECT n FROM `mv.lagging`'))[0][0].n;
    const before = await count();
    await dataset.table('events').insert([{ kind: 'z', n: 1 }]);
    expect(await count()).toBe(before);
    const [metadata] = await dataset.table('lagging').getMetadata();
    expect(metadata.materializedView.maxStaleness).toBe('0-0 0 1:0:0');
    await dataset.table('lagging').delete();
  });

  it('take maxStaleness from the table too, where the REST API and Config Connector put it', async () => {
    const dataset = bigquery.dataset('mv');
    await dataset.createTable('lagging_top', {
      materializedView: {
        query: 'SELECT COUNT(*) AS n FROM `mv.events`',
        allowNonIncrementalDefinition: true,
      },
      maxStaleness: '0-0 0 1:0:0',
    });
    const count = async () => (await bigquery.query('SELECT n FROM `mv.lagging_top`'))[0][0].n;
    const before = await count();
    await dataset.table('events').insert([{ kind: 'y', n: 1 }]);
    expect(await count()).toBe(before);
    await dataset.table('lagging_top').delete();
    await bigquery.query("DELETE FROM mv.events WHERE kind = 'y'");
  });

  it('survive a restart (refreshed on first read) and can be deleted', async () => {
    await emulator.close();
    ({ emulator, bigquery } = await startWithClient({ dataDir }));
    await bigquery
      .dataset('mv')
      .table('events')
      .insert([{ kind: 'c', n: 3 }]);
    expect(await totals()).toEqual([
      { kind: 'b', total: 20 },
      { kind: 'c', total: 3 },
      { kind: 'z', total: 1 },
    ]);
    await bigquery.dataset('mv').table('totals').delete();
    await expect(bigquery.query('SELECT * FROM `mv.totals`')).rejects.toMatchObject({ code: 404 });
  });
});

describe('intervalMs', () => {
  it('reads canonical GoogleSQL intervals and refuses anything else', () => {
    expect(intervalMs('0-0 0 0:5:0')).toBe(300_000);
    expect(intervalMs('0-0 1 2:0:0.5')).toBe(26 * 3_600_000 + 500);
    expect(intervalMs('0-1 0 0:0:0')).toBe(30 * 86_400_000);
    expect(intervalMs('5 minutes')).toBeUndefined();
    expect(intervalMs(undefined)).toBeUndefined();
  });
});

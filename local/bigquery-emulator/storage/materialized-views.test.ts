import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationStatusCuratedTable } from '../../../core/warehouse/index.js';
import { createLogger } from '../../../runtime/logger.js';
import { materializedViewOf } from '../../../sql/testing/warehouse.js';
import { internalStateOf, type BigQueryEmulator } from '../index.js';
import { clientFields, startWithClient } from '../testing/client.js';
import { intervalMs, materializedViewCacheSizes } from './materialized-views.js';

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

  it('leave no refresh state behind for replaced and dropped views, nor plans from before a rewrite', async () => {
    const dataset = bigquery.dataset('mv');
    const sizes = () => materializedViewCacheSizes(internalStateOf(emulator)!);
    const before = sizes();
    const byKind = (column: string) =>
      `SELECT kind, COUNT(*) AS ${column} FROM \`mv.events\` GROUP BY kind`;
    await dataset.createTable('churn', {
      materializedView: { query: byKind('n'), allowNonIncrementalDefinition: true },
    });
    expect(sizes().refreshed).toBe(before.refreshed + 1);
    // Each rewrite makes the next read recompute (and plan) the view: one live plan, not one per
    // rewrite generation.
    for (let round = 0; round < 3; round++) {
      await bigquery.query("UPDATE mv.events SET n = n WHERE kind = 'none'");
      await bigquery.query('SELECT * FROM `mv.churn`');
      expect(sizes().plans).toBe(1);
    }
    await dataset.table('churn').setMetadata({ materializedView: { query: byKind('rows') } });
    expect(sizes()).toEqual({ plans: 1, refreshed: before.refreshed + 1 });
    const [[first]] = await bigquery.query('SELECT * FROM `mv.churn` ORDER BY kind LIMIT 1');
    expect(Object.keys(first)).toEqual(['kind', 'rows']);
    await dataset.table('churn').delete();
    expect(sizes()).toEqual({ plans: 0, refreshed: before.refreshed });
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

describe('incremental refresh through the API (the materialized marts of sql/)', () => {
  const logLines: { message?: string; view?: string }[] = [];
  let marts: { emulator: BigQueryEmulator; bigquery: BigQuery };
  const martsDataDir = mkdtempSync(join(tmpdir(), 'bq-mv-incremental-'));
  const martDir = join(dirname(fileURLToPath(import.meta.url)), '../../../sql');
  const martSql = (name: string) => readFileSync(join(martDir, `${name}.sql`), 'utf8');
  // velib_station_streaks as it was before the per-hour pieces: the reference for the new one.
  const streaksReference = `
    WITH last_good AS (
      SELECT station_id,
        MAX(IF(num_bikes_available > 0, COALESCE(event_ts, ingest_ts), NULL)) AS last_not_empty_ts,
        MAX(IF(num_docks_available > 0 OR num_bikes_available = 0, COALESCE(event_ts, ingest_ts), NULL)) AS last_not_full_ts,
        MAX(IF(is_renting = 1, COALESCE(event_ts, ingest_ts), NULL)) AS last_renting_ts
      FROM pmp_curated.velib_station_status GROUP BY station_id)
    SELECT h.station_id,
      MIN(IF(h.snapshot_ts > IFNULL(g.last_not_empty_ts, TIMESTAMP '1970-01-01'), h.snapshot_ts, NULL)) AS empty_since_ts,
      MIN(IF(h.snapshot_ts > IFNULL(g.last_not_full_ts, TIMESTAMP '1970-01-01'), h.snapshot_ts, NULL)) AS full_since_ts,
      MIN(IF(h.snapshot_ts > IFNULL(g.last_renting_ts, TIMESTAMP '1970-01-01'), h.snapshot_ts, NULL)) AS not_renting_since_ts
    FROM (SELECT station_id, COALESCE(event_ts, ingest_ts) AS snapshot_ts FROM pmp_curated.velib_station_status) AS h
    JOIN last_good AS g USING (station_id)
    GROUP BY h.station_id`;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logLines.push(JSON.parse(line) as { message?: string; view?: string });
        done();
      },
    });
    marts = await startWithClient({
      dataDir: martsDataDir,
      log: createLogger({ name: 'test', level: 'debug', destination }),
    });
    const { bigquery: client } = marts;
    await client.createDataset('pmp_curated');
    await client.createDataset('pmp_marts');
    await client.dataset('pmp_curated').createTable('velib_station_status', {
      schema: { fields: clientFields(stationStatusCuratedTable.fields) },
    });
    for (const name of ['velib_snapshot_totals', 'velib_station_streak_hours']) {
      await client
        .dataset('pmp_marts')
        .createTable(name, { materializedView: materializedViewOf(martSql(name)) });
    }
    await client.dataset('pmp_marts').createTable('velib_station_streaks', {
      view: { query: martSql('velib_station_streaks'), useLegacySql: false },
    });
  });

  afterAll(async () => {
    await marts.emulator.close();
    rmSync(martsDataDir, { recursive: true, force: true });
  });

  const row = (station: string, minute: number, bikes: number, extra: object = {}) => ({
    ingest_ts: new Date(Date.UTC(2025, 9, 26, 0, minute, 20)).toISOString(),
    event_ts: new Date(Date.UTC(2025, 9, 26, 0, minute)).toISOString(),
    station_id: station,
    is_installed: 1,
    is_renting: minute % 7 === 0 ? 0 : 1,
    is_returning: 1,
    num_bikes_available: bikes,
    num_docks_available: 3 - Math.min(bikes, 3),
    mechanical_available: bikes,
    ebike_available: 0,
    ...extra,
  });

  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  async function expectFresh(): Promise<void> {
    const { bigquery: client } = marts;
    for (const [stored, full] of [
      ['SELECT * FROM pmp_marts.velib_snapshot_totals', martSql('velib_snapshot_totals')],
      ['SELECT * FROM pmp_marts.velib_station_streak_hours', martSql('velib_station_streak_hours')],
      ['SELECT * FROM pmp_marts.velib_station_streaks', streaksReference],
    ] as const) {
      const [storedRows] = await client.query(stored);
      const [fullRows] = await client.query(full);
      expect(storedRows.length, stored).toBeGreaterThan(0);
      expect(sorted(storedRows), stored).toEqual(sorted(fullRows));
    }
  }
  const refreshes = () => {
    const counts = { incremental: 0, recomputed: 0 };
    for (const line of logLines.splice(0)) {
      if (line.message === 'materialized view refreshed incrementally') counts.incremental++;
      if (line.message === 'materialized view recomputed') counts.recomputed++;
    }
    return counts;
  };

  it('catch up incrementally after insertAll and INSERT, duplicates and late rows included', async () => {
    const status = marts.bigquery.dataset('pmp_curated').table('velib_station_status');
    await status.insert([row('a', 0, 2), row('a', 1, 0), row('b', 0, 3), row('b', 61, 3)]);
    await expectFresh();
    refreshes();
    // A duplicate of (a, 1) ingested later, a late row for an older snapshot, a new snapshot,
    // a row without event_ts (keyed by its ingest time), a station never seen.
    await status.insert([
      row('a', 1, 5, { ingest_ts: new Date(Date.UTC(2025, 9, 26, 0, 3)).toISOString() }),
      row('b', 1, 0),
      row('a', 62, 0),
      row('a', 63, 0, { event_ts: null }),
      row('c', 2, 1),
    ]);
    await expectFresh();
    expect(refreshes()).toEqual({ incremental: 2, recomputed: 0 });
    await marts.bigquery.query(`
      INSERT INTO pmp_curated.velib_station_status (ingest_ts, event_ts, station_id, is_installed,
        is_renting, num_bikes_available, num_docks_available)
      VALUES (TIMESTAMP '2025-10-26 00:00:10+00', TIMESTAMP '2025-10-26 00:00:00+00', 'a', 1, 1, 0, 3),
        (TIMESTAMP '2025-10-26 01:04:20+00', TIMESTAMP '2025-10-26 01:04:00+00', 'b', 1, 0, 3, 0)`);
    await expectFresh();
    expect(refreshes()).toEqual({ incremental: 2, recomputed: 0 });
  });

  it('recompute in full after a DELETE or UPDATE, and stay right after it', async () => {
    await marts.bigquery.query(
      "DELETE FROM pmp_curated.velib_station_status WHERE station_id = 'c'",
    );
    await expectFresh();
    expect(refreshes()).toEqual({ incremental: 0, recomputed: 2 });
    await marts.bigquery.query(
      "UPDATE pmp_curated.velib_station_status SET num_bikes_available = 9 WHERE station_id = 'b'",
    );
    await expectFresh();
    expect(refreshes()).toEqual({ incremental: 0, recomputed: 2 });
    await marts.bigquery
      .dataset('pmp_curated')
      .table('velib_station_status')
      .insert([row('a', 64, 1), row('d', 64, 0)]);
    await expectFresh();
    // Whether the deleted row's id is already reclaimed decides incremental or full: either is right.
    expect(Object.values(refreshes()).reduce((a, b) => a + b)).toBe(2);
  });
});

describe('incremental refresh across restarts (--data-dir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bq-mv-restart-'));
  const messages: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        messages.push(String((JSON.parse(line) as { message?: string }).message));
      done();
    },
  });
  let running: { emulator: BigQueryEmulator; bigquery: BigQuery };
  const start = async () => {
    running = await startWithClient({
      dataDir: dir,
      log: createLogger({ name: 'test', level: 'debug', destination }),
    });
  };
  const restart = async () => {
    await running.emulator.close();
    await start();
  };
  const insert = (rows: { kind: string; n: number }[]) =>
    running.bigquery.dataset('r').table('ev').insert(rows);
  /** The stored view against its query run in full; then how its refresh went. */
  async function refreshOfView(): Promise<'incremental' | 'recomputed' | 'none'> {
    messages.splice(0);
    const [stored] = await running.bigquery.query('SELECT * FROM `r.sums` ORDER BY kind');
    const [full] = await running.bigquery.query(
      'SELECT kind, SUM(n) AS total, COUNT(*) AS c FROM `r.ev` GROUP BY kind ORDER BY kind',
    );
    expect(stored).toEqual(full);
    if (messages.includes('materialized view refreshed incrementally')) return 'incremental';
    return messages.includes('materialized view recomputed') ? 'recomputed' : 'none';
  }

  beforeAll(async () => {
    await start();
    const [dataset] = await running.bigquery.createDataset('r');
    await dataset.createTable('ev', {
      schema: {
        fields: [
          { name: 'kind', type: 'STRING' },
          { name: 'n', type: 'INT64' },
        ],
      },
    });
    await insert([
      { kind: 'a', n: 1 },
      { kind: 'b', n: 2 },
    ]);
    await dataset.createTable('sums', {
      materializedView: {
        query: 'SELECT kind, SUM(n) AS total, COUNT(*) AS c FROM `r.ev` GROUP BY kind',
      },
    });
  });

  afterAll(async () => {
    await running.emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resume from the kept mark instead of recomputing the view on its first read', async () => {
    await insert([{ kind: 'a', n: 10 }]);
    expect(await refreshOfView()).toBe('incremental');
    await restart();
    await insert([
      { kind: 'a', n: 100 },
      { kind: 'c', n: 5 },
    ]);
    expect(await refreshOfView()).toBe('incremental');
    // Nothing appended since the last refresh: the resumed refresh finds no new rows.
    await restart();
    expect(await refreshOfView()).toBe('incremental');
  });

  it('recompute in full when a rewrite came before the restart, never trusting an old mark', async () => {
    // A redefinition that fails is rolled back, marks included: the rewrite after it must still
    // find and drop them.
    await expect(
      running.bigquery
        .dataset('r')
        .table('sums')
        .setMetadata({ materializedView: { query: 'SELECT nope FROM `r.ev`' } }),
    ).rejects.toMatchObject({ code: 400 });
    // The rewrites touch other groups than the rows appended after them: an incremental refresh
    // from a mark made before them would leave those groups wrong.
    for (const rewrite of [
      "UPDATE r.ev SET n = n + 1 WHERE kind = 'a'",
      "DELETE FROM r.ev WHERE kind = 'c'",
    ]) {
      await running.bigquery.query(rewrite);
      await restart();
      await insert([{ kind: 'b', n: 1000 }]);
      expect(await refreshOfView()).toBe('recomputed');
    }
    // A redefinition through the API, then a restart: the new query is computed in full.
    await running.bigquery
      .dataset('r')
      .table('sums')
      .setMetadata({
        materializedView: {
          query:
            'SELECT kind, SUM(n) AS total, COUNT(*) AS c FROM `r.ev` WHERE n > 1 GROUP BY kind',
        },
      });
    await restart();
    const [stored] = await running.bigquery.query('SELECT * FROM `r.sums` ORDER BY kind');
    const [full] = await running.bigquery.query(
      'SELECT kind, SUM(n) AS total, COUNT(*) AS c FROM `r.ev` WHERE n > 1 GROUP BY kind ORDER BY kind',
    );
    expect(stored).toEqual(full);
  });
});

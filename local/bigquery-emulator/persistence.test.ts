import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { startWithClient } from './testing/client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'bq-emulator-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('--data-dir', () => {
  it('keeps datasets, tables, views, rows and jobs across a restart', async () => {
    const first = await startWithClient({ dataDir });
    const [dataset] = await first.bigquery.createDataset('kept', { description: 'survives' });
    const [table] = await dataset.createTable('t', {
      schema: {
        fields: [
          { name: 'id', type: 'STRING', mode: 'REQUIRED' },
          { name: 'at', type: 'TIMESTAMP' },
        ],
      },
      timePartitioning: { type: 'DAY', field: 'at' },
    });
    await table.insert([
      { id: 'a', at: '2026-01-01T00:00:00Z' },
      { id: 'b', at: '2026-01-02T00:00:00Z' },
    ]);
    await dataset.createTable('v', {
      view: { query: "SELECT id FROM `kept.t` WHERE id = 'b'", useLegacySql: false },
    });
    const [job] = await first.bigquery.createQueryJob({
      query: 'SELECT count(*) AS n FROM `kept.t`',
    });
    await first.emulator.close();

    const second = await startWithClient({ dataDir });
    try {
      const [metadata] = await second.bigquery.dataset('kept').getMetadata();
      expect(metadata.description).toBe('survives');
      const [tableMeta] = await second.bigquery.dataset('kept').table('t').getMetadata();
      expect(tableMeta.numRows).toBe('2');
      expect(tableMeta.timePartitioning).toEqual({ type: 'DAY', field: 'at' });
      const [rows] = await second.bigquery.query('SELECT id FROM `kept.v`');
      expect(rows).toEqual([{ id: 'b' }]);
      const [jobMeta] = await second.bigquery.job(job.id!).getMetadata();
      expect(jobMeta.status.state).toBe('DONE');
      // Results live in memory only: after a restart they are a clear 404, not an empty page.
      await expect(second.bigquery.job(job.id!).getQueryResults()).rejects.toMatchObject({
        code: 404,
        message: expect.stringMatching(/no longer available.*run the query again/),
      });
    } finally {
      await second.emulator.close();
    }
  });

  it('checkpoints its log while a dashboard keeps polling, once the writes stop', async () => {
    const dir = join(dataDir, 'polled');
    const { emulator, bigquery } = await startWithClient({ dataDir: dir, idleCheckpointMs: 200 });
    const wal = join(dir, 'bigquery.duckdb.wal');
    const walSize = () => (existsSync(wal) ? statSync(wal).size : 0);
    try {
      const [dataset] = await bigquery.createDataset('polled');
      const [table] = await dataset.createTable('t', {
        schema: { fields: [{ name: 'id', type: 'STRING' }] },
      });
      await table.insert(Array.from({ length: 5_000 }, (_, i) => ({ id: `${i}`.repeat(40) })));
      expect(walSize()).toBeGreaterThan(200_000);
      // Queries (each leaving its job record), row listings and table gets, back to back: far
      // more often than the idle delay. Before, each postponed the checkpoint, which never came.
      let polls = 0;
      while (walSize() > 100_000) {
        await bigquery.query('SELECT count(*) AS n FROM `polled.t`');
        await table.getRows({ maxResults: 10 });
        await table.getMetadata();
        polls++;
      }
      expect(polls).toBeGreaterThan(0);
      const [[{ n }]] = await bigquery.query('SELECT count(*) AS n FROM `polled.t`');
      expect(n).toBe(5_000);
    } finally {
      await emulator.close();
    }
  }, 20_000);

  it('keeps insertIds across a restart, for the table as it exists', async () => {
    const fields = [{ name: 'id', type: 'STRING', mode: 'REQUIRED' }];
    const batch = Array.from({ length: 3_000 }, (_, i) => ({
      insertId: `id-${i}`,
      json: { id: `r${i}` },
    }));
    const first = await startWithClient({ dataDir });
    const [dataset] = await first.bigquery.createDataset('dedup');
    const [table] = await dataset.createTable('t', { schema: { fields } });
    await dataset.createTable('other', { schema: { fields } });
    await table.insert(batch, { raw: true });
    await first.emulator.close();

    const second = await startWithClient({ dataDir });
    try {
      const again = second.bigquery.dataset('dedup').table('t');
      // The retried batch after the restart adds nothing; one new row gets in.
      await again.insert([...batch, { insertId: 'id-new', json: { id: 'new' } }], { raw: true });
      const [meta] = await again.getMetadata();
      expect(meta.numRows).toBe('3001');
      // The same ids are new to another table.
      const other = second.bigquery.dataset('dedup').table('other');
      await other.insert(batch.slice(0, 10), { raw: true });
      expect((await other.getMetadata())[0].numRows).toBe('10');
      // A dropped and re-created table starts clean, also after a restart.
      await again.delete();
      await second.bigquery.dataset('dedup').createTable('t', { schema: { fields } });
    } finally {
      await second.emulator.close();
    }
    const third = await startWithClient({ dataDir });
    try {
      const recreated = third.bigquery.dataset('dedup').table('t');
      await recreated.insert(batch.slice(0, 5), { raw: true });
      expect((await recreated.getMetadata())[0].numRows).toBe('5');
      await recreated.insert(batch.slice(0, 5), { raw: true });
      expect((await recreated.getMetadata())[0].numRows).toBe('5');
    } finally {
      await third.emulator.close();
    }
  });

  it('starts over an insertId log left in an earlier layout instead of failing to start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bq-emulator-old-log-'));
    try {
      const instance = await DuckDBInstance.create(join(dir, 'bigquery.duckdb'));
      const connection = await instance.connect();
      await connection.run(`CREATE SCHEMA _pmp_emulator;
        CREATE TABLE _pmp_emulator.insert_ids (table_key VARCHAR, table_created VARCHAR, insert_id VARCHAR, accepted_ms BIGINT);
        INSERT INTO _pmp_emulator.insert_ids VALUES ('p:d.t', '1', 'a', 1)`);
      connection.closeSync();
      instance.closeSync();
      const { emulator, bigquery } = await startWithClient({ dataDir: dir });
      try {
        const [dataset] = await bigquery.createDataset('d');
        const [table] = await dataset.createTable('t', {
          schema: { fields: [{ name: 'id', type: 'STRING' }] },
        });
        await table.insert([{ insertId: 'a', json: { id: 'x' } }], { raw: true });
        expect((await table.getMetadata())[0].numRows).toBe('1');
      } finally {
        await emulator.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from './database.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'bq-database-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const rowsOfT = async (db: Database) =>
  (await db.read((c) => c.runAndReadAll('SELECT count(*) FROM t'))).getRows()[0]![0];
const walSize = (file: string) => (existsSync(`${file}.wal`) ? statSync(`${file}.wal`).size : 0);

describe('Database checkpoints', () => {
  it('never checkpoints inside a commit in memory, where it would only stall the write', async () => {
    const db = await Database.open(undefined);
    try {
      const threshold = (
        await db.exclusive((c) =>
          c.runAndReadAll("SELECT current_setting('checkpoint_threshold') AS t"),
        )
      ).getRows()[0]![0];
      // DuckDB's default is 16 MB: about eleven snapshots of the local stack.
      expect(String(threshold)).toMatch(/^\d+(\.\d+)? TiB$|^9\d\d(\.\d+)? GiB$/);
    } finally {
      await db.close();
    }
  });

  it('checkpoints once left alone, not inside the commits of a burst', async () => {
    const file = path.join(dataDir, 'idle.duckdb');
    const db = await Database.open(file);
    try {
      await db.exclusive((c) => c.run('CREATE TABLE t (n BIGINT, s VARCHAR)'));
      // Requests the size of a 10,000-row insertAll (about 1 MB each) go through the log.
      for (let batch = 0; batch < 20; batch++) {
        await db.transaction((c) =>
          c.run(
            `INSERT INTO t SELECT range, repeat('x', 100) || range FROM range(${batch * 10_000}, ${(batch + 1) * 10_000})`,
          ),
        );
      }
      // Past DuckDB's default 16 MB threshold, under ours: no commit of the burst checkpointed.
      expect(walSize(file)).toBeGreaterThan(16_000_000);
      await db.idleCheckpointed();
      expect(walSize(file)).toBe(0);
      expect(await rowsOfT(db)).toBe(200_000n);
    } finally {
      await db.close();
    }
  });

  it('checkpoints while a client keeps reading (and recording its queries), once writes stop', async () => {
    const file = path.join(dataDir, 'polled.duckdb');
    const db = await Database.open(file, { idleCheckpointMs: 100 });
    try {
      await db.exclusive((c) => c.run('CREATE TABLE t (n BIGINT, s VARCHAR)'));
      await db.exclusive((c) => c.run('CREATE TABLE jobs (n BIGINT)'));
      await db.transaction((c) =>
        c.run(`INSERT INTO t SELECT range, repeat('x', 100) FROM range(20000)`),
      );
      expect(walSize(file)).toBeGreaterThan(1_000_000);
      // A dashboard: reads back to back, far more often than the idle delay, each with the small
      // record a query job leaves. Before, every unit postponed the checkpoint: it never came.
      let checkpointed = false;
      const done = db.idleCheckpointed().then(() => (checkpointed = true));
      let polls = 0;
      while (!checkpointed) {
        await rowsOfT(db);
        await db.record((c) => c.run(`INSERT INTO jobs VALUES (${polls++})`));
      }
      await done;
      expect(polls).toBeGreaterThan(1);
      // Only the records written since (a few bytes each) are left in the log.
      expect(walSize(file)).toBeLessThan(100_000);
      // Reads alone leave nothing: the next checkpoint folds the last records in, and no read
      // holds it back.
      const next = db.idleCheckpointed();
      for (let i = 0; i < 5; i++) await rowsOfT(db);
      await next;
      expect(walSize(file)).toBe(0);
      expect(await rowsOfT(db)).toBe(20_000n);
    } finally {
      await db.close();
    }
  }, 10_000);

  it('keeps every committed write when the process dies before any checkpoint', async () => {
    const file = path.join(dataDir, 'crash.duckdb');
    // A child commits, then exits at once: no close, no checkpoint; only the fsynced log remains.
    const script = `
      import { Database } from './local/bigquery-emulator/storage/database.ts';
      const db = await Database.open(${JSON.stringify(file)});
      await db.exclusive((c) => c.run('CREATE TABLE t (n BIGINT)'));
      await db.transaction((c) => c.run('INSERT INTO t SELECT range FROM range(300000)'));
      process.exit(0);`;
    execFileSync(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['--input-type=module', '--eval', script],
      {
        cwd: repoRoot,
        stdio: 'pipe',
      },
    );
    expect(walSize(file)).toBeGreaterThan(0);
    const db = await Database.open(file);
    try {
      expect(await rowsOfT(db)).toBe(300_000n);
    } finally {
      await db.close();
    }
  });
});

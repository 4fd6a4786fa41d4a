import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT, startStack, type Stack } from '../../services/testing/e2e-harness.js';
import { createMartViews } from '../../sql/testing/warehouse.js';
import { buildProgram } from '../main.js';

// `pmp quality` as a person runs it, against emulators found through the environment (no stack
// state in the data dir), on an empty warehouse: nothing offends except that nothing is fresh.
describe('pmp quality', () => {
  let stack: Stack;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmp-quality-'));
  const saved = { ...process.env };

  beforeAll(async () => {
    stack = await startStack();
    // The harness creates every table; the assertions also read two marts.
    await stack.bigquery.createDataset('pmp_marts');
    await createMartViews(stack.bigquery);
    Object.assign(process.env, {
      PUBSUB_EMULATOR_HOST: stack.pubsubEmulator.host,
      BIGQUERY_EMULATOR_HOST: stack.bigqueryEmulator.url,
      PROJECT_ID: PROJECT,
    });
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await stack?.close();
  });

  const pmp = async (...args: string[]) => {
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk));
      return true;
    });
    process.exitCode = undefined;
    try {
      await buildProgram().parseAsync(['quality', '--data-dir', dataDir, ...args], {
        from: 'user',
      });
    } finally {
      write.mockRestore();
    }
    const code = process.exitCode;
    process.exitCode = undefined;
    return { text: output.join(''), code };
  };

  it('prints every assertion, fails (exit 1) on the stale feed and records the run', async () => {
    const { text, code } = await pmp();
    expect(code).toBe(1);
    expect(text).toMatch(/^FAIL\s+curated_fresh\s+error\s+1\s+newest_ingest_ts=null/m);
    expect(text).toMatch(/^ok\s+raw_one_row_per_snapshot\s+error\s+0/m);
    expect(text).toMatch(
      /12 assertions since .*: 11 passed, 1 error\(s\), 0 warning\(s\), 0 skipped/,
    );
    expect(text).toContain('recorded 12 rows in pmp_ops.data_quality_results');
    const [rows] = await stack.bigquery.query(
      `SELECT COUNT(*) AS n, COUNTIF(NOT passed) AS failed FROM pmp_ops.data_quality_results
       WHERE trigger = 'cli'`,
    );
    expect(rows).toEqual([{ n: 12, failed: 1 }]);
  });

  it('skips freshness when nothing is collected, exits 0, and writes nothing with --no-record', async () => {
    const { text, code } = await pmp('--no-collecting', '--no-record');
    expect(code).toBe(0);
    expect(text).toMatch(
      /^skip\s+curated_fresh\s+error\s+–\s+skipped: nothing is being collected/m,
    );
    expect(text).not.toContain('recorded');
    const [rows] = await stack.bigquery.query(
      'SELECT COUNT(*) AS n FROM pmp_ops.data_quality_results',
    );
    expect(rows).toEqual([{ n: 12 }]);
  });
});

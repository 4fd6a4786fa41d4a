import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../services/testing/e2e-harness.js';
import { startLocalStack, type RunningStack } from './stack.js';

// The scheduled data-quality run in the local home: pmp-data-quality started from its rendered
// Knative spec, its CloudSchedulerJob run by the local scheduler with an OIDC token minted for the
// job's audience (which the service checks itself, as Cloud Run's invoker check would).
let stack: RunningStack;
let work: string;

async function count(sql: string): Promise<number> {
  const [rows] = await stack.bigquery.query(sql);
  return Number((rows[0] as { n: number }).n);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pmp-dq-e2e-'));
  stack = await startLocalStack({
    dataDir: path.join(work, 'data'),
    schedulerPaused: true,
    dashboard: false,
    ports: { pubsub: 0, pubsubAdmin: 0, bigquery: 0, simulator: 0, control: 0 },
  });
  // The snapshot collected at start, landed raw (push) and curated (runner).
  await eventually(
    async () => {
      const raw = await count('SELECT COUNT(*) AS n FROM pmp_raw.velib_station_status_raw');
      const curated = await count('SELECT COUNT(*) AS n FROM pmp_curated.velib_station_status');
      return raw > 0 && curated > 0 ? true : undefined;
    },
    'the first snapshot to land raw and curated',
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the scheduled data-quality run, locally', () => {
  it('runs pmp-data-quality through its scheduler job and records a passing run', async () => {
    expect(stack.serviceUrls['pmp-data-quality']).toBeDefined();
    const result = await stack.scheduler!.runNow('pmp-data-quality-hourly');
    expect(result).toMatch(/^200/);
    const failed = await stack.bigquery.query(
      `SELECT assertion, error_message FROM pmp_ops.data_quality_results
       WHERE trigger = 'scheduler' AND NOT passed AND severity = 'error'`,
    );
    expect(failed[0]).toEqual([]);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM pmp_ops.data_quality_results WHERE trigger = 'scheduler'`,
      ),
    ).toBe(12);
  });

  it('refuses a call without the scheduler token', async () => {
    const response = await fetch(`${stack.serviceUrls['pmp-data-quality']}/run`, {
      method: 'POST',
    });
    expect(response.status).toBe(401);
  });

  it('is not started by "collect now", which runs the collectors only', async () => {
    expect(Object.keys(await stack.collectNow()).sort()).toEqual([
      'pmp-velib-poll-every-minute',
      'pmp-velib-station-info-daily',
    ]);
  });
});

import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
} from '../../local/bigquery-emulator/index.js';
import { createWarehouse, emulatorClient } from '../../sql/testing/warehouse.js';
import { listen, postJson, startKeyServer, type Listening } from '../testing/service-fixtures.js';
import { silentLogger } from '../../runtime/logger.js';
import { createApp } from './app.js';
import type { Assertion } from './assertions.js';

const AUDIENCE = 'http://pmp-data-quality';
const passes: Assertion = {
  name: 'always_holds',
  severity: 'warn',
  description: 'nothing offends',
  needsCollecting: false,
  query: 'SELECT 1 AS x FROM UNNEST([1]) AS n WHERE n > 1',
};
const fails: Assertion = {
  name: 'never_holds',
  severity: 'error',
  description: 'one row offends',
  needsCollecting: false,
  query: "SELECT 'bad' AS what",
};

// The service on the BigQuery emulator and a key server of our own, over real HTTP.
describe('pmp-data-quality', () => {
  let emulator: BigQueryEmulator;
  let bigquery: BigQuery;
  let keys: Awaited<ReturnType<typeof startKeyServer>>;
  const servers: Listening[] = [];
  const serve = async (assertions: Assertion[]) => {
    const app = createApp({
      bigquery,
      assertions,
      windowMs: 3_600_000,
      auth: { audience: AUDIENCE, jwksUrl: keys.jwksUrl },
      log: silentLogger(),
      now: () => new Date('2026-03-10T12:00:00Z'),
    });
    const server = await listen(app.callback());
    servers.push(server);
    return server.url;
  };
  const bearer = async () => ({ authorization: `Bearer ${await keys.sign({ aud: AUDIENCE })}` });

  beforeAll(async () => {
    emulator = await startBigQueryEmulator({ port: 0, log: silentLogger() });
    bigquery = emulatorClient(emulator.url, 'dq-app');
    await createWarehouse(bigquery);
    keys = await startKeyServer();
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await keys?.close();
    await emulator?.close();
  });

  it('refuses /run without a token for its audience (401)', async () => {
    const url = await serve([passes]);
    expect((await postJson(`${url}/run`, '')).status).toBe(401);
    const wrong = { authorization: `Bearer ${await keys.sign({ aud: 'http://other' })}` };
    expect((await postJson(`${url}/run`, '', wrong)).status).toBe(401);
  });

  it('refuses a body over 1 KiB (413)', async () => {
    const url = await serve([passes]);
    expect((await postJson(`${url}/run`, 'x'.repeat(2048), await bearer())).status).toBe(413);
  });

  it('answers 200 when only warnings hold, and records the run', async () => {
    const url = await serve([passes]);
    const response = await postJson(`${url}/run`, '', await bearer());
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      errors: 0,
      results: [{ name: 'always_holds', status: 'passed', failingRows: 0 }],
    });
    const [rows] = await bigquery.query(
      `SELECT assertion, passed, trigger FROM pmp_ops.data_quality_results WHERE run_id = '${String(response.json.runId)}'`,
    );
    expect(rows).toEqual([{ assertion: 'always_holds', passed: true, trigger: 'scheduler' }]);
  });

  it('answers 500 when an error assertion fails, naming it, and still records the run', async () => {
    const url = await serve([passes, fails]);
    const response = await postJson(`${url}/run`, '', await bearer());
    expect(response.status).toBe(500);
    expect(response.json).toMatchObject({
      errors: 1,
      results: [
        { name: 'always_holds', status: 'passed' },
        { name: 'never_holds', status: 'failed', failingRows: 1 },
      ],
    });
    const [rows] = await bigquery.query(
      `SELECT assertion, passed, JSON_VALUE(sample, '$[0].what') AS what FROM pmp_ops.data_quality_results
       WHERE run_id = '${String(response.json.runId)}' AND NOT passed`,
    );
    expect(rows).toEqual([{ assertion: 'never_holds', passed: false, what: 'bad' }]);
  });

  it('serves /healthz', async () => {
    const url = await serve([passes]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

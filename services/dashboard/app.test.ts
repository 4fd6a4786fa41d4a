import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
} from '../../local/bigquery-emulator/index.js';
import { createWarehouse, emulatorClient } from '../../sql/testing/warehouse.js';
import { silentLogger } from '../../runtime/logger.js';
import { createDashboardApp } from './app.js';
import { loadDashboardSettings } from './config.js';

// The app over the real emulator through the official client; one project with data, one without.
let emulator: BigQueryEmulator;
let withData: Server;
let empty: Server;
let bigquery: BigQuery;

function listen(client: BigQuery, cacheMs = 0): Promise<Server> {
  const server = createServer(
    createDashboardApp({ bigquery: client, log: silentLogger(), cacheMs }).callback(),
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function call(
  server: Server,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (init.body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(init.body));
    req.end(init.body);
  });
}

async function json(server: Server, path: string): Promise<Record<string, unknown>> {
  const res = await call(server, path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return JSON.parse(res.text) as Record<string, unknown>;
}

const T = '2025-06-10T08:00:00.000Z';
const statusRow = (id: string, bikes: number, docks: number) => ({
  ingest_ts: T,
  event_ts: T,
  station_id: id,
  station_code: `C${id}`,
  is_installed: 1,
  is_renting: 1,
  is_returning: 1,
  last_reported_ts: T,
  num_bikes_available: bikes,
  num_docks_available: docks,
  mechanical_available: bikes,
  ebike_available: 0,
  raw_station_json: '{}',
});

beforeAll(async () => {
  emulator = await startBigQueryEmulator({ port: 0, log: silentLogger() });
  bigquery = emulatorClient(emulator.url, 'dash-data');
  const bare = emulatorClient(emulator.url, 'dash-empty');
  await Promise.all([createWarehouse(bigquery), createWarehouse(bare)]);
  await bigquery
    .dataset('pmp_curated')
    .table('velib_station_status')
    .insert([statusRow('1', 5, 10), statusRow('2', 0, 12)]);
  await bigquery
    .dataset('pmp_curated')
    .table('velib_station_information')
    .insert([
      {
        ingest_ts: T,
        event_ts: T,
        station_id: '1',
        station_code: 'C1',
        name: 'Châtelet <b>',
        lat: 48.858,
        lon: 2.347,
        capacity: 15,
        address: null,
        post_code: null,
        raw_station_json: '{}',
      },
    ]);
  [withData, empty] = await Promise.all([listen(bigquery), listen(bare)]);
});

afterAll(async () => {
  withData?.close();
  empty?.close();
  await emulator?.close();
});

describe('JSON API over the marts', () => {
  it('answers the KPI cards from velib_network_latest', async () => {
    const body = await json(withData, '/api/kpis');
    expect(body.kpis).toMatchObject({
      stations_known: 2,
      bikes_available: 5,
      docks_available: 22,
      empty_stations: 1,
      as_of_ts: '2025-06-10T08:00:00.000Z',
    });
    expect(typeof body.serverTime).toBe('string');
  });

  it('lists every station with its place and fill ratio', async () => {
    const { stations } = (await json(withData, '/api/stations')) as {
      stations: Record<string, unknown>[];
    };
    expect(stations).toHaveLength(2);
    expect(stations[0]).toMatchObject({
      station_id: '1',
      name: 'Châtelet <b>',
      lat: 48.858,
      fill_ratio: 0.3333333333333333,
    });
    // A station without metadata is still listed (no place on the map).
    expect(stations[1]).toMatchObject({ station_id: '2', lat: null, fill_ratio: 0 });
  });

  it('returns hours relative to the newest data, and alerts, profile and DLQ rows', async () => {
    const { hours } = (await json(withData, '/api/hourly?hours=6')) as {
      hours: Record<string, unknown>[];
    };
    expect(hours).toEqual([
      expect.objectContaining({
        hour_ts_paris: '2025-06-10T08:00:00.000Z',
        avg_total_bikes_available: 5,
      }),
    ]);
    const profile = (await json(withData, '/api/profile')) as { cells: unknown[] };
    expect(profile.cells).toEqual([
      expect.objectContaining({ day_of_week: 3, day_name: 'Tuesday', hour_of_day: 10 }),
    ]);
    const alerts = (await json(withData, '/api/alerts')) as { alerts: unknown[]; counts: unknown };
    expect(alerts.alerts).toEqual([]);
    expect(alerts.counts).toEqual({ empty: 0, full: 0, not_reporting: 0, not_renting: 0 });
    expect(await json(withData, '/api/dlq')).toEqual({ dlq: [] });
  });

  it('/api/quality: the newest result per assertion, failures first, with when it last passed', async () => {
    const row = (runTs: string, assertion: string, severity: string, passed: boolean) => ({
      run_ts: runTs,
      run_id: runTs,
      trigger: 'cli',
      assertion,
      severity,
      passed,
      failing_rows: passed ? 0 : 4,
      sample: passed ? null : '[{"station_id":"7"}]',
      error_message: null,
      duration_ms: 3,
    });
    await bigquery
      .dataset('pmp_ops')
      .table('data_quality_results')
      .insert([
        row('2025-06-10T07:00:00Z', 'b_check', 'warn', true),
        row('2025-06-10T08:00:00Z', 'b_check', 'warn', false),
        row('2025-06-10T08:00:00Z', 'a_check', 'error', true),
        row('2025-06-10T08:00:00Z', 'c_check', 'error', false),
      ]);
    const { assertions } = (await json(withData, '/api/quality')) as {
      assertions: Record<string, unknown>[];
    };
    expect(
      assertions.map((a) => [a.assertion, a.passed, a.failing_rows, a.last_passed_ts]),
    ).toEqual([
      ['c_check', false, 4, null],
      ['b_check', false, 4, '2025-06-10T07:00:00.000Z'],
      ['a_check', true, 0, '2025-06-10T08:00:00.000Z'],
    ]);
    expect(JSON.parse(String(assertions[0]!.sample))).toEqual([{ station_id: '7' }]);
    expect(await json(empty, '/api/quality')).toEqual({ assertions: [] });
  });

  it('says there is no data yet, rather than failing, on an empty warehouse', async () => {
    expect((await json(empty, '/api/kpis')).kpis).toBeNull();
    expect(await json(empty, '/api/stations')).toEqual({ stations: [] });
    expect(await json(empty, '/api/hourly')).toEqual({ hours: [] });
    expect(await json(empty, '/api/alerts')).toMatchObject({ alerts: [] });
  });

  it('refuses a bad hours parameter with 400 and says why', async () => {
    for (const bad of ['0', '-1', 'abc', '1.5', '100000']) {
      const res = await call(withData, `/api/hourly?hours=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(JSON.parse(res.text).error).toMatch(/hours must be a whole number/);
    }
  });

  it('refuses request bodies and other methods', async () => {
    const big = await call(withData, '/api/kpis', { method: 'POST', body: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    const post = await call(withData, '/api/kpis', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect((await call(withData, '/api/nothing')).status).toBe(404);
    expect((await call(withData, '/assets/../app.ts')).status).toBe(404);
  });

  it('reports a warehouse failure as a 500 without leaking details', async () => {
    const broken = await listen(emulatorClient(emulator.url, 'no-such-project'));
    try {
      const res = await call(broken, '/api/kpis');
      expect(res.status).toBe(500);
      expect(JSON.parse(res.text)).toEqual({ error: 'internal error' });
    } finally {
      broken.close();
    }
  });
});

describe('page and assets', () => {
  it('serves the page and every asset it references, locally, under a strict CSP', async () => {
    const page = await call(withData, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) {
      expect(ref.startsWith('/assets/'), `${ref} must be served locally`).toBe(true);
      expect((await call(withData, ref)).status, ref).toBe(200);
    }
    const app = await call(withData, '/assets/app.js');
    expect(app.headers['content-type']).toMatch(/javascript/);
    for (const module of app.text.matchAll(/from '\.\/([^']+)'/g)) {
      expect((await call(withData, `/assets/${module[1]}`)).status).toBe(200);
    }
  });

  it('answers /healthz', async () => {
    expect(JSON.parse((await call(withData, '/healthz')).text)).toEqual({ status: 'ok' });
  });
});

describe('settings', () => {
  it('defaults the datasets and port, and names a bad variable', () => {
    expect(loadDashboardSettings({ PROJECT_ID: 'p' })).toMatchObject({
      PROJECT_ID: 'p',
      MARTS_DATASET: 'pmp_marts',
      OPS_DATASET: 'pmp_ops',
      PORT: 8080,
      CACHE_SECONDS: 15,
    });
    expect(() => loadDashboardSettings({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});

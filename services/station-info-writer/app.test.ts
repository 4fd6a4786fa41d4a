import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { listen, postJson, pushBody, type Listening } from '../testing/service-fixtures.js';
import { createApp } from './app.js';

// Without a warehouse: the paths that must never acknowledge. The warehouse paths run against the
// BigQuery emulator in writers.emulators.test.ts.
describe('station-info-writer without a reachable warehouse', () => {
  let deadWarehouse: Listening;
  let drillOn: Listening;
  let drillOff: Listening;

  beforeAll(async () => {
    // A port that was just free: connections are refused, as when BigQuery is unreachable.
    deadWarehouse = await listen(() => undefined);
    const endpoint = deadWarehouse.url;
    await deadWarehouse.close();
    const bigquery = new BigQuery({ projectId: 'test', apiEndpoint: endpoint, autoRetry: false });
    const deps = {
      bigquery,
      table: { datasetId: 'pmp_curated', tableId: 'velib_station_information' },
      dlqTable: { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' },
      log: silentLogger(),
    };
    drillOn = await listen(createApp({ ...deps, dlqTestEnabled: true }).callback());
    drillOff = await listen(createApp({ ...deps, dlqTestEnabled: false }).callback());
  });

  afterAll(async () => {
    await Promise.all([drillOn.close(), drillOff.close()]);
  });

  it('fails a dlq_test=true delivery with 500 when the drill is on, whatever the data', async () => {
    const body = pushBody({ text: '{"test":"e2e_drill"}', attributes: { dlq_test: 'true' } });
    const response = await postJson(`${drillOn.url}/pubsub`, body);
    expect(response.status).toBe(500);
    expect(response.json.error).toMatch(/dlq_test drill/);
  });

  it('ignores the dlq_test attribute when the drill is off', async () => {
    const body = pushBody({ text: '{"test":"e2e_drill"}', attributes: { dlq_test: 'true' } });
    // Processed normally: a wrong-shape message, whose DLQ record cannot be written here → 503.
    expect((await postJson(`${drillOff.url}/pubsub`, body)).status).toBe(503);
  });

  it('refuses a pmp_drill=<uuid> message with 500 on its first trip, drill switch or not', async () => {
    const attributes = { pmp_drill: '0b7e2f6c-1d7a-4c1e-9a55-3f1f2d9c8e10' };
    for (const writer of [drillOn, drillOff]) {
      const response = await postJson(`${writer.url}/pubsub`, pushBody({ text: '{}', attributes }));
      expect(response.status).toBe(500);
      expect(response.json.error).toMatch(/pmp dlq drill 0b7e2f6c-.*refused on purpose/);
    }
  });

  it('processes a replayed pmp_drill message, and a pmp_drill that is not a UUID, normally', async () => {
    const marks: Record<string, string>[] = [
      { pmp_drill: '0b7e2f6c-1d7a-4c1e-9a55-3f1f2d9c8e10', replay: 'true' },
      { pmp_drill: 'yes' },
    ];
    for (const attributes of marks) {
      const body = pushBody({ text: '{"test":"e2e_drill"}', attributes });
      // A wrong-shape message, whose DLQ record cannot be written here → 503, not the drill's 500.
      expect((await postJson(`${drillOff.url}/pubsub`, body)).status).toBe(503);
    }
  });

  it('answers 5xx, never 2xx, when a bad message cannot be recorded in the DLQ', async () => {
    for (const body of [
      pushBody({ dataBase64: '!!!' }),
      pushBody({ text: '{not json' }),
      pushBody({ text: '{"ingest_ts":"2026-01-01T00:00:00Z"}' }),
      '{"not":"a push"}',
    ]) {
      expect((await postJson(`${drillOn.url}/pubsub`, body)).status).toBe(503);
    }
  });

  it('answers 503 for a good message while the warehouse is unreachable', async () => {
    const envelope = {
      ingest_ts: '2026-01-01T00:00:00Z',
      source: 'velib',
      event_type: 'station_information_snapshot',
      payload: { data: { stations: [{ station_id: 1, name: 'A' }] } },
    };
    const response = await postJson(
      `${drillOn.url}/pubsub`,
      pushBody({ text: JSON.stringify(envelope) }),
    );
    expect(response.status).toBe(503);
    expect(response.json).toEqual({ error: 'warehouse unavailable, retry later' });
  });
});

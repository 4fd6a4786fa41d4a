import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../local/simulator/index.js';
import { createApp as createBqWriter } from '../bq-writer/app.js';
import { createApp as createStationInfoWriter } from '../station-info-writer/app.js';
import { createApp as createCollector } from '../velib-collector/app.js';
import type { CollectSettings } from '../velib-collector/collect.js';
import { silentLogger } from '../../runtime/logger.js';
import { listen, type Listening } from '../testing/service-fixtures.js';
import { PROJECT, eventually, startStack, tableRows, type Stack } from '../testing/e2e-harness.js';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const PUSHER = 'pmp-pubsub-push@pmp-test.iam.gserviceaccount.com';

function settings(feedUrl: string, eventType: CollectSettings['eventType']): CollectSettings {
  return {
    feedUrl,
    source: 'velib',
    eventType,
    staleAfterSeconds: 600,
    warnBytes: 5_000_000,
    fetch: { timeoutMs: 5_000, retries: 1, backoffMs: 10 },
  };
}

// collector → topic → push subscription (OIDC) → writer (auth on) → BigQuery emulator → query.
describe('a simulated snapshot travels the data path', () => {
  let stack: Stack;
  let simulator: Simulator;
  const servers: Listening[] = [];

  beforeAll(async () => {
    stack = await startStack();
    simulator = await startSimulator({ port: 0, seed: 7, start: new Date() });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await simulator?.close();
    await stack?.close();
  });

  it('station status: one raw row per snapshot, insertId = messageId, queryable', async () => {
    const audience = 'https://pmp-bq-writer.local/pubsub';
    const authed = await listen(
      createBqWriter({
        bigquery: stack.bigquery,
        table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
        dlqTable: { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' },
        log: silentLogger(),
        auth: { audience, jwksUrl: stack.pubsubEmulator.jwksUrl },
      }).callback(),
    );
    servers.push(authed);

    const [topic] = await stack.pubsub.createTopic('pmp-events');
    await topic.createSubscription('pmp-events-to-bq-sub', {
      pushConfig: {
        pushEndpoint: `${authed.url}/pubsub`,
        oidcToken: { serviceAccountEmail: PUSHER, audience },
      },
    });
    const collector = await listen(
      createCollector({
        topic: stack.pubsub.topic('pmp-events'),
        settings: settings(`${simulator.url}/station_status.json`, 'station_status_snapshot'),
        log: silentLogger(),
      }).callback(),
    );
    servers.push(collector);

    const response = await fetch(`${collector.url}/collect`, { method: 'POST' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      messageId: string;
      stations: number;
      feedAgeSeconds: number;
      warnings: string[];
    };
    expect(result.stations).toBeGreaterThan(1000);
    expect(result.feedAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(result.feedAgeSeconds).toBeLessThan(120);
    expect(result.warnings).toEqual([]);

    const [rows] = await eventually(async () => {
      const [found] = await stack.bigquery.query({
        query: `SELECT message_id, source, event_type, key, attributes, payload
                FROM \`${PROJECT}.pmp_raw.velib_station_status_raw\`
                WHERE message_id = '${result.messageId.replace(/[^\w-]/g, '')}'`,
      });
      return found.length > 0 ? [found] : undefined;
    }, 'the raw row');
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(row).toMatchObject({
      message_id: result.messageId,
      source: 'velib',
      event_type: 'station_status_snapshot',
      key: 'velib:station_status_snapshot',
    });
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    expect(payload.data.stations).toHaveLength(result.stations);
    const attributes =
      typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes;
    expect(Object.keys(attributes).sort()).toEqual(['event_ts', 'event_type', 'source']);
  });

  it('station information: one curated row per station, insertIds message:station', async () => {
    const audience = 'https://pmp-velib-station-info-writer.local/pubsub';
    const writer = await listen(
      createStationInfoWriter({
        bigquery: stack.bigquery,
        table: { datasetId: 'pmp_curated', tableId: 'velib_station_information' },
        dlqTable: { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' },
        log: silentLogger(),
        auth: { audience, jwksUrl: stack.pubsubEmulator.jwksUrl },
      }).callback(),
    );
    servers.push(writer);
    const [topic] = await stack.pubsub.createTopic('pmp-velib-station-info');
    await topic.createSubscription('pmp-velib-station-info-to-bq-sub', {
      pushConfig: {
        pushEndpoint: `${writer.url}/pubsub`,
        oidcToken: { serviceAccountEmail: PUSHER, audience },
      },
    });
    const collector = await listen(
      createCollector({
        topic,
        settings: settings(
          `${simulator.url}/station_information.json`,
          'station_information_snapshot',
        ),
        log: silentLogger(),
      }).callback(),
    );
    servers.push(collector);
    const response = await fetch(`${collector.url}/collect`);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { messageId: string; stations: number };

    const rows = await eventually(async () => {
      const found = await tableRows(stack.bigquery, 'pmp_curated', 'velib_station_information');
      return found.length >= result.stations ? found : undefined;
    }, 'station information rows');
    expect(rows).toHaveLength(result.stations);
    expect(new Set(rows.map((r) => r.station_id)).size).toBe(result.stations);
  });
});

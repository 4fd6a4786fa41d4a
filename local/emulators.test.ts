import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationInfoPushDlqTable } from '../core/warehouse/index.js';
import { silentLogger } from '../services/shared/logger.js';
import { startEmulators, type RunningEmulators } from './emulators.js';

const PROJECT = 'pmp-local';

let running: RunningEmulators;
let pubsub: PubSub;
let bigquery: BigQuery;
beforeAll(async () => {
  running = await startEmulators({
    pubsubPort: 0,
    pubsubAdminPort: 0,
    bigqueryPort: 0,
    log: silentLogger(),
  });
  const saved = { ...process.env };
  Object.assign(process.env, running.env);
  pubsub = new PubSub({ projectId: PROJECT });
  bigquery = new BigQuery({ projectId: PROJECT });
  for (const key of Object.keys(running.env)) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});
afterAll(async () => {
  await pubsub.close();
  await running.close();
});

describe('startEmulators', () => {
  it('exports the variables clients need', () => {
    expect(Object.keys(running.env).sort()).toEqual([
      'BIGQUERY_EMULATOR_HOST',
      'PUBSUB_EMULATOR_HOST',
      'PUSH_JWKS_URL',
    ]);
  });

  it('a BigQuery subscription with writeMetadata lands rows in the BigQuery emulator', async () => {
    const t = stationInfoPushDlqTable;
    const [dataset] = await bigquery.createDataset(t.datasetId);
    await dataset.createTable(t.tableId, {
      schema: { fields: t.fields.map((f) => ({ name: f.name, type: f.type, mode: f.mode })) },
      timePartitioning: { type: 'DAY', field: 'publish_time' },
    });
    const [dlq] = await pubsub.createTopic('pmp-velib-station-info-push-dlq');
    const [sub] = await dlq.createSubscription('pmp-velib-station-info-push-dlq-to-bq-sub', {
      bigqueryConfig: { table: `${PROJECT}:${t.datasetId}.${t.tableId}`, writeMetadata: true },
    });
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        dlq.publishMessage({ data: Buffer.from(`{"i":${i}}`), attributes: { i: String(i) } }),
      ),
    );
    const table = dataset.table(t.tableId);
    let rows: Array<Record<string, unknown>> = [];
    const start = Date.now();
    while (rows.length < 20 && Date.now() - start < 20_000) {
      [rows] = await table.getRows();
      if (rows.length < 20) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toHaveLength(20);
    const byId = new Map(rows.map((r) => [r.message_id as string, r]));
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    const row = byId.get(ids[3]!)!;
    expect(row.subscription_name).toBe(sub.name);
    expect(row.data).toBe('{"i":3}');
    expect(JSON.parse(row.attributes as string)).toEqual({ i: '3' });
    // Nothing pending: each message acked once its row was written.
    expect(running.pubsub!.status().subscriptions.find((s) => s.name === sub.name)!.backlog).toBe(
      0,
    );
  });
});

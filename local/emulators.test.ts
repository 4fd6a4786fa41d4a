import { connect } from 'node:net';
import { platform } from 'node:os';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationInfoPushDlqTable } from '../core/warehouse/index.js';
import { silentLogger } from '../runtime/logger.js';
import { connectHost, startEmulators, type RunningEmulators } from './emulators.js';

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

/** Whether a TCP connection to host:port is accepted (false when refused). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every TCP port the emulators listen on. */
function ports(emulators: RunningEmulators): number[] {
  const admin = Number(/:(\d+)$/.exec(emulators.pubsubAdminUrl!)![1]);
  return [emulators.pubsub!.port, admin, emulators.bigquery!.port];
}

/** Official clients, through the exported variables only: one topic, one dataset. */
async function useThroughEnv(emulators: RunningEmulators): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, emulators.env);
  const client = new PubSub({ projectId: PROJECT });
  const warehouse = new BigQuery({ projectId: PROJECT });
  for (const key of Object.keys(emulators.env)) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  try {
    await client.createTopic('host-check');
    const [topics] = await client.getTopics();
    expect(topics.map((t) => t.name)).toEqual([`projects/${PROJECT}/topics/host-check`]);
    await warehouse.createDataset('host_check');
    const [datasets] = await warehouse.getDatasets();
    expect(datasets.map((d) => d.id)).toEqual(['host_check']);
    const jwks = (await (await fetch(emulators.env.PUSH_JWKS_URL!)).json()) as { keys: unknown[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
}

// Linux routes all of 127.0.0.0/8 to loopback: 127.0.0.2 is an address that a 127.0.0.1 bind does
// not serve and a wildcard bind does, without needing a second network interface.
const otherLoopback = platform() === 'linux' ? it : it.skip;

describe('startEmulators host', () => {
  const start = (host?: string) =>
    startEmulators({
      pubsubPort: 0,
      pubsubAdminPort: 0,
      bigqueryPort: 0,
      log: silentLogger(),
      ...(host !== undefined ? { host } : {}),
    });

  it('binds 127.0.0.1 when told so: other addresses are refused, clients work', async () => {
    const emulators = await start('127.0.0.1');
    try {
      expect(emulators.env.PUBSUB_EMULATOR_HOST).toBe(`127.0.0.1:${emulators.pubsub!.port}`);
      expect(emulators.env.BIGQUERY_EMULATOR_HOST).toBe(
        `http://127.0.0.1:${emulators.bigquery!.port}`,
      );
      for (const port of ports(emulators)) expect(await accepts('127.0.0.1', port)).toBe(true);
      if (platform() === 'linux') {
        for (const port of ports(emulators)) expect(await accepts('127.0.0.2', port)).toBe(false);
      }
      await useThroughEnv(emulators);
    } finally {
      await emulators.close();
    }
  });

  otherLoopback('binds every address with 0.0.0.0, and still exports 127.0.0.1', async () => {
    const emulators = await start('0.0.0.0');
    try {
      expect(emulators.env.PUBSUB_EMULATOR_HOST).toBe(`127.0.0.1:${emulators.pubsub!.port}`);
      expect(emulators.env.BIGQUERY_EMULATOR_HOST).toBe(
        `http://127.0.0.1:${emulators.bigquery!.port}`,
      );
      expect(emulators.env.PUSH_JWKS_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/jwks$/);
      for (const port of ports(emulators)) {
        expect(await accepts('127.0.0.1', port)).toBe(true);
        expect(await accepts('127.0.0.2', port)).toBe(true);
      }
      await useThroughEnv(emulators);
    } finally {
      await emulators.close();
    }
  });

  it('connects to loopback for a wildcard bind, to the address itself otherwise', () => {
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('[::1]');
    expect(connectHost('127.0.0.1')).toBe('127.0.0.1');
    expect(connectHost('10.1.2.3')).toBe('10.1.2.3');
    expect(connectHost('::1')).toBe('[::1]');
  });
});

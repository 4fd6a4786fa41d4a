import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp as createBqWriter } from '../bq-writer/app.js';
import { createBaseApp } from '../shared/app-base.js';
import { pushWriterRoutes } from '../shared/push-writer.js';
import { createApp as createStationInfoWriter } from '../station-info-writer/app.js';
import { silentLogger } from '../../runtime/logger.js';
import { listen, postJson, pushBody, type Listening } from '../testing/service-fixtures.js';
import { eventually, startStack, tableRows, type Stack } from '../testing/e2e-harness.js';

const DLQ = { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' };

const statusEnvelope = (n: number) =>
  JSON.stringify({
    ingest_ts: '2026-03-01T08:00:00Z',
    source: 'velib',
    event_type: 'station_status_snapshot',
    payload: { lastUpdatedOther: 1772352000 + n, data: { stations: [{ station_id: n }] } },
  });

/** Every kind of permanently bad push, as it would reach a writer. */
function malformedBodies(tag: string): { kind: string; body: string }[] {
  return [
    { kind: 'invalid_base64', body: pushBody({ messageId: `${tag}-b64`, dataBase64: '%%%%' }) },
    {
      kind: 'invalid_utf8',
      body: pushBody({
        messageId: `${tag}-utf8`,
        dataBase64: Buffer.from([0xc3, 0x28]).toString('base64'),
      }),
    },
    { kind: 'JSONDecodeError', body: pushBody({ messageId: `${tag}-json`, text: '{"half":' }) },
    {
      kind: 'InvalidEnvelope',
      body: pushBody({ messageId: `${tag}-shape`, text: '{"test":"x"}' }),
    },
    { kind: 'InvalidEnvelope', body: pushBody({ messageId: `${tag}-array`, text: '[1,2]' }) },
    { kind: 'empty_message', body: pushBody({ messageId: `${tag}-empty`, dataBase64: '' }) },
    { kind: 'invalid_push_body', body: '{"message":"not an object"}' },
  ];
}

describe('writers against the emulators', () => {
  let stack: Stack;
  let bqWriter: Listening;
  let infoWriter: Listening;
  let authedWriter: Listening;
  const audience = 'https://pmp-bq-writer.local/pubsub';

  beforeAll(async () => {
    stack = await startStack();
    const common = { bigquery: stack.bigquery, dlqTable: DLQ, log: silentLogger() };
    bqWriter = await listen(
      createBqWriter({
        ...common,
        table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
      }).callback(),
    );
    infoWriter = await listen(
      createStationInfoWriter({
        ...common,
        table: { datasetId: 'pmp_curated', tableId: 'velib_station_information' },
      }).callback(),
    );
    authedWriter = await listen(
      createBqWriter({
        ...common,
        table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
        auth: { audience, jwksUrl: stack.pubsubEmulator.jwksUrl },
      }).callback(),
    );
  });

  afterAll(async () => {
    await Promise.all([bqWriter, infoWriter, authedWriter].map((s) => s?.close()));
    await stack?.close();
  });

  it('records every malformed push in pmp_ops.push_writer_dlq before acking: count in == count out', async () => {
    const sent: { writer: string; kind: string }[] = [];
    for (const [name, server] of [
      ['pmp-bq-writer', bqWriter],
      ['pmp-velib-station-info-writer', infoWriter],
    ] as const) {
      for (const { kind, body } of malformedBodies(name)) {
        const response = await postJson(`${server.url}/pubsub`, body);
        expect(response.status, `${name} ${kind}`).toBe(200);
        expect(response.json).toMatchObject({ status: 'dead_lettered', errorType: kind });
        sent.push({ writer: name, kind });
      }
    }
    const rows = await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId);
    expect(rows).toHaveLength(sent.length);
    const got = rows.map((r) => `${r.writer} ${r.error_type}`).sort();
    expect(got).toEqual(sent.map((s) => `${s.writer} ${s.kind}`).sort());
    const b64 = rows.find((r) => r.message_id === 'pmp-bq-writer-b64')!;
    expect(b64).toMatchObject({
      writer: 'pmp-bq-writer',
      subscription: 'projects/test/subscriptions/test-sub',
      error_message: 'message.data is not valid base64',
    });
    expect(String(b64.raw)).toContain('%%%%');
  });

  it('redelivery of a bad message keeps one DLQ record (insertId from the message id)', async () => {
    const before = (await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId)).length;
    const body = pushBody({ messageId: 'redelivered-bad', text: 'nope' });
    for (let i = 0; i < 3; i++) {
      expect((await postJson(`${bqWriter.url}/pubsub`, body)).status).toBe(200);
    }
    const after = await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId);
    expect(after.length - before).toBe(1);
  });

  it('cuts raw at 200,000 characters', async () => {
    const body = pushBody({ messageId: 'huge-bad', text: `{"x":"${'a'.repeat(300_000)}` });
    expect((await postJson(`${bqWriter.url}/pubsub`, body)).status).toBe(200);
    const rows = await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId);
    const row = rows.find((r) => r.message_id === 'huge-bad')!;
    expect(String(row.raw)).toHaveLength(200_000);
  });

  it('lands a valid message once however often it is pushed (insertId = messageId)', async () => {
    const body = pushBody({ messageId: 'good-1', text: statusEnvelope(1) });
    for (let i = 0; i < 3; i++) {
      const response = await postJson(`${bqWriter.url}/pubsub`, body);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ status: 'written', rows: 1, messageId: 'good-1' });
    }
    const rows = await tableRows(stack.bigquery, 'pmp_raw', 'velib_station_status_raw');
    expect(rows.filter((r) => r.message_id === 'good-1')).toHaveLength(1);
  });

  it('a wrong event type on the station-information topic goes to the DLQ, not into the table', async () => {
    const response = await postJson(
      `${infoWriter.url}/pubsub`,
      pushBody({ messageId: 'wrong-type', text: statusEnvelope(2) }),
    );
    expect(response.json).toMatchObject({
      status: 'dead_lettered',
      errorType: 'unexpected_event_type',
    });
  });

  it('with auth on: 401 without a token or with a wrong audience, 200 with an emulator-minted one', async () => {
    const body = pushBody({ messageId: 'authed-1', text: statusEnvelope(3) });
    expect((await postJson(`${authedWriter.url}/pubsub`, body)).status).toBe(401);
    const wrong = await stack.pubsubEmulator.mintIdToken({
      audience: 'https://someone-else/pubsub',
      email: 'x@pmp-test.iam.gserviceaccount.com',
    });
    expect(
      (await postJson(`${authedWriter.url}/pubsub`, body, { authorization: `Bearer ${wrong}` }))
        .status,
    ).toBe(401);
    const token = await stack.pubsubEmulator.mintIdToken({
      audience,
      email: 'pusher@pmp-test.iam.gserviceaccount.com',
    });
    const ok = await postJson(`${authedWriter.url}/pubsub`, body, {
      authorization: `Bearer ${token}`,
    });
    expect(ok.status).toBe(200);
    // 401 responses wrote nothing: only the authenticated delivery landed.
    const rows = await tableRows(stack.bigquery, 'pmp_raw', 'velib_station_status_raw');
    expect(rows.filter((r) => r.message_id === 'authed-1')).toHaveLength(1);
  });

  it('malformed messages published through Pub/Sub end in the DLQ and are acked', async () => {
    const [topic] = await stack.pubsub.createTopic('malformed-events');
    const [sub] = await topic.createSubscription('malformed-events-to-bq-sub', {
      pushConfig: { pushEndpoint: `${bqWriter.url}/pubsub` },
    });
    const ids = await Promise.all(
      ['not json', '{"test":"drill"}', '"just a string"', '{"ingest_ts":"yesterday"}'].map((text) =>
        topic.publishMessage({ data: Buffer.from(text) }),
      ),
    );
    const rows = await eventually(async () => {
      const found = (await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId)).filter((r) =>
        ids.includes(String(r.message_id)),
      );
      return found.length === ids.length ? found : undefined;
    }, 'DLQ rows for published malformed messages');
    expect(rows.every((r) => r.subscription === sub.name)).toBe(true);
    await eventually(() => {
      const state = stack.pubsubEmulator.status().subscriptions.find((s) => s.name === sub.name);
      return state && state.backlog === 0 ? true : undefined;
    }, 'the subscription to drain (acked)');
  });

  it('answers 503 (never acks) when the DLQ record cannot be written', async () => {
    const server = await listen(
      createBqWriter({
        bigquery: stack.bigquery,
        table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
        dlqTable: { datasetId: 'pmp_ops', tableId: 'no_such_dlq_table' },
        log: silentLogger(),
      }).callback(),
    );
    try {
      const response = await postJson(`${server.url}/pubsub`, pushBody({ text: 'garbage' }));
      expect(response.status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('a transient warehouse failure is retried by Pub/Sub until the message lands', async () => {
    const table = { datasetId: 'pmp_raw', tableId: 'late_table' };
    const statuses: number[] = [];
    const handler = createBqWriter({
      bigquery: stack.bigquery,
      table,
      dlqTable: DLQ,
      log: silentLogger(),
    }).callback();
    const server = await listen((req, res) => {
      res.on('finish', () => statuses.push(res.statusCode));
      void handler(req, res);
    });
    try {
      const [topic] = await stack.pubsub.createTopic('late-events');
      await topic.createSubscription('late-events-to-bq-sub', {
        pushConfig: { pushEndpoint: `${server.url}/pubsub` },
      });
      const id = await topic.publishMessage({ data: Buffer.from(statusEnvelope(7)) });
      await eventually(
        () => (statuses.filter((s) => s === 503).length >= 2 ? true : undefined),
        'retries',
      );
      // The warehouse "recovers": the table appears, and the next redelivery lands the row.
      const raw = (
        await stack.bigquery.dataset('pmp_raw').table('velib_station_status_raw').getMetadata()
      )[0];
      await stack.bigquery.dataset('pmp_raw').createTable(table.tableId, { schema: raw.schema });
      const rows = await eventually(async () => {
        const found = await tableRows(stack.bigquery, table.datasetId, table.tableId);
        return found.length > 0 ? found : undefined;
      }, 'the row after recovery');
      expect(rows.map((r) => r.message_id)).toEqual([id]);
      expect(statuses.at(-1)).toBe(200);
      const dlq = await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId);
      expect(dlq.filter((r) => r.message_id === id)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a mapping bug is recorded in the DLQ, not retried forever', async () => {
    const app = createBaseApp(silentLogger(), { draining: false });
    const routes = pushWriterRoutes({
      writer: 'buggy-writer',
      bigquery: stack.bigquery,
      table: { datasetId: 'pmp_raw', tableId: 'velib_station_status_raw' },
      dlqTable: DLQ,
      toRows: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    });
    app.use(routes.routes());
    const server = await listen(app.callback());
    try {
      const response = await postJson(
        `${server.url}/pubsub`,
        pushBody({ messageId: 'bug-1', text: statusEnvelope(9) }),
      );
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        status: 'dead_lettered',
        errorType: 'unexpected_error',
      });
      const rows = await tableRows(stack.bigquery, DLQ.datasetId, DLQ.tableId);
      expect(rows.find((r) => r.message_id === 'bug-1')).toMatchObject({
        writer: 'buggy-writer',
        error_message:
          "mapping failed: TypeError: Cannot read properties of undefined (reading 'x')",
      });
    } finally {
      await server.close();
    }
  });
});

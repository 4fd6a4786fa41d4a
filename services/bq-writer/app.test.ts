import type { BigQuery } from '@google-cloud/bigquery';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEnvelope,
  parseEnvelope,
  safeJsonStringify,
  stationStatusRawTable,
  writerDlqTable,
} from '../../core/index.js';
import { readVelibJson } from '../../core/testing/fixtures.js';
import type { BigQueryEmulator } from '../../local/bigquery-emulator/index.js';
import { startWithClient } from '../../local/bigquery-emulator/testing/client.js';
import { listen, postJson, pushBody } from '../testing/service-fixtures.js';
import { silentLogger } from '../../runtime/logger.js';
import type { PushMessage } from '../shared/push-message.js';
import { createApp, rawStatusPlan } from './app.js';

const message: PushMessage = {
  messageId: 'm-1',
  publishTime: '2026-03-01T08:00:01.5Z',
  attributes: { source: 'velib' },
  dataBase64: '',
};

const head =
  '"ingest_ts":"2026-03-01T08:00:00Z","source":"velib","event_type":"station_status_snapshot"';
const envelopeWith = (payloadText: string) => `{${head},"payload":${payloadText}}`;
const payloadColumn = (text: string) => rawStatusPlan(text, message).rows[0]!.row.payload;

describe('rawStatusPlan: the payload column', () => {
  it('is the payload’s own text for a real snapshot: what serializing would give, byte for byte', () => {
    const envelope = buildEnvelope({
      document: readVelibJson('station_status.json'),
      source: 'velib',
      eventType: 'station_status_snapshot',
      ingestTs: new Date('2026-03-01T08:00:00Z'),
    });
    const text = JSON.stringify(envelope);
    const [row] = rawStatusPlan(text, message).rows;
    expect(row!.insertId).toBe('m-1');
    expect(row!.row.payload).toBe(JSON.stringify(envelope.payload));
    expect(row!.row).toMatchObject({
      message_id: 'm-1',
      attributes: '{"source":"velib"}',
      event_type: 'station_status_snapshot',
    });
  });

  it('keeps the publisher’s formatting when it changes no value', () => {
    const payload = '{ "data" : {\n  "stations": [ {"station_id": 1, "s": "a\\/b\\u0041"} ] } }';
    expect(payloadColumn(envelopeWith(payload))).toBe(payload);
  });

  it('serializes the parsed payload whenever the text could mean something else', () => {
    const cases: [payloadText: string, stored: unknown][] = [
      ['{"a":1,"a":2}', { a: 2 }], // JSON.parse keeps the last; BigQuery may keep the first
      ['{"a":[{"b":1,"b":{"c":3}}]}', { a: [{ b: { c: 3 } }] }],
      ['{"big":12345678901234567890}', { big: 12345678901234567000 }],
      ['"{\\"from\\":\\"a string\\"}"', { from: 'a string' }], // coerced by parseEnvelope
      ['"not json"', { raw_payload: 'not json' }],
      ['42', { value: 42 }],
    ];
    for (const [payloadText, stored] of cases) {
      const column = payloadColumn(envelopeWith(payloadText));
      expect(column, payloadText).toBe(JSON.stringify(stored));
    }
    // "payload" twice at the top: the last one is the envelope's, serialized.
    const twice = `{${head},"payload":{"first":1},"payload":{"last":2}}`;
    expect(payloadColumn(twice)).toBe('{"last":2}');
  });

  it('always holds the value of the parsed envelope’s payload (property)', () => {
    const payload = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
      fc.jsonValue({ maxDepth: 1 }).filter((v) => v !== null), // null: no payload, refused
    );
    fc.assert(
      fc.property(payload, fc.constantFrom(undefined, 2, '\t'), (value, space) => {
        const text = JSON.stringify(
          {
            ingest_ts: '2026-03-01T08:00:00Z',
            source: 'velib',
            event_type: 'x',
            payload: value,
          },
          null,
          space,
        );
        // The column as it was before slicing: the parsed envelope's payload, serialized.
        const before = safeJsonStringify(parseEnvelope(text).payload)!;
        expect(JSON.parse(payloadColumn(text)!)).toEqual(JSON.parse(before));
      }),
      { numRuns: 300 },
    );
  });
});

describe('bq-writer against the BigQuery emulator', () => {
  let emulator: BigQueryEmulator;
  let bigquery: BigQuery;
  const table = { datasetId: 'pmp_raw', tableId: stationStatusRawTable.tableId };
  const dlqTable = { datasetId: 'pmp_ops', tableId: writerDlqTable.tableId };

  beforeAll(async () => {
    ({ emulator, bigquery } = await startWithClient({}, 'pmp-local'));
    for (const t of [stationStatusRawTable, writerDlqTable]) {
      const [dataset] = await bigquery.dataset(t === writerDlqTable ? 'pmp_ops' : 'pmp_raw').get({
        autoCreate: true,
      });
      await dataset
        .table(t.tableId)
        .create({ schema: { fields: t.fields.map((f) => ({ ...f })) } });
    }
  });

  afterAll(async () => emulator?.close());

  it('stores an indented envelope’s payload with the value it was published with', async () => {
    const server = await listen(
      createApp({ bigquery, table, dlqTable, log: silentLogger() }).callback(),
    );
    try {
      const payload = {
        lastUpdatedOther: 1772352000,
        note: 'braces { } and "quotes" and {{projectId}}',
        data: { stations: [{ station_id: 7, num_bikes_available_types: [{ mechanical: 1 }] }] },
      };
      const text = JSON.stringify(
        {
          ingest_ts: '2026-03-01T08:00:00Z',
          source: 'velib',
          event_type: 'station_status_snapshot',
          payload,
        },
        null,
        2,
      );
      const response = await postJson(
        `${server.url}/pubsub`,
        pushBody({ messageId: 'pretty-1', text }),
      );
      expect(response.json).toMatchObject({ status: 'written', rows: 1 });
      const [rows] = await bigquery.query({
        query: `SELECT payload FROM pmp_raw.${table.tableId} WHERE message_id = 'pretty-1'`,
      });
      expect(rows).toHaveLength(1);
      const stored = (rows[0] as { payload: unknown }).payload;
      expect(typeof stored === 'string' ? JSON.parse(stored) : stored).toEqual(payload);
    } finally {
      await server.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { curateMessage } from './curate.js';
import { RAW_MAX_CHARS } from './dlq.js';
import { buildEnvelope } from './envelope.js';
import { readVelibJson } from './testing/fixtures.js';

const now = new Date('2026-01-24T16:00:05.000Z');
const meta = { messageId: 'm-1', publishTime: '2026-01-24T16:00:01.000Z', attributes: { a: 'b' } };

function statusMessage(document: unknown): string {
  return JSON.stringify(
    buildEnvelope({
      document,
      source: 'velib',
      eventType: 'station_status_snapshot',
      ingestTs: new Date('2026-01-24T16:00:00Z'),
    }),
  );
}

describe('curateMessage', () => {
  it('turns the real snapshot (as bytes) into 1,495 rows and no DLQ record', () => {
    const bytes = new TextEncoder().encode(statusMessage(readVelibJson('station_status.json')));
    const { rows, dlq } = curateMessage(bytes, meta, now);
    expect(rows).toHaveLength(1495);
    expect(dlq).toEqual([]);
  });

  it('sends unparsable messages to the DLQ at parse_normalize, with the message metadata', () => {
    const { rows, dlq } = curateMessage('{not json', meta, now);
    expect(rows).toEqual([]);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({
      dlq_ts: '2026-01-24T16:00:05Z',
      stage: 'parse_normalize',
      error_type: 'JSONDecodeError',
      raw: '{not json',
      row_json: null,
      bq_errors: null,
    });
    expect(dlq[0]?.error_message).toMatch(/^message is not valid JSON: /);
    expect(JSON.parse(dlq[0]?.event_meta ?? 'null')).toEqual({
      message_id: 'm-1',
      publish_time: '2026-01-24T16:00:01.000Z',
      attributes: { a: 'b' },
    });
  });

  it('names the missing envelope field', () => {
    const { dlq } = curateMessage(JSON.stringify({ source: 'velib', payload: {} }), {}, now);
    expect(dlq[0]).toMatchObject({ stage: 'parse_normalize', error_type: 'InvalidEnvelope' });
    expect(dlq[0]?.error_message).toBe(
      'envelope is invalid: ingest_ts is missing; event_type is missing',
    );
  });

  it('sends invalid UTF-8 to the DLQ with the bytes decoded lossily', () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const { dlq } = curateMessage(bytes, meta, now);
    expect(dlq[0]).toMatchObject({
      stage: 'parse_normalize',
      error_type: 'UnicodeDecodeError',
      error_message: 'message is not valid UTF-8',
      raw: '{\uFFFD\uFFFD}',
    });
  });

  it('sends a snapshot whose stations are not a list to the DLQ at snapshot_to_station_rows', () => {
    const raw = statusMessage({ data: { stations: 'NOT_A_LIST' } });
    const { rows, dlq } = curateMessage(raw, meta, now);
    expect(rows).toEqual([]);
    expect(dlq[0]).toMatchObject({
      stage: 'snapshot_to_station_rows',
      error_type: 'InvalidSnapshot',
      error_message: 'payload.data.stations is not a list (got string)',
      raw,
    });
    expect(JSON.parse(dlq[0]?.event_meta ?? 'null')).toMatchObject({
      message_id: 'm-1',
      source: 'velib',
      event_type: 'station_status_snapshot',
      key: 'velib:station_status_snapshot',
      ingest_ts: '2026-01-24T16:00:00Z',
    });
  });

  it('ignores other event types: no rows, no DLQ record', () => {
    const raw = JSON.stringify(
      buildEnvelope({
        document: readVelibJson('station_information.json'),
        source: 'velib',
        eventType: 'station_information_snapshot',
        ingestTs: now,
      }),
    );
    expect(curateMessage(raw, meta, now)).toEqual({ rows: [], dlq: [] });
  });

  it('cuts the DLQ raw at 200,000 characters', () => {
    const raw = `x${'y'.repeat(500_000)}`;
    const { dlq } = curateMessage(raw, meta, now);
    expect(dlq[0]?.raw).toHaveLength(RAW_MAX_CHARS);
    expect(dlq[0]?.raw).toBe(raw.slice(0, RAW_MAX_CHARS));
  });
});

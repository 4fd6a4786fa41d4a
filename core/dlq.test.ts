import { describe, expect, it } from 'vitest';
import { buildCuratedDlqRecord, RAW_MAX_CHARS } from './dlq.js';
import { ERROR_MESSAGE_MAX_CHARS } from './defaults.js';
import { StageError } from './errors.js';
import { curatedInsertId } from './insert-ids.js';

const now = new Date('2026-01-24T16:00:05.250Z');

describe('buildCuratedDlqRecord', () => {
  it('records a stage error with its type and message', () => {
    expect(
      buildCuratedDlqRecord({
        stage: 'snapshot_to_station_rows',
        error: new StageError('snapshot_to_station_rows', 'InvalidSnapshot', 'bad stations'),
        raw: '{"a":1}',
        eventMeta: { message_id: 'm' },
        now,
      }),
    ).toEqual({
      dlq_ts: '2026-01-24T16:00:05.250Z',
      stage: 'snapshot_to_station_rows',
      error_type: 'InvalidSnapshot',
      error_message: 'bad stations',
      raw: '{"a":1}',
      event_meta: '{"message_id":"m"}',
      row_json: null,
      bq_errors: null,
    });
  });

  it('records a BigQuery insert failure as the original FormatBQFailures did', () => {
    const row = { station_id: '1', num_bikes_available: 'x' };
    const bqErrors = [{ reason: 'invalid', message: 'Cannot convert value to integer' }];
    expect(
      buildCuratedDlqRecord({
        stage: 'bq_insert_curated',
        error: undefined,
        raw: null,
        eventMeta: { destination: 'p:pmp_curated.velib_station_status' },
        now,
        row,
        bqErrors,
      }),
    ).toMatchObject({
      error_type: 'BigQueryInsertError',
      error_message: 'Cannot convert value to integer',
      raw: null,
      row_json: JSON.stringify(row),
      bq_errors: JSON.stringify(bqErrors),
    });
  });

  it('cuts raw at 200,000 characters without splitting a surrogate pair', () => {
    const long = 'a'.repeat(RAW_MAX_CHARS - 1) + '😀' + 'b'.repeat(10);
    const record = buildCuratedDlqRecord({ stage: 'parse_normalize', error: 'x', raw: long, now });
    expect(record.raw).toBe('a'.repeat(RAW_MAX_CHARS - 1));
    const exact = 'c'.repeat(RAW_MAX_CHARS + 5);
    expect(
      buildCuratedDlqRecord({ stage: 'parse_normalize', error: 'x', raw: exact, now }).raw,
    ).toHaveLength(RAW_MAX_CHARS);
  });

  it('makes any raw value writable: bytes, objects, lone surrogates, BigInt, cycles', () => {
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    const cases: [unknown, string | null][] = [
      [new Uint8Array([0x61, 0xff]), 'a\uFFFD'],
      [{ a: [1, 'x'] }, '{"a":[1,"x"]}'],
      ['x\uD800y', 'x\uFFFDy'],
      [cyclic, '{"n":"1","self":"[Circular]"}'],
      [undefined, null],
      [() => 1, null],
    ];
    for (const [raw, expected] of cases) {
      expect(buildCuratedDlqRecord({ stage: 'parse_normalize', error: 'e', raw, now }).raw).toBe(
        expected,
      );
    }
  });

  it('never throws on hostile errors or clocks, and bounds the message', () => {
    const hostile = {
      get message(): string {
        throw new Error('boom');
      },
    };
    const record = buildCuratedDlqRecord({
      stage: 'parse_normalize',
      error: hostile,
      raw: 'r',
      now: new Date(NaN),
    });
    expect(record.dlq_ts).toBe('1970-01-01T00:00:00Z');
    expect(record.error_type).toBe('UnknownError');
    const long = buildCuratedDlqRecord({
      stage: 'parse_normalize',
      error: new Error('m'.repeat(ERROR_MESSAGE_MAX_CHARS * 2)),
      raw: 'r',
      now,
    });
    expect(long.error_message).toHaveLength(ERROR_MESSAGE_MAX_CHARS);
  });
});

describe('curatedInsertId', () => {
  it('is messageId:stationId', () => {
    expect(curatedInsertId('123', '19179944124')).toBe('123:19179944124');
  });
});

describe('buildCuratedDlqRecord with an Error whose message getter throws', () => {
  it('still returns a record', () => {
    class Weird extends Error {
      override get message(): string {
        throw new Error('no');
      }
    }
    const record = buildCuratedDlqRecord({
      stage: 'parse_normalize',
      error: new Weird(),
      raw: 'r',
      now,
    });
    expect(record.error_message).toBe('the error could not be read');
  });
});

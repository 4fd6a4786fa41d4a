import {
  dateValue,
  decimalValue,
  listValue,
  structValue,
  timestampTZValue,
  timestampValue,
  timeValue,
  blobValue,
} from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { encodeRow, microsToSeconds } from './encode.js';
import { normalizeSchema } from './schema.js';

describe('encodeRow', () => {
  const fields = normalizeSchema([
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'n', type: 'NUMERIC' },
    { name: 'd', type: 'DATE' },
    { name: 'dt', type: 'DATETIME' },
    { name: 't', type: 'TIME' },
    { name: 'b', type: 'BYTES' },
    { name: 'f', type: 'FLOAT64' },
    { name: 'bo', type: 'BOOL' },
    { name: 'i', type: 'INT64', mode: 'REPEATED' },
    { name: 'r', type: 'RECORD', fields: [{ name: 'x', type: 'STRING' }] },
  ]);
  const values = [
    timestampTZValue(1_767_225_600_123_456n),
    decimalValue(1_500_000_000n, 38, 9),
    dateValue(20_454),
    timestampValue(1_767_225_600_000_001n),
    timeValue(3_600_000_000n),
    blobValue(new Uint8Array([255])),
    Number.NaN,
    false,
    listValue([1n, 2n]),
    structValue({ x: null }),
  ];

  it('encodes every value as BigQuery strings, records as f and repeated as v lists', () => {
    expect(encodeRow(values, fields, { int64Timestamp: true })).toEqual({
      f: [
        { v: '1767225600123456' },
        { v: '1.5' },
        { v: '2026-01-01' },
        { v: '2026-01-01T00:00:00.000001' },
        { v: '01:00:00' },
        { v: '/w==' },
        { v: 'NaN' },
        { v: 'false' },
        { v: [{ v: '1' }, { v: '2' }] },
        { v: { f: [{ v: null }] } },
      ],
    });
  });

  it('writes float seconds when int64 timestamps are not asked for', () => {
    expect(encodeRow(values, fields, { int64Timestamp: false }).f[0]).toEqual({
      v: '1767225600.123456',
    });
    expect(microsToSeconds(-1_500_000n)).toBe('-1.5');
    expect(microsToSeconds(0n)).toBe('0');
  });

  it('encodes NULL as null and a NULL list as an empty list', () => {
    const row = encodeRow(new Array(fields.length).fill(null), fields, { int64Timestamp: true });
    expect(row.f.map((c) => c.v)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      [],
      null,
    ]);
  });
});

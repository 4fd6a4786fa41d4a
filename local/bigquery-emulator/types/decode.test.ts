import type {
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
} from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { compileRowDecoder, parseTimestampMicros } from './decode.js';
import { formatScaledDecimal, parseScaledDecimal } from './decimal-text.js';
import { normalizeSchema } from './schema.js';

const opts = { ignoreUnknownValues: false };

describe('parseTimestampMicros', () => {
  it.each([
    ['2026-01-01T00:00:00Z', 1_767_225_600_000_000n],
    ['2026-01-01 00:00:00', 1_767_225_600_000_000n],
    ['2026-01-01 00:00:00 UTC', 1_767_225_600_000_000n],
    ['2026-01-01T02:00:00+02:00', 1_767_225_600_000_000n],
    ['2026-01-01T00:00:00.1234567Z', 1_767_225_600_123_456n],
    ['2026/01/01 00:00', 1_767_225_600_000_000n],
    ['2026-01-01', 1_767_225_600_000_000n],
    [1_767_225_600.5, 1_767_225_600_500_000n],
  ])('%s', (input, micros) => {
    expect(parseTimestampMicros(input, 'ts')).toBe(micros);
  });

  it.each([
    'yesterday',
    '2026-13-01 00:00:00',
    '2026-02-30',
    '2026-01-01T25:00:00Z',
    '',
    true,
    1e300,
  ])('rejects %s naming BigQuery formats', (input) => {
    expect(() => parseTimestampMicros(input, 'ts')).toThrow(/as a timestamp/);
  });
});

describe('decimals', () => {
  it('scales and rounds half away from zero', () => {
    expect(parseScaledDecimal('1.5', 9)).toBe(1_500_000_000n);
    expect(parseScaledDecimal('-0.0000000005', 9)).toBe(-1n);
    expect(parseScaledDecimal('1e3', 0)).toBe(1000n);
    expect(parseScaledDecimal('abc', 9)).toBeUndefined();
    expect(formatScaledDecimal(-1_500_000_000n, 9)).toBe('-1.5');
    expect(formatScaledDecimal(7n, 9)).toBe('0.000000007');
  });
});

describe('compileRowDecoder', () => {
  const decode = compileRowDecoder(
    normalizeSchema([
      { name: 'id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'n', type: 'INT64' },
      { name: 'amount', type: 'NUMERIC' },
      { name: 'at', type: 'TIMESTAMP' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      {
        name: 'rec',
        type: 'RECORD',
        fields: [
          { name: 'x', type: 'INT64', mode: 'REQUIRED' },
          { name: 'y', type: 'BOOL' },
        ],
      },
    ]),
  );

  it('decodes with BigQuery coercions and matches names case-insensitively', () => {
    const result = decode(
      { ID: 'a', n: '42', amount: 0.1, at: '2026-01-01T00:00:00Z', rec: { x: 1, y: 'true' } },
      opts,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [id, n, amount, at, tags, rec] = result.values;
    expect(id).toBe('a');
    expect(n).toBe(42n);
    expect((amount as DuckDBDecimalValue).value).toBe(100_000_000n);
    expect((at as DuckDBTimestampTZValue).micros).toBe(1_767_225_600_000_000n);
    expect((tags as DuckDBListValue).items).toEqual([]);
    // Small integers stay numbers (the appender widens them to BIGINT); text becomes a BigInt.
    expect((rec as DuckDBStructValue).entries).toEqual({ x: 1, y: true });
  });

  it('collects every row error with its location', () => {
    const result = decode({ n: 1.5, tags: 'x', rec: { y: true }, extra: 1 }, opts);
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({
          location: 'n',
          message: 'Cannot convert value to integer (bad value): 1.5',
        }),
        expect.objectContaining({
          location: 'tags',
          message: 'Expected an array for repeated field: tags.',
        }),
        expect.objectContaining({ location: 'rec.x', message: 'Missing required field: rec.x.' }),
        expect.objectContaining({ location: 'extra', message: 'no such field: extra.' }),
        expect.objectContaining({ location: 'id', message: 'Missing required field: id.' }),
      ],
    });
  });

  it('ignores unknown fields when asked, and refuses non-objects', () => {
    expect(decode({ id: 'a', extra: 1 }, { ignoreUnknownValues: true }).ok).toBe(true);
    expect(decode([1], opts).ok).toBe(false);
    expect(decode({ id: 'a', n: '9223372036854775808' }, opts).ok).toBe(false);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TIMESTAMP_SECONDS, MIN_TIMESTAMP_SECONDS } from './defaults.js';
import { dateToTimestamp, epochSecondsToTimestamp, normalizeTimestamp } from './timestamps.js';

describe('normalizeTimestamp', () => {
  it.each([
    ['2026-01-24T16:00:00Z', '2026-01-24T16:00:00Z'],
    ['2026-01-24T16:00:00.000Z', '2026-01-24T16:00:00Z'],
    ['2026-01-24T16:00:00.123456+00:00', '2026-01-24T16:00:00.123456Z'],
    ['2026-01-24T16:00:00.1234567891Z', '2026-01-24T16:00:00.123456Z'],
    ['2026-01-24t17:30:00+01:30', '2026-01-24T16:00:00Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00Z'],
    ['2026-01-24 16:00:00', '2026-01-24T16:00:00Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59.999999Z', '9999-12-31T23:59:59.999999Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
  });

  it.each([
    ['2026-01-24'],
    ['March 7, 2026'],
    ['2025-02-29T00:00:00Z'],
    ['2026-13-01T00:00:00Z'],
    ['2026-01-24T16:60:00Z'],
    ['2026-01-24T16:00:00+24:00'],
    ['0001-01-01T00:00:00+01:00'],
    ['9999-12-31T23:59:59-01:00'],
    ['1760778556'],
    [''],
  ])('%j → null', (input) => {
    expect(normalizeTimestamp(input)).toBeNull();
  });
});

describe('epochSecondsToTimestamp (the original _epoch_to_rfc3339)', () => {
  it('converts epoch seconds after the lenient int conversion', () => {
    expect(epochSecondsToTimestamp(1737734400)).toBe('2025-01-24T16:00:00Z');
    expect(epochSecondsToTimestamp('1737734400')).toBe('2025-01-24T16:00:00Z');
    expect(epochSecondsToTimestamp(1737734400.9)).toBe('2025-01-24T16:00:00Z');
    expect(epochSecondsToTimestamp(0)).toBe('1970-01-01T00:00:00Z');
    expect(epochSecondsToTimestamp(-1)).toBe('1969-12-31T23:59:59Z');
  });

  // The formatting is arithmetic (it runs once per station row); Date is the reference.
  const viaDate = (s: number) => new Date(s * 1000).toISOString().slice(0, 19) + 'Z';

  it('formats exactly as Date.toISOString across years 0001–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_TIMESTAMP_SECONDS, max: MAX_TIMESTAMP_SECONDS }), (s) => {
        expect(epochSecondsToTimestamp(s)).toBe(viaDate(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('gets the edges right: range ends, leap days, century rules, day and year boundaries', () => {
    const edges = [
      MIN_TIMESTAMP_SECONDS,
      MAX_TIMESTAMP_SECONDS,
      Date.UTC(2000, 1, 29) / 1000,
      Date.UTC(1900, 2, 1) / 1000 - 1,
      Date.UTC(2100, 1, 28, 23, 59, 59) / 1000,
      Date.UTC(1600, 1, 29, 12) / 1000,
      Date.parse('0099-12-31T23:59:59Z') / 1000,
      Date.parse('0400-02-29T00:00:00Z') / 1000,
      Date.UTC(1969, 11, 31, 23, 59, 59) / 1000,
      -86_400,
      -86_401,
    ].map(Math.trunc);
    for (const s of edges) expect(epochSecondsToTimestamp(s)).toBe(viaDate(s));
    expect(epochSecondsToTimestamp(MIN_TIMESTAMP_SECONDS)).toBe('0001-01-01T00:00:00Z');
    expect(epochSecondsToTimestamp(MAX_TIMESTAMP_SECONDS)).toBe('9999-12-31T23:59:59Z');
    expect(epochSecondsToTimestamp(Date.UTC(2024, 1, 29, 7, 5, 9) / 1000)).toBe(
      '2024-02-29T07:05:09Z',
    );
  });

  it('gives null for what does not convert or falls outside years 1–9999', () => {
    for (const bad of [null, undefined, 'not_an_epoch', NaN, {}, 253402300800, -62135596801]) {
      expect(epochSecondsToTimestamp(bad)).toBeNull();
    }
  });
});

describe('dateToTimestamp', () => {
  it('drops a zero millisecond part, keeps others', () => {
    expect(dateToTimestamp(new Date('2026-01-24T16:00:00.000Z'))).toBe('2026-01-24T16:00:00Z');
    expect(dateToTimestamp(new Date('2026-01-24T16:00:00.120Z'))).toBe('2026-01-24T16:00:00.120Z');
  });
});

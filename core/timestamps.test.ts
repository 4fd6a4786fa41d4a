import { describe, expect, it } from 'vitest';
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

import { describe, expect, it } from 'vitest';
import { buildEnvelope, feedTimestamp, normalizeEnvelope, parseEnvelope } from './envelope.js';
import { StageError } from './errors.js';
import { readVelibJson } from './testing/fixtures.js';

const ingestTs = new Date('2026-01-24T16:00:00.123Z');

function stageErrorOf(fn: () => unknown): StageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StageError) return e;
    throw e;
  }
  throw new Error('expected a StageError');
}

describe('buildEnvelope', () => {
  it('takes the event time from Vélib lastUpdatedOther and leaves the payload untouched', () => {
    const document = readVelibJson('station_status.json');
    const envelope = buildEnvelope({
      document,
      source: 'velib',
      eventType: 'station_status_snapshot',
      ingestTs,
    });
    expect(envelope).toEqual({
      ingest_ts: '2026-01-24T16:00:00.123Z',
      event_ts: '2025-10-18T09:09:16Z',
      source: 'velib',
      event_type: 'station_status_snapshot',
      key: 'velib:station_status_snapshot',
      payload: document,
    });
    expect(envelope.payload).toBe(document);
  });

  it('takes the event time from GBFS last_updated (epoch seconds, or RFC 3339 in v3)', () => {
    const build = (document: unknown) =>
      buildEnvelope({ document, source: 's', eventType: 'station_information_snapshot', ingestTs });
    expect(build({ last_updated: 1737734400, ttl: 0, data: {} }).event_ts).toBe(
      '2025-01-24T16:00:00Z',
    );
    expect(build({ last_updated: '2025-01-24T17:00:00+01:00' }).event_ts).toBe(
      '2025-01-24T16:00:00Z',
    );
  });

  it('falls back to the ingest time when the feed clock is absent or unreadable', () => {
    for (const document of [
      {},
      null,
      'text',
      [1],
      { last_updated: 'soon' },
      { lastUpdatedOther: 1e20 },
      { last_updated: null },
    ]) {
      expect(
        buildEnvelope({ document, source: 'velib', eventType: 'station_status_snapshot', ingestTs })
          .event_ts,
      ).toBe('2026-01-24T16:00:00.123Z');
    }
  });

  it('rejects programming errors with a TypeError naming the argument', () => {
    const base = { document: {}, source: 'velib', eventType: 'station_status_snapshot' as const };
    expect(() => buildEnvelope({ ...base, ingestTs: new Date(NaN) })).toThrow(
      /ingestTs must be a valid Date/,
    );
    expect(() => buildEnvelope({ ...base, source: ' ', ingestTs })).toThrow(/source must be/);
    expect(() =>
      buildEnvelope({ ...base, eventType: 'nope' as 'station_status_snapshot', ingestTs }),
    ).toThrow(/eventType must be one of/);
  });
});

describe('feedTimestamp', () => {
  it('prefers lastUpdatedOther, then last_updated', () => {
    expect(feedTimestamp({ lastUpdatedOther: 0, last_updated: 1 })).toBe('1970-01-01T00:00:00Z');
    expect(feedTimestamp({ lastUpdatedOther: 'x', last_updated: 1 })).toBe('1970-01-01T00:00:01Z');
    expect(feedTimestamp({ lastUpdatedOther: '1760778556' })).toBe('2025-10-18T09:09:16Z');
  });
});

const valid = {
  ingest_ts: '2026-01-24T16:00:00.123456+00:00',
  event_ts: '2026-01-24T17:00:00+01:00',
  source: 'velib',
  event_type: 'station_status_snapshot',
  key: 'velib:station_status_snapshot',
  payload: { data: { stations: [] } },
};

describe('normalizeEnvelope', () => {
  it('rewrites timestamps as UTC with Z, keeping microseconds (Python isoformat)', () => {
    expect(normalizeEnvelope(valid)).toEqual({
      ...valid,
      ingest_ts: '2026-01-24T16:00:00.123456Z',
      event_ts: '2026-01-24T16:00:00Z',
    });
  });

  it('fills a missing event_ts from the payload feed clock, else ingest_ts', () => {
    for (const event_ts of [undefined, null, '']) {
      expect(normalizeEnvelope({ ...valid, event_ts }).event_ts).toBe(
        '2026-01-24T16:00:00.123456Z',
      );
      expect(
        normalizeEnvelope({ ...valid, event_ts, payload: { lastUpdatedOther: 1760778556 } })
          .event_ts,
      ).toBe('2025-10-18T09:09:16Z');
    }
    expect(normalizeEnvelope({ ...valid, event_ts: 1760778556 }).event_ts).toBe(
      '2025-10-18T09:09:16Z',
    );
  });

  it('derives a missing key as <source>:<event_type>', () => {
    expect(normalizeEnvelope({ ...valid, key: undefined }).key).toBe(
      'velib:station_status_snapshot',
    );
    expect(normalizeEnvelope({ ...valid, key: '' }).key).toBe('velib:station_status_snapshot');
    expect(normalizeEnvelope({ ...valid, key: 'custom' }).key).toBe('custom');
  });

  it('coerces payloads as the original: JSON text parsed, other text wrapped, scalars wrapped', () => {
    expect(normalizeEnvelope({ ...valid, payload: '{"data":{"stations":[]}}' }).payload).toEqual({
      data: { stations: [] },
    });
    expect(normalizeEnvelope({ ...valid, payload: 'hello' }).payload).toEqual({
      raw_payload: 'hello',
    });
    expect(normalizeEnvelope({ ...valid, payload: 5 }).payload).toEqual({ value: 5 });
    expect(normalizeEnvelope({ ...valid, payload: false }).payload).toEqual({ value: false });
    expect(normalizeEnvelope({ ...valid, payload: [1] }).payload).toEqual([1]);
  });

  it('names every field at fault', () => {
    const error = stageErrorOf(() =>
      normalizeEnvelope({ event_ts: 'yesterday', source: 3, event_type: '' }),
    );
    expect(error.stage).toBe('parse_normalize');
    expect(error.errorType).toBe('InvalidEnvelope');
    expect(error.message).toBe(
      'envelope is invalid: ingest_ts is missing; event_ts must be an RFC 3339 timestamp or ' +
        'epoch seconds, got "yesterday"; source must be a non-empty string, got 3; ' +
        'event_type is missing; payload is missing',
    );
  });

  it('rejects non-objects and impossible timestamps', () => {
    expect(stageErrorOf(() => normalizeEnvelope([valid])).message).toBe(
      'envelope must be a JSON object, got array',
    );
    expect(stageErrorOf(() => normalizeEnvelope(null)).message).toBe(
      'envelope must be a JSON object, got null',
    );
    for (const ingest_ts of [
      '2026-02-30T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '0000-01-01T00:00:00Z',
    ]) {
      expect(stageErrorOf(() => normalizeEnvelope({ ...valid, ingest_ts })).message).toMatch(
        /ingest_ts must be an RFC 3339 timestamp/,
      );
    }
  });
});

describe('parseEnvelope', () => {
  it('parses strings and UTF-8 bytes (BOM tolerated)', () => {
    const text = JSON.stringify(valid);
    expect(parseEnvelope(text).source).toBe('velib');
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(parseEnvelope(bytes).source).toBe('velib');
  });

  it('fails at parse_normalize with the reason', () => {
    expect(stageErrorOf(() => parseEnvelope('')).message).toBe('message is empty');
    expect(stageErrorOf(() => parseEnvelope('  \n')).errorType).toBe('JSONDecodeError');
    expect(stageErrorOf(() => parseEnvelope('{')).message).toMatch(/^message is not valid JSON: /);
    expect(stageErrorOf(() => parseEnvelope(new Uint8Array([0xc3, 0x28]))).errorType).toBe(
      'UnicodeDecodeError',
    );
    expect(stageErrorOf(() => parseEnvelope('"text"')).message).toBe(
      'envelope must be a JSON object, got string',
    );
  });
});

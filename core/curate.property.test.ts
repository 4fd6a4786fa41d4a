import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curateMessage, type CurateResult } from './curate.js';
import { RAW_MAX_CHARS } from './defaults.js';
import { normalizeEnvelope } from './envelope.js';
import { StageError } from './errors.js';
import { isRecord } from './lenient.js';
import {
  curatedDlqTable,
  stationStatusCuratedTable,
  type TableDefinition,
} from './warehouse/index.js';

/**
 * Whatever arrives on the subscription, `curateMessage` returns, and the message ends either as
 * rows or as exactly one DLQ record, every field of which BigQuery can store.
 */

const now = new Date('2026-01-24T16:00:05Z');
const meta = { messageId: 'm', publishTime: '2026-01-24T16:00:01Z', attributes: { k: 'v' } };
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A row is storable in `table`: exactly its columns, required ones set, values of the right kind. */
function expectStorable(row: Record<string, unknown>, table: TableDefinition): void {
  expect(Object.keys(row).sort()).toEqual(table.fields.map((f) => f.name).sort());
  for (const field of table.fields) {
    const value = row[field.name];
    expect(value, field.name).not.toBeUndefined();
    if (value === null) {
      expect(field.mode, `${field.name} is required`).not.toBe('REQUIRED');
      continue;
    }
    switch (field.type) {
      case 'TIMESTAMP':
        expect(value, field.name).toMatch(TIMESTAMP);
        break;
      case 'INT64':
        if (typeof value === 'number') expect(Number.isSafeInteger(value), field.name).toBe(true);
        else expect(value, field.name).toMatch(/^-?\d+$/);
        break;
      case 'FLOAT64':
        expect(Number.isFinite(value), field.name).toBe(true);
        break;
      case 'JSON':
        expect(() => JSON.parse(value as string), field.name).not.toThrow();
        break;
      default:
        expect(typeof value, field.name).toBe('string');
        expect(LONE_SURROGATE.test(value as string), `${field.name} is valid UTF-16`).toBe(false);
    }
  }
}

function expectOneOutcome(result: CurateResult): void {
  expect(result.dlq.length === 0 || (result.dlq.length === 1 && result.rows.length === 0)).toBe(
    true,
  );
  for (const row of result.rows) expectStorable(row, stationStatusCuratedTable);
  for (const record of result.dlq) {
    expectStorable(record, curatedDlqTable);
    expect(record.raw?.length ?? 0).toBeLessThanOrEqual(RAW_MAX_CHARS);
    expect(record.error_message?.length ?? 0).toBeGreaterThan(0);
    expect(record.error_type.length).toBeGreaterThan(0);
  }
}

// Garbage of every kind, including what JSON cannot hold (NaN, -0, Infinity become null or 0).
const garbage = fc.anything({
  maxDepth: 3,
  withBigInt: false,
  withNullPrototype: true,
  values: [
    fc.double(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(NaN, Infinity, -0, '', ' ', '1', '3.0', '1_000', true, false, null),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  ],
});

const timestampText = fc
  .date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

const count = fc.oneof(fc.nat(100), garbage);
const stationId = fc.oneof(
  fc.integer({ min: 1, max: 20_702_946_965 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  garbage,
);

const station = fc.oneof(
  fc.record(
    {
      station_id: stationId,
      stationCode: fc.oneof(fc.string({ maxLength: 6 }), garbage),
      num_bikes_available: count,
      numBikesAvailable: count,
      num_docks_available: count,
      numDocksAvailable: count,
      num_bikes_available_types: fc.oneof(
        fc.tuple(fc.record({ mechanical: count }), fc.record({ ebike: count })),
        fc.array(
          fc.record({ bike_type: fc.constantFrom('mechanical', 'ebike', 'electric', 'x'), count }),
        ),
        fc.record({ mechanical: count, ebike: count }, { requiredKeys: [] }),
        garbage,
      ),
      vehicle_types_available: fc.oneof(
        fc.array(
          fc.record({ vehicle_type_id: fc.constantFrom('mechanical', 'ebike', 'x'), count }),
        ),
        garbage,
      ),
      is_installed: count,
      is_renting: count,
      is_returning: count,
      last_reported: fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), garbage),
      station_opening_hours: garbage,
    },
    { requiredKeys: [] },
  ),
  garbage,
);

/** Mostly right, sometimes garbage: so that every stage, not only the first, sees bad input. */
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: garbage, weight: 1 });

const envelopeFields = {
  ingest_ts: mostly(timestampText),
  event_ts: fc.oneof(
    { arbitrary: timestampText, weight: 4 },
    { arbitrary: fc.integer(), weight: 1 },
    { arbitrary: garbage, weight: 1 },
  ),
  source: mostly(fc.constant('velib')),
  event_type: mostly(
    fc.constantFrom(
      'station_status_snapshot',
      'station_status_snapshot',
      'station_information_snapshot',
    ),
  ),
  key: fc.oneof(fc.constant('velib:station_status_snapshot'), garbage),
  payload: mostly(
    fc.record(
      {
        lastUpdatedOther: fc.oneof(fc.integer(), garbage),
        data: mostly(
          fc.record(
            { stations: mostly(fc.array(station, { maxLength: 8 })) },
            { requiredKeys: ['stations'] },
          ),
        ),
      },
      { requiredKeys: ['data'] },
    ),
  ),
};

const envelopeValue = fc.oneof(
  {
    arbitrary: fc.record(envelopeFields, {
      requiredKeys: ['ingest_ts', 'source', 'event_type', 'payload'],
    }),
    weight: 4,
  },
  { arbitrary: fc.record(envelopeFields, { requiredKeys: [] }), weight: 1 },
);

/** JSON text that JSON.stringify may refuse (BigInt is off; a top-level undefined gives no text). */
const asText = (value: unknown): string => JSON.stringify(value) ?? 'undefined';

const rawMessage = fc.oneof(
  { arbitrary: envelopeValue.map(asText), weight: 4 },
  { arbitrary: envelopeValue.map((v) => new TextEncoder().encode(asText(v))), weight: 2 },
  fc.json(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 64 }),
  // Valid UTF-8 with invalid bytes spliced in.
  fc
    .tuple(
      envelopeValue,
      fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => x | 0x80)),
    )
    .map(([v, bad]) => {
      const text = new TextEncoder().encode(asText(v));
      return new Uint8Array([...text.subarray(0, 1), ...bad, ...text.subarray(1)]);
    }),
);

describe('curateMessage (properties)', () => {
  it('never throws, and every message ends as rows or exactly one DLQ record', () => {
    fc.assert(
      fc.property(rawMessage, (raw) => {
        expectOneOutcome(curateMessage(raw, meta, now));
      }),
      { numRuns: 600 },
    );
  });

  it('maps every object station with a usable id of a valid status snapshot (count in = count out)', () => {
    const validEnvelope = fc.record({
      ingest_ts: timestampText,
      source: fc.constant('velib'),
      event_type: fc.constant('station_status_snapshot'),
      payload: fc.record({ data: fc.record({ stations: fc.array(station, { maxLength: 12 }) }) }),
    });
    fc.assert(
      fc.property(validEnvelope, (envelope) => {
        const { rows, dlq } = curateMessage(JSON.stringify(envelope), meta, now);
        const sent = JSON.parse(JSON.stringify(envelope.payload.data.stations)) as unknown[];
        const usable = sent.filter((s) => {
          if (!isRecord(s)) return false;
          const id = s.station_id;
          return (typeof id === 'string' && id.trim() !== '') || typeof id === 'number';
        });
        expect(dlq).toEqual([]);
        expect(rows).toHaveLength(usable.length);
        rows.forEach((row, i) => expect(JSON.parse(row.raw_station_json ?? '')).toEqual(usable[i]));
      }),
      { numRuns: 300 },
    );
  });

  it('cuts any oversized input to 200,000 characters in the DLQ', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: RAW_MAX_CHARS - 2, max: RAW_MAX_CHARS * 2 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
        (length, unit) => {
          const raw = `{"x":"${unit.repeat(Math.ceil(length / unit.length))}`;
          const result = curateMessage(raw, meta, now);
          expectOneOutcome(result);
          expect(result.dlq).toHaveLength(1);
          expect(result.dlq[0]?.raw?.length).toBeLessThanOrEqual(RAW_MAX_CHARS);
          expect(raw.startsWith(result.dlq[0]?.raw?.slice(0, 1000) ?? '\0')).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('handles a huge valid snapshot and huge station strings', () => {
    const big = 'é'.repeat(300_000);
    const raw = JSON.stringify({
      ingest_ts: '2026-01-24T16:00:00Z',
      source: 'velib',
      event_type: 'station_status_snapshot',
      payload: { data: { stations: [{ station_id: 1, stationCode: big, name: big }] } },
    });
    const result = curateMessage(raw, meta, now);
    expectOneOutcome(result);
    expect(result.rows[0]?.station_code).toHaveLength(300_000);
  });
});

describe('error messages name the field (properties)', () => {
  const required = ['ingest_ts', 'source', 'event_type', 'payload'] as const;
  const base = {
    ingest_ts: '2026-01-24T16:00:00Z',
    source: 'velib',
    event_type: 'station_status_snapshot',
    payload: { data: { stations: [] } },
  };

  it('a missing or wrongly typed required field is named in the StageError', () => {
    const bad = fc.constantFrom(undefined, null, '', 0, 12.5, [], {}, true);
    fc.assert(
      fc.property(fc.constantFrom(...required), bad, (field, value) => {
        const envelope: Record<string, unknown> = { ...base, [field]: value };
        // Falsy-but-present payloads are wrapped, not rejected, as in the original.
        if (field === 'payload' && value !== undefined && value !== null) return;
        let error: unknown;
        try {
          normalizeEnvelope(envelope);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(StageError);
        expect((error as StageError).message).toContain(field);
        expect((error as StageError).stage).toBe('parse_normalize');
      }),
    );
  });

  it('a non-list station list is named in the DLQ record', () => {
    fc.assert(
      fc.property(
        garbage.filter((v) => !Array.isArray(v)),
        (stations) => {
          const raw = JSON.stringify({ ...base, payload: { data: { stations } } });
          const { dlq } = curateMessage(raw, meta, now);
          expect(dlq).toHaveLength(1);
          expect(dlq[0]?.stage).toBe('snapshot_to_station_rows');
          expect(dlq[0]?.error_message).toMatch(/payload(\.data(\.stations)?)? /);
        },
      ),
      { numRuns: 200 },
    );
  });
});

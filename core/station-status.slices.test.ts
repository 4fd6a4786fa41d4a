import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEnvelope, parseEnvelopeText } from './envelope.js';
import { stationJsonSlices, statusSnapshotToRows } from './station-status.js';
import { readVelibJson } from './testing/fixtures.js';

/*
 * statusSnapshotToRows(envelope, sourceText) slices raw_station_json out of the text when it is
 * already what JSON.stringify would write. The rows must be exactly those of
 * statusSnapshotToRows(envelope) whatever the text looks like.
 */

const ingestTs = new Date('2025-10-18T09:10:00.000Z');

function envelopeText(stations: unknown[], space?: number): string {
  const envelope = buildEnvelope({
    document: { lastUpdatedOther: 1760778556, ttl: 60, data: { stations } },
    source: 'velib',
    eventType: 'station_status_snapshot',
    ingestTs,
  });
  return JSON.stringify(envelope, null, space);
}

/** Rows from the text with slicing, and the reference rows without. */
function bothWays(text: string) {
  const { envelope, text: decoded } = parseEnvelopeText(new TextEncoder().encode(text));
  return {
    sliced: statusSnapshotToRows(envelope, decoded),
    reference: statusSnapshotToRows(envelope),
  };
}

describe('raw_station_json sliced from the source text', () => {
  it('takes the slices for compact real snapshots, and the rows are unchanged', () => {
    for (const name of [
      'station_status.json',
      'extra/station_status_2022-02-23.json',
      'extra/station_status_2024-11-19.json',
    ]) {
      const document = readVelibJson(name) as { data: { stations: unknown[] } };
      const text = envelopeText(document.data.stations);
      const slices = stationJsonSlices(text)!;
      expect(slices.starts).toHaveLength(document.data.stations.length);
      expect(slices.starts.every((s) => s >= 0)).toBe(true);
      const { sliced, reference } = bothWays(text);
      expect(sliced.length).toBeGreaterThan(1000);
      expect(sliced).toEqual(reference);
    }
  });

  it('falls back to serializing where the text is not in JSON.stringify form', () => {
    const station = (extra: string) =>
      `{"station_id":1,"num_bikes_available":2${extra},"num_bikes_available_types":[{"mechanical":1},{"ebike":1}]}`;
    const variants = [
      station(', "spaced":1'),
      station(',"slash":"a\\/b"'),
      station(',"unicode":"\\u0041\\u00e9"'),
      station(',"control":"\\u001f"'),
      station(',"short":"\\n\\t\\"\\\\\\b\\f\\r"'),
      station(',"dup":1,"dup":2'),
      station(',"nested":{"k":1,"k":2}'),
      station(',"2":"index key","10":"another"'),
      station(',"f":1.0,"g":1e3,"h":-0,"i":0.1,"j":12345678901234567890,"k":-5,"l":1.5e-7'),
      station(',"big":123456789012345,"neg":-123456789012345'),
      station(',"__proto__":{"x":1}'),
      station(',"emoji":"😀é\u2028"'),
      '{"station_id":"x"}\n',
    ];
    for (const variant of variants) {
      const envelope = envelopeText([]);
      const text = envelope.replace('"stations":[]', `"stations":[${variant}, ${variant}]`);
      const { sliced, reference } = bothWays(text);
      expect(sliced).toHaveLength(2);
      expect(sliced).toEqual(reference);
    }
  });

  it('ignores the text when the path to the list is not plain (strings, repeated keys)', () => {
    const compact = envelopeText([{ station_id: 1 }]);
    const repeatedPayload = compact.replace(
      '"payload":',
      '"payload":{"data":{"stations":[{"station_id":9}]}},"payload":',
    );
    expect(stationJsonSlices(repeatedPayload)).toBeNull();
    const repeatedData = compact.replace(
      '"data":{',
      '"data":{"stations":[{"station_id":9}]},"data":{',
    );
    expect(stationJsonSlices(repeatedData)).toBeNull();
    const payloadAsString = JSON.stringify({
      ...(JSON.parse(compact) as object),
      payload: JSON.stringify({ data: { stations: [{ station_id: 1 }] } }),
    });
    expect(stationJsonSlices(payloadAsString)).toBeNull();
    for (const text of [repeatedPayload, repeatedData, payloadAsString]) {
      const { sliced, reference } = bothWays(text);
      expect(sliced).toEqual(reference);
    }
  });

  it('a station nested deeper than the stack gives the same row as without the text', () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const text = envelopeText([]).replace(
      '"stations":[]',
      `"stations":[{"station_id":1,"deep":${deep}},{"station_id":2}]`,
    );
    const { sliced, reference } = bothWays(text);
    expect(sliced).toHaveLength(2);
    expect(sliced[0]!.raw_station_json).toBe(reference[0]!.raw_station_json);
    expect(sliced[1]).toEqual(reference[1]);
  });

  it('for any stations, compact or indented (property)', () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }),
    );
    const station = fc.oneof(
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '7', '__proto__')), value, {
        maxKeys: 6,
      }),
      fc.record({ station_id: fc.oneof(fc.integer(), fc.string()), extra: value }),
      value,
    );
    fc.assert(
      fc.property(
        fc.array(station, { maxLength: 6 }),
        fc.constantFrom(undefined, 1),
        (s, space) => {
          const { sliced, reference } = bothWays(envelopeText(s, space));
          expect(sliced).toEqual(reference);
          for (let i = 0; i < sliced.length; i += 1) {
            expect(sliced[i]!.raw_station_json).toBe(reference[i]!.raw_station_json);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

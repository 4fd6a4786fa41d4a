import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelope, statusSnapshotToRows, type CuratedStatusRow } from '../../core/index.js';
import type { StationRowBatch } from './curated-elements.js';
import { LineWriter } from '../file-mode/ndjson-io.js';
import { stationRowLines, writeStationRowLines } from './station-row-json.js';
import { envelopeLine, STATUS_FIXTURES } from '../testing/fixtures.js';

/** What the generic sink writes for the same rows: the reference the fast encoder must match. */
function reference(batch: StationRowBatch): string[] {
  return batch.rows.map((r) => JSON.stringify(r));
}

/**
 * The bytes the rows sinks write for a batch (through LineWriter, whose in-buffer escaping of
 * raw_station_json must match JSON.stringify), as a check against the reference lines.
 */
function expectSinkBytes(batch: StationRowBatch): void {
  const chunks: Buffer[] = [];
  const writer = new LineWriter((bytes) => chunks.push(Buffer.from(bytes)), true);
  writeStationRowLines(batch, writer);
  writer.flush();
  const written = Buffer.concat(chunks);
  const expected = Buffer.from(
    reference(batch)
      .map((l) => `${l}\n`)
      .join(''),
    'utf8',
  );
  // Buffer.equals, not toEqual: vitest compares large buffers byte by byte, very slowly.
  if (!written.equals(expected)) expect(written.toString('utf8')).toBe(expected.toString('utf8'));
  expect(written.equals(expected)).toBe(true);
}

describe('stationRowLines: byte for byte JSON.stringify of each row', () => {
  const realRows = STATUS_FIXTURES.map((f) => statusSnapshotToRows(parseEnvelope(envelopeLine(f))));

  it('on the real snapshots, with and without a message id', () => {
    for (const rows of realRows) {
      for (const messageId of [null, 'm-1', 'quote"and\\slash']) {
        const batch = { messageId, rows };
        expect(stationRowLines(batch)).toEqual(reference(batch));
        expectSinkBytes(batch);
      }
    }
  });

  it('with rows of two snapshots in one batch (the timestamp prefix is re-encoded)', () => {
    const rows = [...realRows[0]!.slice(0, 3), ...realRows[1]!.slice(0, 3)].map((r, i) =>
      i === 4 ? { ...r, event_ts: 'another "time"' } : r,
    );
    const batch = { messageId: 'm', rows };
    expect(stationRowLines(batch)).toEqual(reference(batch));
    expectSinkBytes(batch);
  });

  it('a first row without timestamps is not taken for one of a snapshot already seen', () => {
    // fast-check found it: the encoder's empty cache held undefined, so it matched these.
    const rows = [{ ...realRows[0]![0]!, ingest_ts: undefined, event_ts: undefined }];
    const batch = { messageId: null, rows: rows as unknown as CuratedStatusRow[] };
    expect(stationRowLines(batch)).toEqual(reference(batch));
    expectSinkBytes(batch);
  });

  it('falls back to JSON.stringify for rows of another shape or with other value types', () => {
    const base = realRows[0]![0]!;
    const { ingest_ts: _dropped, ...withoutFirst } = base;
    const odd = [
      { ...base, extra_column: 1 },
      withoutFirst,
      Object.fromEntries(Object.entries(base).reverse()),
      { ...base, station_code: undefined },
      { ...base, is_installed: true },
      { ...base, num_bikes_available: Number.NaN, num_docks_available: -Infinity },
      { ...base, mechanical_available: { nested: [1, '2'] } },
      { ...base, ingest_ts: null },
      { ...base, raw_station_json: '\u2028\ud800"\\\n\u0000é😀' },
      { ...base, raw_station_json: 'a control \u001f after "quotes" and \\' },
      { ...base, raw_station_json: '\udc00 lone low, then "' },
      { ...base, raw_station_json: '"\\""\\\\é😀"' },
      { ...base, raw_station_json: '' },
      { ...base, raw_station_json: 'ü"'.repeat(400_000) }, // larger than the 1 MiB buffer
      { ...base, raw_station_json: null },
    ] as unknown as CuratedStatusRow[];
    const batch = { messageId: 'm-2', rows: odd };
    expect(stationRowLines(batch)).toEqual(reference(batch));
    expectSinkBytes(batch);
  });

  it('for any row values (property)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constant(null),
      fc.constant(undefined),
      fc.boolean(),
    );
    const row = fc.record({
      ingest_ts: fc.oneof(fc.constant('2025-10-18T09:10:00Z'), value),
      event_ts: fc.oneof(fc.constant('2025-10-18T09:09:16Z'), value),
      station_id: value,
      station_code: value,
      is_installed: value,
      is_renting: value,
      is_returning: value,
      last_reported_ts: value,
      num_bikes_available: value,
      num_docks_available: value,
      mechanical_available: value,
      ebike_available: value,
      raw_station_json: value,
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 6 }),
        fc.option(fc.string(), { nil: null }),
        (rows, messageId) => {
          const batch = { messageId, rows: rows as unknown as CuratedStatusRow[] };
          expect(stationRowLines(batch)).toEqual(reference(batch));
          expectSinkBytes(batch);
        },
      ),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { buildEnvelope, type Envelope } from './envelope.js';
import { StageError } from './errors.js';
import { informationSnapshotToRows } from './station-information.js';
import { readVelibJson, rowByCode } from './testing/fixtures.js';

const ingestTs = new Date('2025-10-18T09:12:00Z');

function infoEnvelope(document: unknown): Envelope {
  return buildEnvelope({
    document,
    source: 'velib',
    eventType: 'station_information_snapshot',
    ingestTs,
  });
}

const byCode = rowByCode;

describe('informationSnapshotToRows on the real Vélib feed (station_information.json)', () => {
  const rows = informationSnapshotToRows(infoEnvelope(readVelibJson('station_information.json')));

  it('gives 1,495 rows with unique string ids and the feed clock', () => {
    expect(rows).toHaveLength(1495);
    expect(new Set(rows.map((r) => r.station_id)).size).toBe(1495);
    expect(rows.every((r) => r.event_ts === '2025-10-18T09:11:19Z')).toBe(true);
    expect(rows.every((r) => r.ingest_ts === '2025-10-18T09:12:00Z')).toBe(true);
  });

  it('maps a station with an id above 2^32 (40001)', () => {
    expect(byCode(rows, '40001')).toEqual({
      ingest_ts: '2025-10-18T09:12:00Z',
      event_ts: '2025-10-18T09:11:19Z',
      station_id: '19179944124',
      station_code: '40001',
      name: 'Hôpital Mondor',
      lat: 48.798922410229,
      lon: 2.4537451531298,
      capacity: 28,
      address: null,
      post_code: null,
      raw_station_json:
        '{"station_id":19179944124,"stationCode":"40001","name":"Hôpital Mondor",' +
        '"lat":48.798922410229,"lon":2.4537451531298,"capacity":28,"station_opening_hours":null}',
    });
  });

  it('keeps capacity 0 (5203), over-capacity stations (13123) and messy names as served', () => {
    expect(byCode(rows, '5203')).toMatchObject({
      station_id: '20636368032',
      name: 'Victor Cousin - Cujas',
      capacity: 0,
    });
    expect(byCode(rows, '13123')).toMatchObject({
      station_id: '1062807847',
      name: 'BNF - Bibliothèque Nationale de France',
      capacity: 42,
    });
    expect(byCode(rows, '51006')).toMatchObject({ station_id: '20512737633', capacity: 1 });
    expect(rows.filter((r) => r.capacity === 0)).toHaveLength(16);
    expect(rows.some((r) => r.name === 'Chazelles - Courcelles ')).toBe(true);
  });

  it('the 2022 copy maps too (1,439 stations)', () => {
    const old = informationSnapshotToRows(
      infoEnvelope(readVelibJson('extra/station_information_2022-02-25.json')),
    );
    expect(old).toHaveLength(1439);
    expect(old[0]?.event_ts).toBe('2022-02-25T15:59:46Z');
    expect(old.filter((r) => r.capacity === 0)).toHaveLength(14);
  });
});

function snapshot(stations: unknown, eventType = 'station_information_snapshot'): Envelope {
  return {
    ingest_ts: '2026-01-24T16:00:00Z',
    event_ts: '2026-01-24T16:00:00Z',
    source: 'velib',
    event_type: eventType,
    key: `velib:${eventType}`,
    payload: { data: { stations } },
  };
}

describe('informationSnapshotToRows semantics (the original station-info writer)', () => {
  it('skips stations without a usable id (missing, null, blank, non-scalar)', () => {
    const rows = informationSnapshotToRows(
      snapshot([{}, { station_id: '  ' }, { station_id: true }, 'x', { station_id: 'ok' }]),
    );
    expect(rows.map((r) => r.station_id)).toEqual(['ok']);
  });

  it('reads GBFS fields and fallbacks, converting leniently', () => {
    const [row] = informationSnapshotToRows(
      snapshot([
        {
          station_id: 'abc',
          station_code: 'C1',
          name: 'Gare',
          lat: '48.85',
          lon: 'east',
          capacity: '12',
          address: '1 rue X',
          postCode: 75001,
        },
      ]),
    );
    expect(row).toMatchObject({
      station_id: 'abc',
      station_code: 'C1',
      name: 'Gare',
      lat: 48.85,
      lon: null,
      capacity: 12,
      address: '1 rue X',
      post_code: '75001',
    });
  });

  it('writes an empty station_code when none is published, as the original', () => {
    expect(informationSnapshotToRows(snapshot([{ station_id: 1 }]))[0]?.station_code).toBe('');
  });

  it('ignores other event types and fails on a non-list station list', () => {
    expect(
      informationSnapshotToRows(snapshot([{ station_id: 1 }], 'station_status_snapshot')),
    ).toEqual([]);
    expect(() => informationSnapshotToRows(snapshot({}))).toThrow(StageError);
    expect(() => informationSnapshotToRows(snapshot(undefined))).toThrow(
      'payload.data.stations is missing',
    );
  });
});

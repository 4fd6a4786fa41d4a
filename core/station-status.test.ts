import { describe, expect, it } from 'vitest';
import { buildEnvelope, type Envelope } from './envelope.js';
import { StageError } from './errors.js';
import { extractBikeTypes, statusSnapshotToRows } from './station-status.js';
import { readVelibJson, rowByCode } from './testing/fixtures.js';

const ingestTs = new Date('2025-10-18T09:10:00.000Z');

function statusEnvelope(document: unknown): Envelope {
  return buildEnvelope({
    document,
    source: 'velib',
    eventType: 'station_status_snapshot',
    ingestTs,
  });
}

const byCode = rowByCode;

describe('statusSnapshotToRows on the real Vélib feed (station_status.json)', () => {
  const rows = statusSnapshotToRows(statusEnvelope(readVelibJson('station_status.json')));

  it('gives one row per station, 1,495 in feed order, with unique string ids', () => {
    expect(rows).toHaveLength(1495);
    expect(new Set(rows.map((r) => r.station_id)).size).toBe(1495);
    expect(rows[0]?.station_id).toBe('213688169');
    expect(rows.at(-1)?.station_code).toBe('12105');
    expect(rows.every((r) => typeof r.station_id === 'string')).toBe(true);
  });

  it('stamps every row with the envelope times (feed clock from lastUpdatedOther)', () => {
    for (const row of rows) {
      expect(row.ingest_ts).toBe('2025-10-18T09:10:00Z');
      expect(row.event_ts).toBe('2025-10-18T09:09:16Z');
    }
  });

  it('keeps a station id above 2^32 exact (40001, Hôpital Mondor)', () => {
    expect(byCode(rows, '40001')).toEqual({
      ingest_ts: '2025-10-18T09:10:00Z',
      event_ts: '2025-10-18T09:09:16Z',
      station_id: '19179944124',
      station_code: '40001',
      is_installed: 1,
      is_renting: 1,
      is_returning: 1,
      last_reported_ts: '2025-10-18T08:39:01Z',
      num_bikes_available: 20,
      num_docks_available: 7,
      mechanical_available: 12,
      ebike_available: 8,
      raw_station_json:
        '{"station_id":19179944124,"num_bikes_available":20,"numBikesAvailable":20,' +
        '"num_bikes_available_types":[{"mechanical":12},{"ebike":8}],"num_docks_available":7,' +
        '"numDocksAvailable":7,"is_installed":1,"is_returning":1,"is_renting":1,' +
        '"last_reported":1760776741,"stationCode":"40001","station_opening_hours":null}',
    });
  });

  it('maps a capacity-0 station that is closed (5203)', () => {
    expect(byCode(rows, '5203')).toMatchObject({
      station_id: '20636368032',
      is_installed: 1,
      is_renting: 0,
      is_returning: 0,
      num_bikes_available: 0,
      num_docks_available: 0,
      mechanical_available: 0,
      ebike_available: 0,
      last_reported_ts: '2025-09-18T11:22:09Z',
    });
  });

  it('keeps over-capacity counts as served (13123: capacity 42, 49 bikes)', () => {
    expect(byCode(rows, '13123')).toMatchObject({
      station_id: '1062807847',
      num_bikes_available: 49,
      num_docks_available: 0,
      mechanical_available: 42,
      ebike_available: 7,
      last_reported_ts: '2025-10-18T08:37:13Z',
    });
  });

  it('maps installed-but-not-renting and not-installed stations (51006, 31203)', () => {
    expect(byCode(rows, '51006')).toMatchObject({
      station_id: '20512737633',
      is_installed: 1,
      is_renting: 0,
      is_returning: 0,
      num_docks_available: 1,
      last_reported_ts: '2024-04-25T13:51:24Z',
    });
    expect(byCode(rows, '31203')).toMatchObject({ is_installed: 0, is_renting: 0 });
  });

  it('converts the oldest last_reported (2018, station 14117)', () => {
    expect(byCode(rows, '14117').last_reported_ts).toBe('2018-03-16T12:30:20Z');
  });

  it('agrees with the feed everywhere: mechanical + ebike = bikes, raw JSON round-trips', () => {
    const stations = (readVelibJson('station_status.json') as { data: { stations: unknown[] } })
      .data.stations;
    rows.forEach((row, index) => {
      expect(Number(row.mechanical_available) + Number(row.ebike_available)).toBe(
        row.num_bikes_available,
      );
      expect(JSON.parse(row.raw_station_json ?? 'null')).toEqual(stations[index]);
    });
  });
});

describe('statusSnapshotToRows on the older copies', () => {
  it.each([
    ['extra/station_status_2022-02-23.json', 1439, '2022-02-23T18:28:53Z'],
    ['extra/station_status_2024-11-19.json', 1485, '2024-11-19T08:22:18Z'],
  ])('%s maps every station', (file, count, eventTs) => {
    const rows = statusSnapshotToRows(statusEnvelope(readVelibJson(file)));
    expect(rows).toHaveLength(count);
    expect(rows[0]?.event_ts).toBe(eventTs);
    for (const row of rows) {
      expect(row.station_id).toMatch(/^\d+$/);
      // 2022 has codes such as "31024_relais".
      expect(row.station_code).toMatch(/^\w+$/);
      expect(row.num_bikes_available).toBe(
        Number(row.mechanical_available) + Number(row.ebike_available),
      );
      expect(row.last_reported_ts).toMatch(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });
});

function snapshot(stations: unknown, eventType = 'station_status_snapshot'): Envelope {
  return {
    ingest_ts: '2026-01-24T16:00:00Z',
    event_ts: '2026-01-24T16:00:00Z',
    source: 'velib',
    event_type: eventType,
    key: `velib:${eventType}`,
    payload: { data: { stations } },
  };
}

describe('statusSnapshotToRows semantics (the original pipeline)', () => {
  it('ignores other event types', () => {
    expect(
      statusSnapshotToRows(snapshot([{ station_id: 1 }], 'station_information_snapshot')),
    ).toEqual([]);
    expect(statusSnapshotToRows(snapshot('not a list', 'something_else'))).toEqual([]);
  });

  it('skips stations without station_id and non-object stations', () => {
    const rows = statusSnapshotToRows(
      snapshot([
        { num_bikes_available: 5 },
        { station_id: null },
        7,
        'x',
        [1],
        null,
        { station_id: 9 },
      ]),
    );
    expect(rows.map((r) => r.station_id)).toEqual(['9']);
  });

  it('falls back to camelCase counts and station codes', () => {
    const [row] = statusSnapshotToRows(
      snapshot([
        { station_id: 'a', numBikesAvailable: 4, numDocksAvailable: '6', station_code: 77 },
      ]),
    );
    expect(row).toMatchObject({
      num_bikes_available: 4,
      num_docks_available: 6,
      station_code: '77',
    });
  });

  it('prefers snake_case counts when both are present, even 0', () => {
    const [row] = statusSnapshotToRows(
      snapshot([{ station_id: 1, num_bikes_available: 0, numBikesAvailable: 9 }]),
    );
    expect(row?.num_bikes_available).toBe(0);
  });

  it('converts values leniently: bad values become null', () => {
    const [row] = statusSnapshotToRows(
      snapshot([
        {
          station_id: 1,
          is_installed: true,
          is_renting: '1',
          is_returning: 'yes',
          num_bikes_available: 3.9,
          num_docks_available: { n: 1 },
          last_reported: 'soon',
        },
      ]),
    );
    expect(row).toMatchObject({
      is_installed: 1,
      is_renting: 1,
      is_returning: null,
      num_bikes_available: 3,
      num_docks_available: null,
      last_reported_ts: null,
      mechanical_available: null,
      ebike_available: null,
      station_code: null,
    });
  });

  it('fails the mapping with a readable message when payload.data.stations is not a list', () => {
    for (const [stations, message] of [
      ['NOT_A_LIST', 'payload.data.stations is not a list (got string)'],
      [{ a: 1 }, 'payload.data.stations is not a list (got object)'],
      [undefined, 'payload.data.stations is missing'],
    ] as const) {
      let error: unknown;
      try {
        statusSnapshotToRows(snapshot(stations));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StageError);
      expect(error).toMatchObject({ stage: 'snapshot_to_station_rows', message });
    }
    expect(() => statusSnapshotToRows({ ...snapshot([]), payload: [1, 2] })).toThrow(
      'payload must be a JSON object, got array',
    );
    expect(() => statusSnapshotToRows({ ...snapshot([]), payload: { data: 'x' } })).toThrow(
      'payload.data must be a JSON object, got string',
    );
  });

  it('gives no rows for an empty station list', () => {
    expect(statusSnapshotToRows(snapshot([]))).toEqual([]);
  });
});

describe('extractBikeTypes', () => {
  it('reads the Vélib list form', () => {
    expect(
      extractBikeTypes({ num_bikes_available_types: [{ mechanical: 3 }, { ebike: 4 }] }),
    ).toEqual({ mechanical: 3, ebike: 4 });
  });

  it('reads GBFS-style bike_type/count items, any e-bike spelling', () => {
    for (const name of ['ebike', 'electric', 'e-bike']) {
      expect(
        extractBikeTypes({
          num_bikes_available_types: [
            { bike_type: 'mechanical', count: 10 },
            { bike_type: name, count: '5' },
          ],
        }),
      ).toEqual({ mechanical: 10, ebike: 5 });
    }
  });

  it('reads the object form {mechanical, ebike}', () => {
    expect(extractBikeTypes({ num_bikes_available_types: { mechanical: 2, ebike: 1 } })).toEqual({
      mechanical: 2,
      ebike: 1,
    });
  });

  it('reads GBFS 2.1+ vehicle_types_available when the ids name bike types', () => {
    expect(
      extractBikeTypes({
        vehicle_types_available: [
          { vehicle_type_id: 'mechanical', count: 6 },
          { vehicle_type_id: 'electric', count: 2 },
          { vehicle_type_id: 'scooter', count: 9 },
        ],
      }),
    ).toEqual({ mechanical: 6, ebike: 2 });
    expect(
      extractBikeTypes({ vehicle_types_available: [{ vehicle_type_id: 'x1', count: 6 }] }),
    ).toEqual({ mechanical: null, ebike: null });
  });

  it('gives nulls when absent, empty, or garbage; later items win', () => {
    expect(extractBikeTypes({})).toEqual({ mechanical: null, ebike: null });
    expect(extractBikeTypes({ num_bikes_available_types: [] })).toEqual({
      mechanical: null,
      ebike: null,
    });
    expect(extractBikeTypes({ num_bikes_available_types: 'x' })).toEqual({
      mechanical: null,
      ebike: null,
    });
    expect(
      extractBikeTypes({
        num_bikes_available_types: [{ mechanical: 1 }, 'x', { mechanical: 'y' }],
      }),
    ).toEqual({ mechanical: null, ebike: null });
  });
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATIONS_FILE, loadStationList, parseStationList } from './station-list.js';
import { sharedVelib } from './testing/fixtures.js';

describe('the committed station list', () => {
  it('is a byte-for-byte copy of ../shared/data/velib/station_information.json', () => {
    const committed = readFileSync(DEFAULT_STATIONS_FILE);
    const shared = readFileSync(resolve(sharedVelib, 'station_information.json'));
    expect(committed.length).toBe(279_427);
    expect(committed.equals(shared)).toBe(true);
  });

  it('loads the 1,495 real stations with their quirks intact', () => {
    const { stations } = loadStationList();
    expect(stations).toHaveLength(1495);
    expect(new Set(stations.map((s) => String(s.stationId))).size).toBe(1495);
    expect(stations.filter((s) => s.capacity === 0)).toHaveLength(16);
    expect(stations.filter((s) => s.rentalMethods !== undefined)).toHaveLength(874);
    const big = stations.find((s) => s.stationCode === '34015');
    expect(big?.capacity).toBe(0);
    // ids above 2^32 survive as exact integers
    expect(stations.some((s) => s.stationId === 20702946965)).toBe(true);
    expect(Object.keys(stations[0]?.raw ?? {})).toEqual([
      'station_id',
      'stationCode',
      'name',
      'lat',
      'lon',
      'capacity',
      'station_opening_hours',
    ]);
  });
});

describe('parseStationList', () => {
  const doc = (stations: unknown[]) => JSON.stringify({ data: { stations } });

  it('accepts standard GBFS station_information (string ids, short_name)', () => {
    const list = parseStationList(
      doc([{ station_id: 'a1', short_name: '901', name: 'A', lat: 48.8, lon: 2.3, capacity: 10 }]),
      'gbfs.json',
    );
    expect(list.stations[0]).toMatchObject({ stationId: 'a1', stationCode: '901', capacity: 10 });
  });

  it.each([
    ['not JSON', '{"data":', /gbfs\.json: not valid JSON/],
    ['no stations', '{"data":{}}', /not a station_information document.*data\.stations/],
    ['empty list', doc([]), /data\.stations is empty/],
    [
      'a latitude as text',
      doc([{ station_id: 1, name: 'A', lat: '48.8', lon: 2.3 }]),
      /data\.stations\.0\.lat/,
    ],
    [
      'a negative capacity',
      doc([{ station_id: 1, name: 'A', lat: 48.8, lon: 2.3, capacity: -1 }]),
      /data\.stations\.0\.capacity/,
    ],
    [
      'a duplicate id',
      doc([
        { station_id: 1, name: 'A', lat: 48.8, lon: 2.3 },
        { station_id: '1', name: 'B', lat: 48.8, lon: 2.3 },
      ]),
      /station_id 1 appears twice \(index 1\)/,
    ],
  ])('rejects %s with a message naming the problem', (_case, text, message) => {
    expect(() => parseStationList(text, 'gbfs.json')).toThrow(message);
  });

  it('names the file it cannot read', () => {
    expect(() => loadStationList('/nonexistent/stations.json')).toThrow(
      /cannot read station list \/nonexistent\/stations\.json/,
    );
  });
});

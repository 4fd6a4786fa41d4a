import { Ajv } from 'ajv';
import { is } from 'superstruct';
import { describe, expect, it } from 'vitest';
import { buildEnvelope } from '../envelope.js';
import { informationSnapshotToRows } from '../station-information.js';
import { statusSnapshotToRows } from '../station-status.js';
import { readGbfsSchema, readVelibJson } from '../testing/fixtures.js';
import {
  GbfsStationInformationDocument,
  GbfsStationStatusDocument,
  VelibStationInformationDocument,
  VelibStationStatusDocument,
} from './index.js';
import { validateFeedDocument } from './validate-feed.js';

type Station = Record<string, unknown>;
type Doc = { lastUpdatedOther: number; data: { stations: Station[] } };

const velibStatus = readVelibJson('station_status.json') as Doc;
const velibInfo = readVelibJson('station_information.json') as Doc;

/** The Vélib snapshot rewritten as a standard GBFS document of the given version. */
function gbfsStatus(version: '1.0' | '2.2' | '2.3'): Record<string, unknown> {
  const stations = velibStatus.data.stations.slice(0, 50).map((s) => {
    const types = s.num_bikes_available_types as [{ mechanical: number }, { ebike: number }];
    const flag = (v: unknown) => (version === '1.0' ? v : v === 1);
    return {
      station_id: String(s.station_id),
      num_bikes_available: s.num_bikes_available,
      num_docks_available: s.num_docks_available,
      is_installed: flag(s.is_installed),
      is_renting: flag(s.is_renting),
      is_returning: flag(s.is_returning),
      last_reported: s.last_reported,
      ...(version === '2.3'
        ? {
            vehicle_types_available: [
              { vehicle_type_id: 'mechanical', count: types[0].mechanical },
              { vehicle_type_id: 'ebike', count: types[1].ebike },
            ],
          }
        : {}),
    };
  });
  return {
    last_updated: velibStatus.lastUpdatedOther,
    ttl: 60,
    ...(version === '1.0' ? {} : { version }),
    data: { stations },
  };
}

function gbfsInformation(version: '1.0' | '2.2' | '2.3'): Record<string, unknown> {
  const stations = velibInfo.data.stations.slice(0, 50).map((s) => ({
    station_id: String(s.station_id),
    name: s.name,
    short_name: s.stationCode,
    lat: s.lat,
    lon: s.lon,
    capacity: s.capacity,
    post_code: '75001',
  }));
  return {
    last_updated: velibInfo.lastUpdatedOther,
    ttl: 3600,
    ...(version === '1.0' ? {} : { version }),
    data: { stations },
  };
}

const ajv = new Ajv({ strict: false, allErrors: true });
const officiallyValid = (version: string, feed: string, doc: unknown) => {
  const schema = readGbfsSchema(`v${version}`, feed);
  const validate = ajv.getSchema(String(schema.$id)) ?? ajv.compile(schema);
  return validate(doc) ? 'valid' : ajv.errorsText(validate.errors);
};

describe('schemas against the real Vélib feed', () => {
  it('the Vélib schemas accept the real files, the GBFS ones do not (no last_updated)', () => {
    expect(is(velibStatus, VelibStationStatusDocument)).toBe(true);
    expect(is(velibInfo, VelibStationInformationDocument)).toBe(true);
    expect(is(velibStatus, GbfsStationStatusDocument)).toBe(false);
    expect(is(velibInfo, GbfsStationInformationDocument)).toBe(false);
    // The official schema agrees that the real feed is not GBFS.
    expect(officiallyValid('2.3', 'station_status', velibStatus)).toMatch(/last_updated/);
  });

  it('the older copies match the Vélib schemas too', () => {
    expect(
      is(readVelibJson('extra/station_status_2022-02-23.json'), VelibStationStatusDocument),
    ).toBe(true);
    expect(
      is(readVelibJson('extra/station_status_2024-11-19.json'), VelibStationStatusDocument),
    ).toBe(true);
    expect(
      is(
        readVelibJson('extra/station_information_2022-02-25.json'),
        VelibStationInformationDocument,
      ),
    ).toBe(true);
  });
});

describe.each(['1.0', '2.2', '2.3'] as const)('standard GBFS %s', (version) => {
  const status = gbfsStatus(version);
  const info = gbfsInformation(version);

  it('our samples are valid per the official JSON schema', () => {
    expect(officiallyValid(version, 'station_status', status)).toBe('valid');
    expect(officiallyValid(version, 'station_information', info)).toBe('valid');
  });

  it('the GBFS schemas accept them, the Vélib ones do not (string ids, no lastUpdatedOther)', () => {
    expect(is(status, GbfsStationStatusDocument)).toBe(true);
    expect(is(info, GbfsStationInformationDocument)).toBe(true);
    expect(is(status, VelibStationStatusDocument)).toBe(false);
    expect(validateFeedDocument(status, 'station_status_snapshot')).toEqual({
      ok: true,
      format: 'gbfs',
      stationCount: 50,
    });
    expect(validateFeedDocument(info, 'station_information_snapshot')).toEqual({
      ok: true,
      format: 'gbfs',
      stationCount: 50,
    });
  });

  it('maps to the same rows as the Vélib original, bar what GBFS does not carry', () => {
    const ingestTs = new Date('2025-10-18T09:10:00Z');
    const rows = statusSnapshotToRows(
      buildEnvelope({
        document: status,
        source: 'gbfs',
        eventType: 'station_status_snapshot',
        ingestTs,
      }),
    );
    const velibRows = statusSnapshotToRows(
      buildEnvelope({
        document: velibStatus,
        source: 'velib',
        eventType: 'station_status_snapshot',
        ingestTs,
      }),
    ).slice(0, 50);
    expect(rows).toHaveLength(50);
    rows.forEach((row, i) => {
      const v = velibRows[i];
      expect(row).toMatchObject({
        station_id: v?.station_id,
        event_ts: '2025-10-18T09:09:16Z',
        is_installed: v?.is_installed,
        is_renting: v?.is_renting,
        num_bikes_available: v?.num_bikes_available,
        last_reported_ts: v?.last_reported_ts,
        station_code: null,
      });
      if (version === '2.3') {
        expect(row.mechanical_available).toBe(v?.mechanical_available);
        expect(row.ebike_available).toBe(v?.ebike_available);
      }
    });
    const infoRows = informationSnapshotToRows(
      buildEnvelope({
        document: info,
        source: 'gbfs',
        eventType: 'station_information_snapshot',
        ingestTs,
      }),
    );
    expect(infoRows[0]).toMatchObject({
      station_id: '213688169',
      capacity: 35,
      post_code: '75001',
    });
  });
});

describe('validateFeedDocument', () => {
  it('accepts the real Vélib feeds as velib', () => {
    expect(validateFeedDocument(velibStatus, 'station_status_snapshot')).toEqual({
      ok: true,
      format: 'velib',
      stationCount: 1495,
    });
    expect(validateFeedDocument(velibInfo, 'station_information_snapshot')).toEqual({
      ok: true,
      format: 'velib',
      stationCount: 1495,
    });
  });

  it.each<[string, unknown, string]>([
    ['not an object', [1], 'document must be a JSON object, got array'],
    ['an HTML page parsed as text', '<html>', 'document must be a JSON object, got string'],
    ['no data', { last_updated: 1 }, 'data is missing'],
    ['data not an object', { data: 3 }, 'data must be an object, got number'],
    ['no stations', { data: {} }, 'data.stations is missing'],
    ['stations not a list', { data: { stations: {} } }, 'data.stations must be a list, got object'],
    ['empty station list', { data: { stations: [] } }, 'data.stations is empty'],
    [
      'a station that is not an object',
      { data: { stations: [{ station_id: 1, num_bikes_available: 1 }, 'x'] } },
      'data.stations[1] must be an object, got string',
    ],
    [
      'a station without id',
      { data: { stations: [{ num_bikes_available: 1 }] } },
      'data.stations[0].station_id: is missing',
    ],
    [
      'a fractional id',
      { data: { stations: [{ station_id: 1.5, num_bikes_available: 1 }] } },
      'data.stations[0].station_id: must be a string or an integer, got 1.5',
    ],
    [
      'a negative bike count',
      { data: { stations: [{ station_id: '1', num_bikes_available: -2 }] } },
      'data.stations[0]: num_bikes_available must be an integer ≥ 0, got -2',
    ],
  ])('rejects %s', (_name, doc, reason) => {
    expect(validateFeedDocument(doc, 'station_status_snapshot')).toEqual({ ok: false, reason });
  });

  it('catches a feed URL pointing at the other feed', () => {
    expect(validateFeedDocument(velibInfo, 'station_status_snapshot')).toEqual({
      ok: false,
      reason:
        'data.stations[0]: num_bikes_available is missing (is this a station_information feed?)',
    });
    expect(validateFeedDocument(velibStatus, 'station_information_snapshot')).toEqual({
      ok: false,
      reason: 'data.stations[0].name: is missing',
    });
  });

  it('accepts camelCase-only counts and odd-but-usable documents as other', () => {
    expect(
      validateFeedDocument(
        { data: { stations: [{ station_id: 7, numBikesAvailable: 3 }] } },
        'station_status_snapshot',
      ),
    ).toEqual({ ok: true, format: 'other', stationCount: 1 });
  });
});

import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { feedNames, renderFeed, type FeedName } from './feeds.js';
import { VelibModel } from './model.js';
import { DEFAULT_STATIONS_FILE } from './station-list.js';
import {
  HOUR,
  MONDAY_0500Z,
  readSharedJson,
  sharedGbfsSchemas,
  velibStations,
} from './testing/fixtures.js';

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Station = Record<string, unknown>;
type VelibDoc = { lastUpdatedOther: number; ttl: number; data: { stations: Station[] } };
type GbfsDoc = {
  last_updated: number;
  ttl: number;
  version: string;
  data: Record<string, unknown>;
};

const { stations } = velibStations();
/** A model two hours into a weekday, so outages, closures and lags have happened. */
function busyModel(): VelibModel {
  const model = new VelibModel({ stations, seed: 1, start: MONDAY_0500Z });
  model.advanceTo(MONDAY_0500Z + 2 * HOUR);
  return model;
}
const render = (model: VelibModel, name: FeedName, format: 'velib' | '2.3') =>
  renderFeed(model, name, format, 'http://127.0.0.1:8090') ?? '';

/** JSON type of a value, telling integers from other numbers. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

describe("Vélib's own format (default)", () => {
  const real = readSharedJson('station_status.json') as VelibDoc;
  const realStation = real.data.stations[0]!;

  it('matches the real station_status.json key for key, in order, with the same types', () => {
    const text = render(busyModel(), 'station_status', 'velib');
    expect(text).not.toMatch(/\n|": | ,/); // compact, like the real feed
    const doc = JSON.parse(text) as VelibDoc;
    expect(Object.keys(doc)).toEqual(Object.keys(real));
    expect(Object.keys(doc.data)).toEqual(['stations']);
    expect(kind(doc.lastUpdatedOther)).toBe('integer');
    expect(doc.ttl).toBe(real.ttl);
    expect(doc.data.stations).toHaveLength(1495);
    const keys = Object.keys(realStation);
    // One assertion over all stations: thousands of expect() calls would dominate the run time.
    const problems: string[] = [];
    for (const station of doc.data.stations) {
      const code = String(station.stationCode);
      if (Object.keys(station).join() !== keys.join()) problems.push(`${code}: key order`);
      for (const key of keys) {
        if (kind(station[key]) !== kind(realStation[key])) problems.push(`${code}: ${key} type`);
      }
      const types = station.num_bikes_available_types as [Station, Station];
      if (JSON.stringify(types.map((t) => Object.keys(t))) !== '[["mechanical"],["ebike"]]') {
        problems.push(`${code}: bike types shape`);
      }
      if (kind(types[0].mechanical) !== 'integer' || kind(types[1].ebike) !== 'integer') {
        problems.push(`${code}: bike type counts`);
      }
      if (
        (types[0].mechanical as number) + (types[1].ebike as number) !==
        station.num_bikes_available
      ) {
        problems.push(`${code}: mechanical + ebike != num_bikes_available`);
      }
      if (station.numBikesAvailable !== station.num_bikes_available)
        problems.push(`${code}: camel bikes`);
      if (station.numDocksAvailable !== station.num_docks_available)
        problems.push(`${code}: camel docks`);
      for (const flag of ['is_installed', 'is_returning', 'is_renting']) {
        if (station[flag] !== 0 && station[flag] !== 1) problems.push(`${code}: ${flag}`);
      }
      if ((station.last_reported as number) > doc.lastUpdatedOther)
        problems.push(`${code}: future`);
    }
    expect(problems).toEqual([]);
    // Same stations, same order, same integer ids as the real status file.
    expect(doc.data.stations.map((s) => s.station_id)).toEqual(
      real.data.stations.map((s) => s.station_id),
    );
    expect(doc.data.stations.map((s) => s.stationCode)).toEqual(
      real.data.stations.map((s) => s.stationCode),
    );
  });

  it('serves station_information.json byte for byte as Vélib did at that moment', () => {
    const original = readFileSync(DEFAULT_STATIONS_FILE, 'utf8');
    const lastUpdated = (JSON.parse(original) as VelibDoc).lastUpdatedOther;
    const model = new VelibModel({ stations, seed: 1, start: lastUpdated * 1000 });
    expect(render(model, 'station_information', 'velib')).toBe(original);
  });

  it('has the discovery and system_information shapes of the real feed', () => {
    const model = busyModel();
    const discovery = JSON.parse(render(model, 'gbfs', 'velib')) as {
      data: { en: { feeds: { name: string; url: string }[] } };
    };
    expect(Object.keys(discovery)).toEqual(['lastUpdatedOther', 'ttl', 'data']);
    expect(discovery.data.en.feeds).toEqual(
      feedNames('velib').map((name) => ({ name, url: `http://127.0.0.1:8090/${name}.json` })),
    );
    const system = JSON.parse(render(model, 'system_information', 'velib')) as Station;
    expect(system.data).toEqual({
      system_id: 'Paris',
      name: 'Paris',
      url: '',
      timezone: 'Europe/Paris',
      language: 'en',
    });
    expect(renderFeed(model, 'vehicle_types', 'velib', '')).toBeUndefined();
  });
});

describe('--gbfs 2.3', () => {
  // The schemas declare draft-07, Ajv's default dialect.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const schema = (name: string): ValidateFunction => {
    const file = resolve(sharedGbfsSchemas, 'v2.3', `${name}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string };
    expect(parsed.$schema).toBe('http://json-schema.org/draft-07/schema');
    return ajv.compile(parsed);
  };
  const statusSchema = schema('station_status');
  const informationSchema = schema('station_information');
  const model = busyModel();

  it('station_status.json validates against the official GBFS 2.3 schema', () => {
    const doc = JSON.parse(render(model, 'station_status', '2.3')) as GbfsDoc;
    expect(statusSchema(doc), ajv.errorsText(statusSchema.errors)).toBe(true);
    const first = (doc.data.stations as Station[])[0]!;
    expect(kind(first.station_id)).toBe('string');
    expect(kind(first.is_renting)).toBe('boolean');
    expect(first.vehicle_types_available).toEqual([
      { vehicle_type_id: 'mechanical', count: expect.any(Number) },
      { vehicle_type_id: 'ebike', count: expect.any(Number) },
    ]);
  });

  it('the validator is real: Vélib-style 0/1 flags or integer ids fail it', () => {
    const doc = JSON.parse(render(model, 'station_status', '2.3')) as GbfsDoc;
    const stationsOf = doc.data.stations as Station[];
    stationsOf[0]!.is_renting = 1;
    stationsOf[1]!.station_id = 42;
    expect(statusSchema(doc)).toBe(false);
    expect(ajv.errorsText(statusSchema.errors)).toMatch(/is_renting must be boolean/);
    const velib = JSON.parse(render(model, 'station_status', 'velib')) as unknown;
    expect(statusSchema(velib)).toBe(false);
  });

  it('station_information.json validates, with Vélib rental methods in GBFS spelling', () => {
    const doc = JSON.parse(render(model, 'station_information', '2.3')) as GbfsDoc;
    expect(informationSchema(doc), ajv.errorsText(informationSchema.errors)).toBe(true);
    const list = doc.data.stations as Station[];
    expect(list).toHaveLength(1495);
    expect(list.filter((s) => s.rental_methods !== undefined)).toHaveLength(874);
    expect(list[3]).toMatchObject({ short_name: '9020', rental_methods: ['creditcard'] });
  });

  it('publishes gbfs.json, system_information.json and vehicle_types.json as GBFS 2.3', () => {
    for (const name of feedNames('2.3')) {
      const doc = JSON.parse(render(model, name, '2.3')) as GbfsDoc;
      expect(Object.keys(doc), name).toEqual(['last_updated', 'ttl', 'version', 'data']);
      expect(doc.version).toBe('2.3');
      expect(doc.last_updated).toBe(model.timeMs / 1000);
    }
    const discovery = JSON.parse(render(model, 'gbfs', '2.3')) as GbfsDoc;
    const feeds = (discovery.data.en as { feeds: { name: string }[] }).feeds.map((f) => f.name);
    expect(feeds).toEqual([
      'gbfs',
      'system_information',
      'vehicle_types',
      'station_information',
      'station_status',
    ]);
    const system = JSON.parse(render(model, 'system_information', '2.3')) as GbfsDoc;
    expect(system.data).toMatchObject({ language: 'en', timezone: 'Europe/Paris' });
    expect(system.data.system_id).toEqual(expect.any(String));
    const types = JSON.parse(render(model, 'vehicle_types', '2.3')) as GbfsDoc;
    expect(types.data.vehicle_types).toEqual([
      expect.objectContaining({ vehicle_type_id: 'mechanical', propulsion_type: 'human' }),
      expect.objectContaining({
        vehicle_type_id: 'ebike',
        propulsion_type: 'electric_assist',
        max_range_meters: expect.any(Number),
      }),
    ]);
  });
});

import type { VelibModel } from './model.js';

/**
 * Documents in Vélib's own (non-standard) shape, byte for byte: compact JSON, `lastUpdatedOther`
 * instead of `last_updated`, integer ids, 0/1 flags, camelCase duplicates and the array-of-single-key
 * bike types. Key order follows the real files in ../shared/data/velib.
 */
const TTL = 3600;

export function velibStationStatus(model: VelibModel): string {
  const stations = model.stations.map((station, i) => {
    const state = model.stateOf(i);
    const bikes = state.mechanical + state.ebike;
    return {
      station_id: station.stationId,
      num_bikes_available: bikes,
      numBikesAvailable: bikes,
      num_bikes_available_types: [{ mechanical: state.mechanical }, { ebike: state.ebike }],
      num_docks_available: state.docks,
      numDocksAvailable: state.docks,
      is_installed: state.installed ? 1 : 0,
      is_returning: state.returning ? 1 : 0,
      is_renting: state.renting ? 1 : 0,
      last_reported: state.lastReported,
      stationCode: station.stationCode,
      station_opening_hours: null,
    };
  });
  return JSON.stringify({ lastUpdatedOther: seconds(model), ttl: TTL, data: { stations } });
}

/** The station list exactly as loaded (every key, in its order), under the model's time. */
export function velibStationInformation(model: VelibModel): string {
  const stations = model.stations.map((station) => station.raw);
  return JSON.stringify({ lastUpdatedOther: seconds(model), ttl: TTL, data: { stations } });
}

export function velibSystemInformation(model: VelibModel): string {
  return JSON.stringify({
    lastUpdatedOther: seconds(model),
    ttl: TTL,
    data: { system_id: 'Paris', name: 'Paris', url: '', timezone: 'Europe/Paris', language: 'en' },
  });
}

export function velibDiscovery(model: VelibModel, baseUrl: string): string {
  const names = ['gbfs', 'system_information', 'station_information', 'station_status'];
  const feeds = names.map((name) => ({ name, url: `${baseUrl}/${name}.json` }));
  return JSON.stringify({ lastUpdatedOther: seconds(model), ttl: TTL, data: { en: { feeds } } });
}

function seconds(model: VelibModel): number {
  return Math.floor(model.timeMs / 1000);
}

import type { VelibModel } from './model.js';

/**
 * Standard GBFS 2.3 documents: `last_updated` + `version`, string ids, boolean flags, and bike
 * types as `vehicle_types_available` pointing at vehicle_types.json.
 */
const VERSION = '2.3';
const STATUS_TTL = 60;
const STATIC_TTL = 3600;
const RENTAL_METHODS = new Set([
  'key',
  'creditcard',
  'paypass',
  'applepay',
  'androidpay',
  'transitcard',
  'accountnumber',
  'phone',
]);

export function gbfsStationStatus(model: VelibModel): string {
  const stations = model.stations.map((station, i) => {
    const state = model.stateOf(i);
    return {
      station_id: String(station.stationId),
      num_bikes_available: state.mechanical + state.ebike,
      vehicle_types_available: [
        { vehicle_type_id: 'mechanical', count: state.mechanical },
        { vehicle_type_id: 'ebike', count: state.ebike },
      ],
      num_docks_available: state.docks,
      is_installed: state.installed,
      is_renting: state.renting,
      is_returning: state.returning,
      last_reported: state.lastReported,
    };
  });
  return envelope(model, STATUS_TTL, { stations });
}

export function gbfsStationInformation(model: VelibModel): string {
  const stations = model.stations.map((station) => {
    // Vélib writes "CREDITCARD"; GBFS wants lower case from a fixed list.
    const methods = (station.rentalMethods ?? [])
      .map((method) => method.toLowerCase())
      .filter((method) => RENTAL_METHODS.has(method));
    return {
      station_id: String(station.stationId),
      name: station.name,
      short_name: station.stationCode,
      lat: station.lat,
      lon: station.lon,
      ...(methods.length > 0 ? { rental_methods: methods } : {}),
      capacity: station.capacity,
    };
  });
  return envelope(model, STATIC_TTL, { stations });
}

export function gbfsSystemInformation(model: VelibModel): string {
  return envelope(model, STATIC_TTL, {
    system_id: 'velib-metropole-simulated',
    language: 'en',
    name: "Vélib' Métropole (simulated)",
    operator: 'Paris Mobility Pulse simulator',
    timezone: 'Europe/Paris',
  });
}

export function gbfsVehicleTypes(model: VelibModel): string {
  return envelope(model, STATIC_TTL, {
    vehicle_types: [
      {
        vehicle_type_id: 'mechanical',
        form_factor: 'bicycle',
        propulsion_type: 'human',
        name: "Vélib' mechanical",
      },
      {
        vehicle_type_id: 'ebike',
        form_factor: 'bicycle',
        propulsion_type: 'electric_assist',
        max_range_meters: 50_000,
        name: "Vélib' electric",
      },
    ],
  });
}

export function gbfsDiscovery(model: VelibModel, baseUrl: string): string {
  const names = [
    'gbfs',
    'system_information',
    'vehicle_types',
    'station_information',
    'station_status',
  ];
  const feeds = names.map((name) => ({ name, url: `${baseUrl}/${name}.json` }));
  return envelope(model, STATIC_TTL, { en: { feeds } });
}

function envelope(model: VelibModel, ttl: number, data: unknown): string {
  return JSON.stringify({
    last_updated: Math.floor(model.timeMs / 1000),
    ttl,
    version: VERSION,
    data,
  });
}

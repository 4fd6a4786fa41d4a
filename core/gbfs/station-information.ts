import { array, boolean, nullable, optional, string, type, unknown, type Infer } from 'superstruct';
import { AnyStationId, Count, EpochSeconds, Latitude, Longitude } from './fields.js';

/**
 * `station_information.json` as Vélib' Métropole serves it: `lastUpdatedOther`, integer ids,
 * `stationCode`, capacity 0 on some stations, `rental_methods` on only some, and
 * `station_opening_hours: null` (newer copies only).
 */
export const VelibStationInformation = type({
  station_id: AnyStationId,
  stationCode: string(),
  name: string(),
  lat: Latitude,
  lon: Longitude,
  capacity: Count,
  rental_methods: optional(array(string())),
  station_opening_hours: optional(nullable(unknown())),
});
export type VelibStationInformation = Infer<typeof VelibStationInformation>;

export const VelibStationInformationDocument = type({
  lastUpdatedOther: EpochSeconds,
  ttl: Count,
  data: type({ stations: array(VelibStationInformation) }),
});
export type VelibStationInformationDocument = Infer<typeof VelibStationInformationDocument>;

/** `station_information.json` as standard GBFS 1.0–2.3 serves it (the fields the project reads). */
export const GbfsStationInformation = type({
  station_id: string(),
  name: string(),
  short_name: optional(string()),
  lat: Latitude,
  lon: Longitude,
  address: optional(string()),
  cross_street: optional(string()),
  region_id: optional(string()),
  post_code: optional(string()),
  rental_methods: optional(array(string())),
  capacity: optional(Count),
  is_virtual_station: optional(boolean()),
});
export type GbfsStationInformation = Infer<typeof GbfsStationInformation>;

export const GbfsStationInformationDocument = type({
  last_updated: EpochSeconds,
  ttl: Count,
  version: optional(string()),
  data: type({ stations: array(GbfsStationInformation) }),
});
export type GbfsStationInformationDocument = Infer<typeof GbfsStationInformationDocument>;

import {
  array,
  literal,
  nullable,
  optional,
  string,
  type,
  union,
  unknown,
  type Infer,
} from 'superstruct';
import { AnyStationId, Count, EpochSeconds, Flag } from './fields.js';

/**
 * `station_status.json` as Vélib' Métropole serves it (see ../shared/data/velib/SOURCES.md): no
 * `last_updated` but `lastUpdatedOther`, no `version`, integer station ids above 2^32, camelCase
 * duplicates of the counts, bike types as `[{"mechanical": n}, {"ebike": m}]`, flags as 0/1,
 * `station_opening_hours: null`. Bikes + docks may exceed capacity, so nothing here compares them.
 * `type()` lets unknown keys through: the operator adds fields without notice.
 */
export const VelibStationStatus = type({
  station_id: AnyStationId,
  stationCode: string(),
  num_bikes_available: Count,
  numBikesAvailable: optional(Count),
  num_bikes_available_types: array(union([type({ mechanical: Count }), type({ ebike: Count })])),
  num_docks_available: Count,
  numDocksAvailable: optional(Count),
  is_installed: Flag,
  is_renting: Flag,
  is_returning: Flag,
  last_reported: EpochSeconds,
  station_opening_hours: optional(nullable(unknown())),
});
export type VelibStationStatus = Infer<typeof VelibStationStatus>;

export const VelibStationStatusDocument = type({
  lastUpdatedOther: EpochSeconds,
  ttl: Count,
  data: type({ stations: array(VelibStationStatus) }),
});
export type VelibStationStatusDocument = Infer<typeof VelibStationStatusDocument>;

/**
 * `station_status.json` as standard GBFS 1.0–2.3 serves it: string ids, `last_updated` + `ttl`
 * (+ `version` from 1.1), `num_docks_available` required in 1.0 only, v2.1+ `vehicle_types_available`.
 * Also accepted, because real operators send them: `num_bikes_available_types` as an object
 * `{mechanical, ebike}` or as a list of `{bike_type, count}`.
 */
export const GbfsStationStatus = type({
  station_id: string(),
  num_bikes_available: Count,
  num_bikes_disabled: optional(Count),
  num_docks_available: optional(Count),
  num_docks_disabled: optional(Count),
  is_installed: Flag,
  is_renting: Flag,
  is_returning: Flag,
  last_reported: EpochSeconds,
  vehicle_types_available: optional(array(type({ vehicle_type_id: string(), count: Count }))),
  vehicle_docks_available: optional(
    array(type({ vehicle_type_ids: array(string()), count: Count })),
  ),
  num_bikes_available_types: optional(
    union([
      type({ mechanical: optional(Count), ebike: optional(Count) }),
      array(type({ bike_type: string(), count: Count })),
    ]),
  ),
});
export type GbfsStationStatus = Infer<typeof GbfsStationStatus>;

export const GbfsStationStatusDocument = type({
  last_updated: EpochSeconds,
  ttl: Count,
  version: optional(
    union([
      literal('1.0'),
      literal('1.1'),
      literal('2.0'),
      literal('2.1'),
      literal('2.2'),
      literal('2.3'),
    ]),
  ),
  data: type({ stations: array(GbfsStationStatus) }),
});
export type GbfsStationStatusDocument = Infer<typeof GbfsStationStatusDocument>;

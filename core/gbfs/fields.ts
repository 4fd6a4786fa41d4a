import {
  boolean,
  define,
  enums,
  integer,
  min,
  string,
  union,
  type Failure,
  type StructError,
} from 'superstruct';

/** Building blocks shared by the Vélib and standard GBFS schemas. */

/** A count: integer ≥ 0. */
export const Count = min(integer(), 0);

/** POSIX seconds (GBFS 1.0–2.3 `last_updated`, `last_reported`, Vélib `lastUpdatedOther`). */
export const EpochSeconds = min(integer(), 0);

/** GBFS 1.0 allows booleans or 0/1; 2.x booleans; Vélib sends 0/1. */
export const Flag = union([boolean(), enums([0, 1])]);

/** Vélib sends station ids as JSON integers (up to ~2.07e10), GBFS as strings. */
export const AnyStationId = union([string(), integer()]);

export const Latitude = define<number>(
  'Latitude',
  (v) => typeof v === 'number' && v >= -90 && v <= 90,
);
export const Longitude = define<number>(
  'Longitude',
  (v) => typeof v === 'number' && v >= -180 && v <= 180,
);

/** `data.stations[3].station_id`: a failure's path as a reader writes it. */
export function formatPath(path: readonly unknown[]): string {
  let text = '';
  for (const part of path) {
    text +=
      typeof part === 'number' ? `[${part}]` : text === '' ? String(part) : `.${String(part)}`;
  }
  return text || 'document';
}

/** "data.stations[3].lat: Expected a value of type `Latitude`…" for the first failure. */
export function describeFailure(failure: Failure): string {
  return `${formatPath(failure.path)}: ${failure.message}`;
}

export function describeError(error: StructError): string {
  return describeFailure(error.failures()[0] ?? error);
}

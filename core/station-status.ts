import { EBIKE_TYPE_NAMES, MECHANICAL_TYPE_NAME } from './defaults.js';
import type { Envelope } from './envelope.js';
import { StageError } from './errors.js';
import { countJsonMembers, scanJsonMember } from './json-member-span.js';
import { isRecord, isTruthy, own, present, toInt, toText } from './lenient.js';
import { kindOf, safeJsonStringify } from './text.js';
import { epochSecondsToTimestamp } from './timestamps.js';
import type { RowOf } from './warehouse/index.js';
import type { stationStatusCuratedTable } from './warehouse/index.js';

export type CuratedStatusRow = RowOf<typeof stationStatusCuratedTable>;

export const STATION_STATUS_EVENT_TYPE = 'station_status_snapshot';

type Count = number | string | null;

/**
 * Where a snapshot keeps its station list: `payload.data.stations`, which must be a list. Shared by
 * the status and information mappings. Throws StageError('snapshot_to_station_rows').
 */
export function snapshotStations(envelope: Envelope): unknown[] {
  const fail = (message: string) =>
    new StageError('snapshot_to_station_rows', 'InvalidSnapshot', message);
  // The original reads `payload or {}` and `data or {}`: falsy values count as absent.
  const payload = isTruthy(envelope.payload) ? envelope.payload : {};
  if (!isRecord(payload)) throw fail(`payload must be a JSON object, got ${kindOf(payload)}`);
  const rawData = own(payload, 'data');
  const data = isTruthy(rawData) ? rawData : {};
  if (!isRecord(data)) throw fail(`payload.data must be a JSON object, got ${kindOf(data)}`);
  const stations = own(data, 'stations');
  if (!Array.isArray(stations)) {
    throw fail(
      present(stations)
        ? `payload.data.stations is not a list (got ${kindOf(stations)})`
        : 'payload.data.stations is missing',
    );
  }
  return stations;
}

/**
 * Mechanical and e-bike counts, from any of the forms seen in the wild:
 * - Vélib: `num_bikes_available_types: [{"mechanical": n}, {"ebike": m}]`;
 * - GBFS-style list items `{"bike_type": "mechanical" | "ebike" | "electric" | "e-bike", "count": n}`;
 * - object form `num_bikes_available_types: {"mechanical": n, "ebike": m}` (the original returned
 *   nulls for it; we read it);
 * - GBFS 2.1+ `vehicle_types_available: [{"vehicle_type_id", "count"}]`, only when
 *   `num_bikes_available_types` is absent, and only for ids named like the bike types above (the
 *   meaning of other ids lives in vehicle_types.json, which a snapshot does not carry).
 * A later list item overrides an earlier one, as in the original. Counts go through `toInt`.
 */
export function extractBikeTypes(station: Record<string, unknown>): {
  mechanical: Count;
  ebike: Count;
} {
  let mechanical: Count = null;
  let ebike: Count = null;
  const types = own(station, 'num_bikes_available_types');
  // No closure for the shared "named type + count" case: this runs once per station row, and each
  // closure created per call is an allocation (and, under tsx, a defineProperty for its name).
  if (Array.isArray(types)) {
    for (const item of types) {
      if (!isRecord(item)) continue;
      if (Object.hasOwn(item, 'mechanical')) mechanical = toInt(item.mechanical);
      if (Object.hasOwn(item, 'ebike')) ebike = toInt(item.ebike);
      const bikeType = own(item, 'bike_type');
      if (isTruthy(bikeType) && Object.hasOwn(item, 'count')) {
        const kind = bikeKind(bikeType);
        if (kind === 'mechanical') mechanical = toInt(item.count);
        else if (kind === 'ebike') ebike = toInt(item.count);
      }
    }
  } else if (isRecord(types)) {
    if (Object.hasOwn(types, 'mechanical')) mechanical = toInt(types.mechanical);
    if (Object.hasOwn(types, 'ebike')) ebike = toInt(types.ebike);
  } else if (!present(types)) {
    const vehicles = own(station, 'vehicle_types_available');
    if (Array.isArray(vehicles)) {
      for (const item of vehicles) {
        if (!isRecord(item) || !Object.hasOwn(item, 'count')) continue;
        const kind = bikeKind(item.vehicle_type_id);
        if (kind === 'mechanical') mechanical = toInt(item.count);
        else if (kind === 'ebike') ebike = toInt(item.count);
      }
    }
  }
  return { mechanical, ebike };
}

/** Which count a bike type name feeds, if any. */
function bikeKind(typeName: unknown): 'mechanical' | 'ebike' | null {
  if (typeName === MECHANICAL_TYPE_NAME) return 'mechanical';
  if (typeof typeName === 'string' && EBIKE_TYPE_NAMES.includes(typeName)) return 'ebike';
  return null;
}

/** First value of the pair that is not null/missing (the original's `if x is None: x = y`). */
function eitherOf(station: Record<string, unknown>, snake: string, camel: string): unknown {
  const value = own(station, snake);
  return present(value) ? value : own(station, camel);
}

/**
 * A station id as the STRING column wants it: strings as they are, numbers in decimal (Vélib ids go
 * up to ~2.07e10, exact in a double). Null means "no usable id": missing, null, blank, or a
 * boolean/object/array (the original would have written Python's str() of those).
 */
export function stationIdOf(station: Record<string, unknown>): string | null {
  const id = toText(own(station, 'station_id'));
  return id === null || id.trim() === '' ? null : id;
}

/**
 * The original's `stationCode or station_code or stationcode`: the first truthy one, else the last.
 * Spelled out rather than through `firstTruthy(...)`, whose rest array is allocated per station.
 */
function stationCodeOf(station: Record<string, unknown>): unknown {
  const camel = own(station, 'stationCode');
  if (isTruthy(camel)) return camel;
  const snake = own(station, 'station_code');
  return isTruthy(snake) ? snake : own(station, 'stationcode');
}

/**
 * One station object → one curated row, or null when it has no usable station_id. `rawJson`, when
 * given, must be exactly `JSON.stringify(station)` (see `statusSnapshotToRows`).
 */
export function stationStatusRow(
  station: Record<string, unknown>,
  envelope: Pick<Envelope, 'ingest_ts' | 'event_ts'>,
  rawJson?: string,
): CuratedStatusRow | null {
  const stationId = stationIdOf(station);
  if (stationId === null) return null;
  const { mechanical, ebike } = extractBikeTypes(station);
  const code = stationCodeOf(station);
  return {
    ingest_ts: envelope.ingest_ts,
    event_ts: envelope.event_ts,
    station_id: stationId,
    station_code: toText(code),
    is_installed: toInt(own(station, 'is_installed')),
    is_renting: toInt(own(station, 'is_renting')),
    is_returning: toInt(own(station, 'is_returning')),
    last_reported_ts: epochSecondsToTimestamp(own(station, 'last_reported')),
    num_bikes_available: toInt(eitherOf(station, 'num_bikes_available', 'numBikesAvailable')),
    num_docks_available: toInt(eitherOf(station, 'num_docks_available', 'numDocksAvailable')),
    mechanical_available: mechanical,
    ebike_available: ebike,
    raw_station_json: rawJson ?? safeJsonStringify(station),
  };
}

/**
 * A station_status snapshot envelope → one curated row per station, in feed order. Envelopes of
 * other event types give []. Stations that are not objects or have no usable station_id are
 * skipped. Throws StageError('snapshot_to_station_rows') when `payload.data.stations` is not a list.
 *
 * `sourceText`, when given, must be the JSON text the envelope was parsed from (`parseEnvelopeText`).
 * It changes nothing in the rows, only their cost: a station whose text in it is already exactly
 * what `JSON.stringify` gives for it (compact JSON, as collectors publish) takes its
 * `raw_station_json` as a slice of that text instead of being serialized again, which was a
 * quarter of the mapping's CPU time (docs/PERFORMANCE.md, #6).
 */
export function statusSnapshotToRows(envelope: Envelope, sourceText?: string): CuratedStatusRow[] {
  if (envelope.event_type !== STATION_STATUS_EVENT_TYPE) return [];
  const stations = snapshotStations(envelope);
  const slices = sourceText === undefined ? null : stationJsonSlices(sourceText);
  const usable = slices !== null && slices.starts.length === stations.length;
  const rows: CuratedStatusRow[] = [];
  for (let i = 0; i < stations.length; i += 1) {
    const station = stations[i];
    if (!isRecord(station)) continue;
    let rawJson: string | undefined;
    if (usable && slices.starts[i]! >= 0 && hasKeyCount(station, slices.keyCounts[i]!)) {
      rawJson = sourceText!.slice(slices.starts[i], slices.ends[i]);
    }
    const row = stationStatusRow(station, envelope, rawJson);
    if (row) rows.push(row);
  }
  return rows;
}

/** Whether `station` has `expected` object members at every depth (-1: too deep to count). */
function hasKeyCount(station: Record<string, unknown>, expected: number): boolean {
  return countJsonMembers(station) === expected;
}

/**
 * Where each element of `payload.data.stations` lies in an envelope's JSON text: `starts[i]` and
 * `ends[i]` delimit element i, `starts[i]` is -1 when that text is not exactly what
 * `JSON.stringify(JSON.parse(text))` gives (whitespace, an escape it would write otherwise, a
 * number not in its shortest form, a key that looks like an array index and would be reordered),
 * and `keyCounts[i]` counts the element's object members at every depth: fewer parsed ones mean a
 * duplicate key, which the caller checks (`countJsonMembers`). null when the text does not have
 * that layout plainly (a payload given as a string, a repeated key on the way down, anything odd):
 * the caller then serializes every station. The text must be valid JSON (it has been parsed). The
 * scan is `core/json-member-span.ts`'s.
 */
export function stationJsonSlices(
  text: string,
): { starts: number[]; ends: number[]; keyCounts: number[] } | null {
  const spans = scanJsonMember(text, STATIONS_PATH, (scanner) => scanner.elementSpans());
  if (spans === null) return null;
  const starts: number[] = [];
  const ends: number[] = [];
  const keyCounts: number[] = [];
  for (const span of spans) {
    starts.push(span.stringifyForm ? span.start : -1);
    ends.push(span.end);
    keyCounts.push(span.keyCount);
  }
  return { starts, ends, keyCounts };
}

const STATIONS_PATH = ['payload', 'data', 'stations'] as const;

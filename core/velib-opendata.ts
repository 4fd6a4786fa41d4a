import { OPEN_DATA_SNAPSHOT_TTL_SECONDS } from './defaults.js';
import { isRecord, own, toInt, toText } from './lenient.js';
import { kindOf, preview } from './text.js';
import { normalizeTimestamp } from './timestamps.js';

/**
 * The City of Paris open-data export of the Vélib feed (dataset
 * `velib-disponibilite-en-temps-reel`) turned back into the operator's `station_status.json`
 * shape, so a history kept in that form can be replayed through the same pipeline. Pure: the
 * caller reads the files.
 */

/** A station as it appears in one open-data record, converted to the Vélib GBFS shape. */
export interface VelibStatusStation {
  readonly station_id: number | string;
  readonly stationCode: string;
  readonly num_bikes_available: number;
  readonly numBikesAvailable: number;
  readonly num_bikes_available_types: readonly [{ mechanical: number }, { ebike: number }];
  readonly num_docks_available: number;
  readonly numDocksAvailable: number;
  readonly is_installed: 0 | 1;
  readonly is_renting: 0 | 1;
  readonly is_returning: 0 | 1;
  readonly last_reported: number;
  readonly station_opening_hours: null;
}

export interface VelibStatusDocument {
  readonly lastUpdatedOther: number;
  readonly ttl: number;
  readonly data: { readonly stations: readonly VelibStatusStation[] };
}

/** A record that could not be converted, and why (its position in the export, from 0). */
export interface OpenDataRejection {
  readonly index: number;
  readonly stationCode: string | null;
  readonly reason: string;
}

export interface OpenDataConversion {
  /** The snapshot, or null when no record converted or no snapshot time is known. */
  readonly document: VelibStatusDocument | null;
  /** Records in the export. Always `converted + unmatched.length + rejected.length`. */
  readonly records: number;
  readonly converted: number;
  /** Station codes that the station_information file does not know. */
  readonly unmatched: readonly string[];
  readonly rejected: readonly OpenDataRejection[];
  /** RFC 3339 UTC: the given time, else the newest `duedate` in the export; null if neither. */
  readonly snapshotTime: string | null;
}

/**
 * `stationCode` → `station_id` from a station_information document (Vélib or GBFS shape). The
 * open data names stations by their operator code only; the pipeline keys them by id.
 */
export function stationIdsByCode(stationInformation: unknown): Map<string, number | string> {
  const data = isRecord(stationInformation) ? own(stationInformation, 'data') : undefined;
  const stations = isRecord(data) ? own(data, 'stations') : undefined;
  if (!Array.isArray(stations)) {
    throw new TypeError(
      `station_information must have data.stations as a list, got ${kindOf(stations)}`,
    );
  }
  const ids = new Map<string, number | string>();
  for (const station of stations) {
    if (!isRecord(station)) continue;
    const code = toText(own(station, 'stationCode') ?? own(station, 'short_name'));
    const id = own(station, 'station_id');
    if (code !== null && (typeof id === 'number' || typeof id === 'string')) ids.set(code, id);
  }
  return ids;
}

/** The records of an export: a JSON array, or the `results` of an API page. */
export function openDataRecords(exported: unknown): unknown[] {
  if (Array.isArray(exported)) return exported;
  const results = isRecord(exported) ? own(exported, 'results') : undefined;
  if (Array.isArray(results)) return results;
  throw new TypeError(
    `an open-data export must be a JSON array of records (or {results: [...]}), got ${kindOf(exported)}`,
  );
}

/** "OUI"/"NON" (any case) → 1/0. */
function ouiNon(value: unknown): 0 | 1 | null {
  const text = typeof value === 'string' ? value.trim().toUpperCase() : null;
  return text === 'OUI' ? 1 : text === 'NON' ? 0 : null;
}

function epochSecondsOf(value: unknown): number | null {
  const stamp = typeof value === 'string' ? normalizeTimestamp(value) : null;
  return stamp === null ? null : Math.floor(Date.parse(stamp) / 1000);
}

type RecordResult =
  { readonly station: Omit<VelibStatusStation, 'station_id'> } | { readonly reason: string };

const COUNTS = ['numbikesavailable', 'numdocksavailable', 'mechanical', 'ebike'] as const;
const FLAGS = ['is_installed', 'is_renting', 'is_returning'] as const;

/** One record's fields in the Vélib shape, or the first field at fault. */
function convertRecord(record: Record<string, unknown>, code: string): RecordResult {
  const counts: Partial<Record<(typeof COUNTS)[number], number>> = {};
  for (const name of COUNTS) {
    const n = toInt(own(record, name));
    if (typeof n !== 'number' || n < 0) {
      return { reason: `${name} must be a count, got ${preview(own(record, name))}` };
    }
    counts[name] = n;
  }
  const flags: Partial<Record<(typeof FLAGS)[number], 0 | 1>> = {};
  for (const name of FLAGS) {
    const flag = ouiNon(own(record, name));
    if (flag === null) {
      return { reason: `${name} must be "OUI" or "NON", got ${preview(own(record, name))}` };
    }
    flags[name] = flag;
  }
  const lastReported = epochSecondsOf(own(record, 'duedate'));
  if (lastReported === null) {
    return { reason: `duedate must be an ISO 8601 time, got ${preview(own(record, 'duedate'))}` };
  }
  const bikes = counts.numbikesavailable!;
  const docks = counts.numdocksavailable!;
  return {
    station: {
      stationCode: code,
      num_bikes_available: bikes,
      numBikesAvailable: bikes,
      num_bikes_available_types: [{ mechanical: counts.mechanical! }, { ebike: counts.ebike! }],
      num_docks_available: docks,
      numDocksAvailable: docks,
      is_installed: flags.is_installed!,
      is_renting: flags.is_renting!,
      is_returning: flags.is_returning!,
      last_reported: lastReported,
      station_opening_hours: null,
    },
  };
}

/**
 * One open-data export → one station_status snapshot in the Vélib shape. Every record ends up
 * converted, unmatched (its code is not in `stationIds`) or rejected with a reason, never dropped
 * silently. The snapshot time is `snapshotTime` when given (e.g. from the file name), else the
 * newest `duedate` (the last station report the export carries).
 */
export function openDataToStationStatus(input: {
  readonly exported: unknown;
  readonly stationIds: ReadonlyMap<string, number | string>;
  readonly snapshotTime?: Date;
}): OpenDataConversion {
  const records = openDataRecords(input.exported);
  const stations: VelibStatusStation[] = [];
  const unmatched: string[] = [];
  const rejected: OpenDataRejection[] = [];
  const seen = new Set<string>();
  let newestDue: number | null = null;
  records.forEach((record, index) => {
    if (!isRecord(record)) {
      rejected.push({ index, stationCode: null, reason: `not an object: ${kindOf(record)}` });
      return;
    }
    const due = epochSecondsOf(own(record, 'duedate'));
    if (due !== null && (newestDue === null || due > newestDue)) newestDue = due;
    const code = toText(own(record, 'stationcode'));
    if (code === null || code.trim() === '') {
      rejected.push({ index, stationCode: null, reason: 'stationcode is missing' });
      return;
    }
    if (seen.has(code)) {
      rejected.push({ index, stationCode: code, reason: 'stationcode appears twice' });
      return;
    }
    seen.add(code);
    const id = input.stationIds.get(code);
    if (id === undefined) {
      unmatched.push(code);
      return;
    }
    const result = convertRecord(record, code);
    if ('reason' in result) rejected.push({ index, stationCode: code, reason: result.reason });
    else stations.push({ station_id: id, ...result.station });
  });
  const time = snapshotSeconds(input.snapshotTime, newestDue);
  return {
    document:
      stations.length > 0 && time !== null
        ? {
            lastUpdatedOther: time,
            ttl: OPEN_DATA_SNAPSHOT_TTL_SECONDS,
            data: { stations },
          }
        : null,
    records: records.length,
    converted: stations.length,
    unmatched,
    rejected,
    snapshotTime: time === null ? null : new Date(time * 1000).toISOString().replace('.000Z', 'Z'),
  };
}

function snapshotSeconds(given: Date | undefined, newestDue: number | null): number | null {
  if (given === undefined) return newestDue;
  if (Number.isNaN(given.getTime())) {
    throw new TypeError('openDataToStationStatus: snapshotTime must be a valid Date');
  }
  return Math.floor(given.getTime() / 1000);
}

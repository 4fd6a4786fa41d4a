import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  array,
  integer,
  min,
  number,
  optional,
  string,
  type,
  union,
  validate,
  type Infer,
} from 'superstruct';

/**
 * The committed copy of Vélib's station_information.json (1,495 stations, 2025-10-18), so a fresh
 * clone runs without ../shared. Byte-identical to the upstream blob; see README.md for attribution.
 */
export const DEFAULT_STATIONS_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  'data',
  'velib-station-information.json',
);

// `type` (not `object`) so unknown keys such as rental_methods pass and are served back untouched.
const StationStruct = type({
  station_id: union([integer(), string()]),
  stationCode: optional(string()),
  short_name: optional(string()),
  name: string(),
  lat: number(),
  lon: number(),
  capacity: optional(min(integer(), 0)),
});

const DocumentStruct = type({ data: type({ stations: array(StationStruct) }) });

type RawStation = Infer<typeof StationStruct>;

/** One station as the model needs it, plus the original object to serve back byte for byte. */
export interface StationInfo {
  readonly stationId: number | string;
  /** Vélib's operator code; `short_name` or the id for standard GBFS inputs. */
  readonly stationCode: string;
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
  readonly capacity: number;
  readonly rentalMethods: readonly string[] | undefined;
  /** The station object exactly as read (key order included). */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface StationList {
  readonly stations: readonly StationInfo[];
  /** Where the list came from, for messages. */
  readonly source: string;
}

/** Parses a station_information document in Vélib's format or standard GBFS (1.0–2.3). */
export function parseStationList(text: string, source: string): StationList {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const [failure, valid] = validate(document, DocumentStruct);
  if (failure) throw new Error(`${source}: not a station_information document: ${failure.message}`);
  if (valid.data.stations.length === 0) throw new Error(`${source}: data.stations is empty`);
  const seen = new Set<string>();
  const stations = valid.data.stations.map((station: RawStation, index: number) => {
    const id = String(station.station_id);
    if (seen.has(id)) throw new Error(`${source}: station_id ${id} appears twice (index ${index})`);
    seen.add(id);
    const raw = (document as { data: { stations: Record<string, unknown>[] } }).data.stations[
      index
    ] as Record<string, unknown>;
    const methods = raw.rental_methods;
    return {
      stationId: station.station_id,
      stationCode: station.stationCode ?? station.short_name ?? id,
      name: station.name,
      lat: station.lat,
      lon: station.lon,
      capacity: station.capacity ?? 0,
      rentalMethods: Array.isArray(methods) ? methods.map(String) : undefined,
      raw,
    } satisfies StationInfo;
  });
  return { stations, source };
}

// Loaded lists by path, reused while the file is unchanged: every simulator and export in a process
// then shares one list, and with it the model's cached station geometry.
const loaded = new Map<string, { stamp: string; list: StationList }>();

/** Reads a station list from disk; the committed Vélib copy when no file is given. */
export function loadStationList(file: string = DEFAULT_STATIONS_FILE): StationList {
  let text: string;
  let stamp: string;
  try {
    const stat = statSync(file);
    stamp = `${stat.size}:${stat.mtimeMs}`;
    const known = loaded.get(file);
    if (known?.stamp === stamp) return known.list;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read station list ${file}: ${(error as Error).message}`);
  }
  const list = parseStationList(text, file);
  loaded.set(file, { stamp, list });
  return list;
}

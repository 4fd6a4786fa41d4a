import { define, integer, is, refine, type, validate, type Struct } from 'superstruct';
import type { EventType } from '../envelope.js';
import { isRecord, own, present } from '../lenient.js';
import { kindOf, preview } from '../text.js';
import { describeFailure } from './fields.js';
import {
  GbfsStationInformationDocument,
  VelibStationInformationDocument,
} from './station-information.js';
import { GbfsStationStatusDocument, VelibStationStatusDocument } from './station-status.js';

/** Which dialect a document is written in, when it matches one of our strict schemas. */
export type FeedFormat = 'velib' | 'gbfs' | 'other';

export type FeedValidation =
  { ok: true; format: FeedFormat; stationCount: number } | { ok: false; reason: string };

const missing = (v: unknown) => !present(v) || v === '';

const StationId = define<string | number>('StationId', (v) => {
  if (missing(v)) return 'is missing';
  if ((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isInteger(v)))
    return true;
  return `must be a string or an integer, got ${preview(v)}`;
});

const CountValue = define<number>('Count', (v) =>
  is(v, integer()) && v >= 0 ? true : `must be an integer ≥ 0, got ${preview(v)}`,
);

const Coordinate = define<number>('Coordinate', (v) => {
  if (!present(v)) return 'is missing';
  return typeof v === 'number' && Number.isFinite(v) ? true : `must be a number, got ${preview(v)}`;
});

const Name = define<string>('Name', (v) => {
  if (!present(v)) return 'is missing';
  return typeof v === 'string' ? true : `must be a string, got ${preview(v)}`;
});

/**
 * What the collector insists on before it publishes: enough for the curated job to make rows. Kept
 * looser than the strict schemas, so a new or odd field on one station never stops a collection.
 */
const StatusStation: Struct<Record<string, unknown>> = refine(
  type({ station_id: StationId }) as unknown as Struct<Record<string, unknown>>,
  'StatusCounts',
  (station) => {
    const bikes = present(own(station, 'num_bikes_available'))
      ? 'num_bikes_available'
      : 'numBikesAvailable';
    const value = own(station, bikes);
    if (!present(value))
      return 'num_bikes_available is missing (is this a station_information feed?)';
    const [error] = validate(value, CountValue);
    return error ? `${bikes} ${error.message}` : true;
  },
);

const InformationStation = type({
  station_id: StationId,
  name: Name,
  lat: Coordinate,
  lon: Coordinate,
});

/**
 * The collector's shape check of a fetched feed document, before it is published: a JSON object with
 * a non-empty `data.stations` list whose stations carry what the event type needs (station_status:
 * `station_id` and a bike count; station_information: `station_id`, `name`, `lat`, `lon`). On success
 * it also says whether the document is strict Vélib or strict GBFS 1.0–2.3 (`other` when neither, which
 * is still accepted). On failure `reason` names the first field at fault.
 */
export function validateFeedDocument(doc: unknown, eventType: EventType): FeedValidation {
  if (!isRecord(doc))
    return { ok: false, reason: `document must be a JSON object, got ${kindOf(doc)}` };
  const data = own(doc, 'data');
  if (!present(data)) return { ok: false, reason: 'data is missing' };
  if (!isRecord(data)) return { ok: false, reason: `data must be an object, got ${kindOf(data)}` };
  const stations = own(data, 'stations');
  if (!present(stations)) return { ok: false, reason: 'data.stations is missing' };
  if (!Array.isArray(stations))
    return { ok: false, reason: `data.stations must be a list, got ${kindOf(stations)}` };
  if (stations.length === 0) return { ok: false, reason: 'data.stations is empty' };

  const check = (item: unknown) =>
    eventType === 'station_status_snapshot'
      ? validate(item, StatusStation)[0]
      : validate(item, InformationStation)[0];
  for (let index = 0; index < stations.length; index++) {
    const item: unknown = stations[index];
    if (!isRecord(item))
      return {
        ok: false,
        reason: `data.stations[${index}] must be an object, got ${kindOf(item)}`,
      };
    const error = check(item);
    if (error) {
      const failure = error.failures()[0] ?? error;
      return {
        ok: false,
        reason: describeFailure({ ...failure, path: ['data', 'stations', index, ...failure.path] }),
      };
    }
  }
  return { ok: true, format: feedFormat(doc, eventType), stationCount: stations.length };
}

/**
 * 'velib' or 'gbfs' when the document matches that strict schema, else 'other'. The top-level clock
 * key picks the one schema worth checking (a full strict pass costs tens of ms on 1,495 stations).
 */
export function feedFormat(doc: unknown, eventType: EventType): FeedFormat {
  if (!isRecord(doc)) return 'other';
  const status = eventType === 'station_status_snapshot';
  if (Object.hasOwn(doc, 'lastUpdatedOther')) {
    const velib = status
      ? is(doc, VelibStationStatusDocument)
      : is(doc, VelibStationInformationDocument);
    return velib ? 'velib' : 'other';
  }
  const gbfs = status
    ? is(doc, GbfsStationStatusDocument)
    : is(doc, GbfsStationInformationDocument);
  return gbfs ? 'gbfs' : 'other';
}

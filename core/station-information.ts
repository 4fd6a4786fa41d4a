import type { Envelope } from './envelope.js';
import { firstTruthy, isRecord, own, toFloat, toInt, toText } from './lenient.js';
import { snapshotStations, stationIdOf } from './station-status.js';
import { safeJsonStringify } from './text.js';
import type { RowOf, stationInformationTable } from './warehouse/index.js';

export type StationInformationRow = RowOf<typeof stationInformationTable>;

export const STATION_INFORMATION_EVENT_TYPE = 'station_information_snapshot';

/** One station object → one information row, or null when it has no usable station_id. */
export function stationInformationRow(
  station: Record<string, unknown>,
  envelope: Pick<Envelope, 'ingest_ts' | 'event_ts'>,
): StationInformationRow | null {
  const stationId = stationIdOf(station);
  if (stationId === null) return null;
  return {
    ingest_ts: envelope.ingest_ts,
    event_ts: envelope.event_ts,
    station_id: stationId,
    // The original writer wrote "" (not null) when no code was published.
    station_code:
      toText(firstTruthy(own(station, 'stationCode'), own(station, 'station_code'))) ?? '',
    name: toText(own(station, 'name')),
    lat: toFloat(own(station, 'lat')),
    lon: toFloat(own(station, 'lon')),
    capacity: toInt(own(station, 'capacity')),
    address: toText(own(station, 'address')),
    post_code: toText(firstTruthy(own(station, 'post_code'), own(station, 'postCode'))),
    raw_station_json: safeJsonStringify(station),
  };
}

/**
 * A station_information snapshot envelope → one row per station, with the semantics of the
 * original station-info writer (stations that are not objects or have no usable id are skipped;
 * values are converted leniently so one odd field cannot fail the whole insert). Envelopes of other
 * event types give []. Throws StageError('snapshot_to_station_rows') when `payload.data.stations`
 * is not a list, including when it is missing (the original writer acknowledged that silently).
 */
export function informationSnapshotToRows(envelope: Envelope): StationInformationRow[] {
  if (envelope.event_type !== STATION_INFORMATION_EVENT_TYPE) return [];
  const rows: StationInformationRow[] = [];
  for (const station of snapshotStations(envelope)) {
    if (!isRecord(station)) continue;
    const row = stationInformationRow(station, envelope);
    if (row) rows.push(row);
  }
  return rows;
}

import type { RowOf, stationStatusCuratedTable } from '../../../core/warehouse/index.js';

export type CuratedRow = RowOf<typeof stationStatusCuratedTable>;

/**
 * Deterministic curated status rows: row `i` is station `i % stations` in snapshot
 * `floor(i / stations)` (one snapshot a minute from `startMs`), shaped like the Beam job's output.
 */
export function curatedRow(i: number, stations = 1500, startMs = Date.UTC(2026, 0, 1)): CuratedRow {
  const station = i % stations;
  const snapshot = Math.floor(i / stations);
  const eventTs = new Date(startMs + snapshot * 60_000).toISOString();
  const bikes = (station * 7 + snapshot) % 40;
  return {
    ingest_ts: eventTs,
    event_ts: eventTs,
    station_id: String(213_688_169 + station),
    station_code: String(16_107 + station),
    is_installed: 1,
    is_renting: 1,
    is_returning: 1,
    last_reported_ts: eventTs,
    num_bikes_available: bikes,
    num_docks_available: 40 - bikes,
    mechanical_available: Math.floor(bikes / 2),
    ebike_available: bikes - Math.floor(bikes / 2),
    raw_station_json: `{"station_id":${213_688_169 + station},"num_bikes_available":${bikes}}`,
  };
}

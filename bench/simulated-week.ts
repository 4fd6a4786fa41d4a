import type { BigQuery } from '@google-cloud/bigquery';

/**
 * Fills pmp_curated.velib_station_status with one snapshot a minute for every station in
 * pmp_curated.velib_station_information, from `first` on: bikes drifting every 15 minutes, every
 * 97th station not renting, each snapshot collected 20 s after its feed time. Generated inside the
 * emulator's DuckDB by one INSERT … SELECT through the official client (insertAll would take the
 * better part of an hour for a week of 1,495 stations).
 */
export async function insertSimulatedCuratedMinutes(
  bigquery: BigQuery,
  options: { readonly first: string; readonly snapshots: number },
): Promise<void> {
  await bigquery.query(`
    INSERT INTO pmp_curated.velib_station_status
      (ingest_ts, event_ts, station_id, station_code, is_installed, is_renting, is_returning,
       last_reported_ts, num_bikes_available, num_docks_available, mechanical_available,
       ebike_available, raw_station_json)
    SELECT TIMESTAMP_ADD(ts, INTERVAL 20 SECOND), ts, station_id, station_code, 1,
      IF(MOD(k, 97) = 0, 0, 1), 1, ts, bikes, GREATEST(capacity - bikes, 0),
      DIV(bikes * 3, 5), bikes - DIV(bikes * 3, 5), NULL
    FROM (
      SELECT s.station_id, s.station_code, s.k, s.capacity,
        TIMESTAMP_ADD(TIMESTAMP '${options.first}', INTERVAL m MINUTE) AS ts,
        MOD(s.k * 37 + DIV(m, 15) * (1 + MOD(s.k, 7)), GREATEST(s.capacity, 1) + 1) AS bikes
      FROM (
        SELECT station_id, station_code, capacity, ROW_NUMBER() OVER (ORDER BY station_id) AS k
        FROM pmp_curated.velib_station_information
      ) AS s
      CROSS JOIN UNNEST(GENERATE_ARRAY(0, ${options.snapshots - 1})) AS m
    )`);
}

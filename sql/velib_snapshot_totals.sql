-- materialized: true
-- The network summed per snapshot, one row per feed time (1,440 a day): the small input every
-- hourly, coverage and profile figure is computed from. Summed over one row per station and
-- snapshot (earliest ingest, as velib_station_status_dedup), so a duplicated message or a replayed
-- snapshot changes nothing. Materialized (see sql/README.md): de-duplicating weeks of rows is the
-- expensive part, and the dashboard reads this table instead of repeating it on every call. The Paris hour is worked out here, once per snapshot
-- (time-zone arithmetic per station row was the other expensive part).
SELECT
  snapshot_ts,
  TIMESTAMP_TRUNC(snapshot_ts, HOUR, 'Europe/Paris') AS hour_ts_paris,
  COUNT(DISTINCT station_id) AS stations_reporting,
  SUM(num_bikes_available) AS total_bikes,
  SUM(mechanical_available) AS total_mechanical,
  SUM(ebike_available) AS total_ebikes,
  SUM(num_docks_available) AS total_docks,
  COUNTIF(num_bikes_available = 0 AND is_installed = 1) AS empty_stations,
  COUNTIF(num_docks_available = 0 AND num_bikes_available > 0 AND is_installed = 1) AS full_stations
FROM (
  -- velib_station_status_dedup, inlined: a BigQuery materialized view may read tables only.
  SELECT
    *,
    COALESCE(event_ts, ingest_ts) AS snapshot_ts,
    ROW_NUMBER() OVER (
      PARTITION BY station_id, COALESCE(event_ts, ingest_ts)
      ORDER BY ingest_ts
    ) AS dedup_rank
  FROM pmp_curated.velib_station_status
)
WHERE dedup_rank = 1
GROUP BY snapshot_ts

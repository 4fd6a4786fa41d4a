-- Network totals per hour of Europe/Paris time. Each snapshot is first summed across stations
-- (from the de-duplicated view), then the snapshots of an hour are averaged, so the figures do not
-- depend on how many times a message was delivered. TIMESTAMP_TRUNC in Europe/Paris keeps the two
-- 02:00 hours of the autumn DST change apart (they are different instants). Empty and full count
-- installed stations only: a station being built or removed is not a shortage.
WITH per_snapshot AS (
  SELECT
    snapshot_ts,
    COUNT(DISTINCT station_id) AS stations_reporting,
    SUM(num_bikes_available) AS total_bikes,
    SUM(mechanical_available) AS total_mechanical,
    SUM(ebike_available) AS total_ebikes,
    SUM(num_docks_available) AS total_docks,
    COUNTIF(num_bikes_available = 0 AND is_installed = 1) AS empty_stations,
    COUNTIF(num_docks_available = 0 AND num_bikes_available > 0 AND is_installed = 1) AS full_stations
  FROM pmp_marts.velib_station_status_dedup
  GROUP BY snapshot_ts
),
-- The Paris hour is worked out once per snapshot, not once per station row (time-zone arithmetic
-- is the expensive part of this view).
snapshots AS (
  SELECT *, TIMESTAMP_TRUNC(snapshot_ts, HOUR, 'Europe/Paris') AS hour_ts_paris
  FROM per_snapshot
)
SELECT
  hour_ts_paris,
  AVG(total_bikes) AS avg_total_bikes_available,
  MAX(total_bikes) AS peak_total_bikes_available,
  MIN(total_bikes) AS min_total_bikes_available,
  AVG(total_mechanical) AS avg_mechanical_available,
  AVG(total_ebikes) AS avg_ebike_available,
  AVG(total_docks) AS avg_total_docks_available,
  AVG(stations_reporting) AS avg_stations_reporting,
  AVG(empty_stations) AS avg_empty_stations,
  MAX(empty_stations) AS peak_empty_stations,
  AVG(full_stations) AS avg_full_stations,
  COUNT(*) AS snapshot_samples,
  MAX(MAX(stations_reporting)) OVER (
    ORDER BY UNIX_SECONDS(hour_ts_paris)
    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  ) AS total_stations_known
FROM snapshots
GROUP BY hour_ts_paris

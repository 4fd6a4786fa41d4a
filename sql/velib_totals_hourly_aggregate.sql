-- Network totals per hour of Europe/Paris time. Each snapshot is first summed across stations
-- (velib_snapshot_totals, de-duplicated), then the snapshots of an hour are averaged, so the
-- figures do not depend on how many times a message was delivered. TIMESTAMP_TRUNC in Europe/Paris keeps the two
-- 02:00 hours of the autumn DST change apart (they are different instants). Empty and full count
-- installed stations only: a station being built or removed is not a shortage.
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
FROM pmp_marts.velib_snapshot_totals
GROUP BY hour_ts_paris

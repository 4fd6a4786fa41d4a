-- Hours the dashboard can trust: Paris wall-clock date and hour, and only hours where (almost)
-- every station reported.
SELECT
  hour_ts_paris AS hour_ts,
  hour_paris,
  DATE(hour_paris) AS date_paris,
  EXTRACT(HOUR FROM hour_paris) AS hour_of_day_paris,
  avg_total_bikes_available,
  peak_total_bikes_available,
  min_total_bikes_available,
  avg_mechanical_available,
  avg_ebike_available,
  avg_total_docks_available,
  avg_stations_reporting,
  avg_empty_stations,
  peak_empty_stations,
  avg_full_stations,
  snapshot_samples,
  total_stations_known,
  avg_coverage_ratio
FROM pmp_marts.velib_totals_hourly
WHERE avg_coverage_ratio >= 0.999

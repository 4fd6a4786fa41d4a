-- A typical week: average network state per Paris weekday and hour of day, for the heat map.
-- day_of_week follows BigQuery (1 = Sunday … 7 = Saturday).
SELECT
  EXTRACT(DAYOFWEEK FROM hour_paris) AS day_of_week,
  FORMAT_TIMESTAMP('%A', hour_ts_paris, 'Europe/Paris') AS day_name,
  EXTRACT(HOUR FROM hour_paris) AS hour_of_day,
  AVG(avg_total_bikes_available) AS avg_total_bikes_available,
  AVG(avg_empty_stations) AS avg_empty_stations,
  AVG(avg_full_stations) AS avg_full_stations,
  SUM(snapshot_samples) AS snapshot_samples,
  COUNT(*) AS hours_observed
FROM pmp_marts.velib_totals_hourly
GROUP BY day_of_week, day_name, hour_of_day

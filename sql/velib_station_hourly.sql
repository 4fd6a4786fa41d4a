-- Per-station history by hour of Europe/Paris time: how full each station was, and for how many
-- of the hour's snapshots it stood empty or full.
SELECT
  station_id,
  TIMESTAMP_TRUNC(snapshot_ts, HOUR, 'Europe/Paris') AS hour_ts_paris,
  DATETIME(TIMESTAMP_TRUNC(snapshot_ts, HOUR, 'Europe/Paris'), 'Europe/Paris') AS hour_paris,
  AVG(num_bikes_available) AS avg_bikes_available,
  MIN(num_bikes_available) AS min_bikes_available,
  MAX(num_bikes_available) AS max_bikes_available,
  AVG(mechanical_available) AS avg_mechanical_available,
  AVG(ebike_available) AS avg_ebike_available,
  AVG(num_docks_available) AS avg_docks_available,
  COUNTIF(num_bikes_available = 0) AS empty_samples,
  COUNTIF(num_docks_available = 0 AND num_bikes_available > 0) AS full_samples,
  COUNT(*) AS snapshot_samples
FROM pmp_marts.velib_station_status_dedup
GROUP BY station_id, hour_ts_paris

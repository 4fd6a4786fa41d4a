-- The network right now, one row: what the dashboard's KPI cards show. Each station counts with
-- its latest snapshot; "reporting" means installed and reported within the hour before the newest
-- snapshot. Freshness is left to the reader: as_of_ts (the newest feed time) against its clock.
SELECT
  MAX(snapshot_ts) AS as_of_ts,
  COUNT(*) AS stations_known,
  COUNTIF(is_installed = 1) AS stations_installed,
  COUNTIF(
    is_installed = 1
    AND TIMESTAMP_DIFF(
      newest_snapshot_ts,
      COALESCE(last_reported_ts, snapshot_ts),
      SECOND
    ) <= 60 * 60
  ) AS stations_reporting,
  SUM(num_bikes_available) AS bikes_available,
  SUM(mechanical_available) AS mechanical_available,
  SUM(ebike_available) AS ebike_available,
  SUM(num_docks_available) AS docks_available,
  COUNTIF(num_bikes_available = 0 AND is_installed = 1) AS empty_stations,
  COUNTIF(num_docks_available = 0 AND num_bikes_available > 0 AND is_installed = 1) AS full_stations
FROM (
  SELECT *, MAX(snapshot_ts) OVER () AS newest_snapshot_ts
  FROM pmp_marts.velib_latest_state
)

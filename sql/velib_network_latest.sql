-- The network right now, one row: what the dashboard's KPI cards show. Each station counts with
-- its latest snapshot. stations_reporting is the stations present in the newest snapshot, the
-- same figure as velib_snapshot_totals.stations_reporting for that snapshot, so the card and the
-- hourly marts agree. It is not judged by last_reported: Vélib moves that in hourly steps (the
-- newest value already ~30 min behind the feed), so "reported within the hour" swung from ~0 to
-- the whole network within an hour. Freshness is left to the reader: as_of_ts (the newest feed
-- time) against its clock.
SELECT
  MAX(snapshot_ts) AS as_of_ts,
  COUNT(*) AS stations_known,
  COUNTIF(is_installed = 1) AS stations_installed,
  COUNTIF(snapshot_ts = newest_snapshot_ts) AS stations_reporting,
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

-- severity: error
-- description: The de-duplicated view holds one row per (station_id, snapshot time); every mart relies on it.
-- Filtered on snapshot_ts, a key of the view's window, so the filter applies before the window
-- (the emulator's DuckDB pushes it down; on ingest_ts the whole history would be ranked each run).
SELECT station_id, snapshot_ts, COUNT(*) AS copies
FROM pmp_marts.velib_station_status_dedup
WHERE snapshot_ts >= TIMESTAMP(@since)
GROUP BY station_id, snapshot_ts
HAVING COUNT(*) > 1

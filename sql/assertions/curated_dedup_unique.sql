-- severity: error
-- description: The de-duplicated view holds one row per (station_id, snapshot time); every mart relies on it.
SELECT station_id, snapshot_ts, COUNT(*) AS copies
FROM pmp_marts.velib_station_status_dedup
WHERE ingest_ts >= TIMESTAMP(@since)
GROUP BY station_id, snapshot_ts
HAVING COUNT(*) > 1

-- severity: error
-- description: is_installed, is_renting and is_returning are 0 or 1 (null when the feed sent something unreadable).
SELECT station_id, ingest_ts, is_installed, is_renting, is_returning
FROM pmp_curated.velib_station_status
WHERE ingest_ts >= TIMESTAMP(@since)
  AND (is_installed NOT IN (0, 1) OR is_renting NOT IN (0, 1) OR is_returning NOT IN (0, 1))

-- severity: error
-- description: Bike and dock counts are never negative.
SELECT station_id, ingest_ts, num_bikes_available, num_docks_available, mechanical_available,
  ebike_available
FROM pmp_curated.velib_station_status
WHERE ingest_ts >= TIMESTAMP(@since)
  AND (num_bikes_available < 0 OR num_docks_available < 0 OR mechanical_available < 0
    OR ebike_available < 0)

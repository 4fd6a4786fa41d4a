-- severity: error
-- description: mechanical_available + ebike_available = num_bikes_available wherever all three are known.
SELECT station_id, ingest_ts, num_bikes_available, mechanical_available, ebike_available
FROM pmp_curated.velib_station_status
WHERE ingest_ts >= TIMESTAMP(@since)
  AND mechanical_available + ebike_available != num_bikes_available

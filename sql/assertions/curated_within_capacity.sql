-- severity: warn
-- description: Bikes + free docks stay within capacity plus a tolerance of the larger of 3 and 60 % of capacity, rounded up (Park+ stations hold overflow bikes above their docks, and the real feed reports them); stations of capacity 0 are skipped.
SELECT s.station_id, s.ingest_ts, s.num_bikes_available, s.num_docks_available, i.capacity
FROM pmp_curated.velib_station_status AS s
JOIN pmp_marts.velib_station_information_latest AS i USING (station_id)
WHERE s.ingest_ts >= TIMESTAMP(@since)
  AND i.capacity > 0
  -- DIV(3c + 4, 5) is CEIL(0.6 c) in integers.
  AND s.num_bikes_available + s.num_docks_available > i.capacity + GREATEST(3, DIV(3 * i.capacity + 4, 5))

-- severity: warn
-- description: Every curated station appears in station information (else the map and coverage miss it).
SELECT s.station_id, COUNT(*) AS rows_in_window, MAX(s.ingest_ts) AS newest_ingest_ts
FROM pmp_curated.velib_station_status AS s
LEFT JOIN (SELECT DISTINCT station_id FROM pmp_curated.velib_station_information) AS i
  USING (station_id)
WHERE s.ingest_ts >= TIMESTAMP(@since) AND i.station_id IS NULL
GROUP BY s.station_id

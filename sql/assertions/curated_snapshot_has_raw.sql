-- severity: error
-- description: Every curated snapshot (ingest_ts) has its raw snapshot in pmp_raw: curated rows with no raw source mean the raw landing lost a message.
SELECT c.ingest_ts, COUNT(*) AS curated_rows
FROM pmp_curated.velib_station_status AS c
LEFT JOIN (
  SELECT DISTINCT ingest_ts FROM pmp_raw.velib_station_status_raw
  WHERE ingest_ts >= TIMESTAMP(@since)
) AS r USING (ingest_ts)
WHERE c.ingest_ts >= TIMESTAMP(@since) AND r.ingest_ts IS NULL
GROUP BY c.ingest_ts

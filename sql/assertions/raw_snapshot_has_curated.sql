-- severity: error
-- description: Every raw snapshot older than 10 minutes (the curation lag allowed) has curated rows or a curated dead letter naming its message.
SELECT r.ingest_ts, r.message_id
FROM pmp_raw.velib_station_status_raw AS r
LEFT JOIN (
  SELECT DISTINCT ingest_ts FROM pmp_curated.velib_station_status
  WHERE ingest_ts >= TIMESTAMP(@since)
) AS c USING (ingest_ts)
LEFT JOIN (
  SELECT DISTINCT JSON_VALUE(event_meta, '$.message_id') AS message_id
  FROM pmp_ops.velib_station_status_curated_dlq
  WHERE dlq_ts >= TIMESTAMP(@since)
) AS d ON d.message_id = r.message_id
WHERE r.ingest_ts >= TIMESTAMP(@since)
  AND r.ingest_ts < TIMESTAMP_SUB(TIMESTAMP(@now), INTERVAL 10 MINUTE)
  AND r.event_type = 'station_status_snapshot'
  AND c.ingest_ts IS NULL AND d.message_id IS NULL

-- severity: error
-- description: One raw row per collected snapshot (ingest_ts): a second copy means a message landed twice under two insertIds.
SELECT ingest_ts, COUNT(*) AS copies, ARRAY_AGG(message_id ORDER BY message_id LIMIT 5) AS message_ids
FROM pmp_raw.velib_station_status_raw
WHERE ingest_ts >= TIMESTAMP(@since)
GROUP BY ingest_ts
HAVING COUNT(*) > 1

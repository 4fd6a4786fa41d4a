-- severity: warn
-- description: Fewer than 100 dead letters per DLQ table over the last 24 hours; more is a burst worth a look (pmp dlq list).
SELECT dlq, dead_letters_24h
FROM (
  SELECT 'curated' AS dlq, COUNT(*) AS dead_letters_24h
  FROM pmp_ops.velib_station_status_curated_dlq
  WHERE dlq_ts >= TIMESTAMP_SUB(TIMESTAMP(@now), INTERVAL 24 HOUR)
  UNION ALL
  SELECT 'push_writer', COUNT(*)
  FROM pmp_ops.push_writer_dlq
  WHERE dlq_ts >= TIMESTAMP_SUB(TIMESTAMP(@now), INTERVAL 24 HOUR)
  UNION ALL
  SELECT 'station_info_push', COUNT(*)
  FROM pmp_ops.velib_station_info_push_dlq
  WHERE publish_time >= TIMESTAMP_SUB(TIMESTAMP(@now), INTERVAL 24 HOUR)
)
WHERE dead_letters_24h >= 100

-- Dead letters per place they land, all time and over the last 24 hours of data, for the
-- dashboard's DLQ panel. Each source keeps its own timestamp column.
SELECT 'curated' AS dlq, stage AS detail, COUNT(*) AS total,
  COUNTIF(dlq_ts >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR)) AS last_24h,
  MAX(dlq_ts) AS newest_ts
FROM pmp_ops.velib_station_status_curated_dlq
GROUP BY stage
UNION ALL
SELECT 'push_writer', writer, COUNT(*),
  COUNTIF(dlq_ts >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR)),
  MAX(dlq_ts)
FROM pmp_ops.push_writer_dlq
GROUP BY writer
UNION ALL
SELECT 'station_info_push', subscription_name, COUNT(*),
  COUNTIF(publish_time >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR)),
  MAX(publish_time)
FROM pmp_ops.velib_station_info_push_dlq
GROUP BY subscription_name

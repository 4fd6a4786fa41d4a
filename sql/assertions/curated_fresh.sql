-- severity: error
-- description: The newest curated row is under 15 minutes old while the collector is scheduled (the feed is polled every minute).
-- needs: collecting
SELECT MAX(ingest_ts) AS newest_ingest_ts,
  TIMESTAMP_DIFF(TIMESTAMP(@now), MAX(ingest_ts), MINUTE) AS minutes_old
FROM pmp_curated.velib_station_status
HAVING MAX(ingest_ts) IS NULL
  OR MAX(ingest_ts) < TIMESTAMP_SUB(TIMESTAMP(@now), INTERVAL 15 MINUTE)

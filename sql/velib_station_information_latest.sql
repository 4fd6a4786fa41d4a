-- The most recent metadata per station (the information feed changes slowly; one row per station
-- avoids fan-out when joining to status).
SELECT * EXCEPT (rn)
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY station_id
      ORDER BY COALESCE(event_ts, ingest_ts) DESC, ingest_ts DESC
    ) AS rn
  FROM pmp_curated.velib_station_information
)
WHERE rn = 1

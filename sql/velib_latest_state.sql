-- The current state of every station: its most recent snapshot.
-- Reads the curated table rather than velib_station_status_dedup on purpose: ordering by snapshot
-- time (newest first) and then by ingest time (earliest first) picks exactly the row the dedup view
-- keeps for the newest snapshot, so duplicates cannot change the answer, and one window instead of
-- two keeps the map and KPI queries fast over weeks of history (marts.test.ts checks the equality).
SELECT * EXCEPT (latest_rank)
FROM (
  SELECT
    *,
    COALESCE(event_ts, ingest_ts) AS snapshot_ts,
    ROW_NUMBER() OVER (
      PARTITION BY station_id
      ORDER BY COALESCE(event_ts, ingest_ts) DESC, ingest_ts ASC
    ) AS latest_rank
  FROM pmp_curated.velib_station_status
)
WHERE latest_rank = 1

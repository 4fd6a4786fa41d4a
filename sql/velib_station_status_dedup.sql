-- One row per station per snapshot, whatever Pub/Sub did: at-least-once delivery, a replayed
-- dead letter or a feed collected twice in the same minute all produce rows with the same
-- (station_id, snapshot time). Every mart reads this view, never the curated table directly,
-- so duplicates cannot change a figure. The earliest ingest wins, which keeps the choice stable.
-- (A subquery rather than QUALIFY: same plan, and no WHERE-clause requirement to remember.)
SELECT * EXCEPT (dedup_rank)
FROM (
  SELECT
    *,
    COALESCE(event_ts, ingest_ts) AS snapshot_ts,
    ROW_NUMBER() OVER (
      PARTITION BY station_id, COALESCE(event_ts, ingest_ts)
      ORDER BY ingest_ts
    ) AS dedup_rank
  FROM pmp_curated.velib_station_status
)
WHERE dedup_rank = 1

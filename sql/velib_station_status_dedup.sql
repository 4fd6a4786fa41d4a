-- One row per station per snapshot, whatever Pub/Sub did: at-least-once delivery, a replayed
-- dead letter or a feed collected twice in the same minute all produce rows with the same
-- (station_id, snapshot time). Every mart reads this view, never the curated table directly,
-- so duplicates cannot change a figure. The earliest ingest wins, which keeps the choice stable.
-- (A subquery rather than QUALIFY: same plan, and no WHERE-clause requirement to remember.)
-- snapshot_ts is computed one level down and the window partitions by that column, so a filter
-- on snapshot_ts over this view applies before the ranking (the data-quality check reads the
-- last day this way) instead of after the whole history was ranked.
SELECT * EXCEPT (dedup_rank)
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY station_id, snapshot_ts ORDER BY ingest_ts) AS dedup_rank
  FROM (
    SELECT *, COALESCE(event_ts, ingest_ts) AS snapshot_ts
    FROM pmp_curated.velib_station_status
  )
)
WHERE dedup_rank = 1

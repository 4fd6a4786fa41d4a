-- The current state of every station: its most recent snapshot.
-- One aggregate pass finds each station's newest snapshot time; only the rows at that time are
-- then read again, and among those (duplicates of one snapshot) the earliest ingest wins, exactly
-- the row velib_station_status_dedup keeps, so duplicates cannot change the answer (marts.test.ts
-- checks the equality). No window runs over the history: a GROUP BY over weeks of rows is tens of
-- times cheaper than sorting them per station. Deliberately a plain view, not materialized: a
-- materialized view may answer up to its maxStaleness late, and "what is true now" is the one
-- figure that must be fresh (publish-to-visible is a target); this query is cheap enough live.
WITH newest AS (
  SELECT station_id, MAX(COALESCE(event_ts, ingest_ts)) AS snapshot_ts
  FROM pmp_curated.velib_station_status
  GROUP BY station_id
)
SELECT * EXCEPT (latest_rank)
FROM (
  SELECT
    s.*,
    n.snapshot_ts,
    ROW_NUMBER() OVER (PARTITION BY s.station_id ORDER BY s.ingest_ts) AS latest_rank
  FROM pmp_curated.velib_station_status AS s
  JOIN newest AS n
    ON s.station_id = n.station_id AND COALESCE(s.event_ts, s.ingest_ts) = n.snapshot_ts
)
WHERE latest_rank = 1

-- materialized: true
-- Per station, when its current empty, full and not-renting streaks began: the first snapshot
-- after the last one without the problem (NULL start = no snapshot since the last good one, i.e.
-- no streak). One row per station ever seen. velib_station_alerts keeps the streaks that apply now. MIN/MAX of snapshot times,
-- which a duplicated row cannot move, so the curated table is read without de-duplication.
-- Materialized (sql/README.md): two passes over the whole history, needed once per write, not
-- once per dashboard call.
WITH last_good AS (
  SELECT
    station_id,
    MAX(IF(num_bikes_available > 0, COALESCE(event_ts, ingest_ts), NULL)) AS last_not_empty_ts,
    MAX(
      IF(num_docks_available > 0 OR num_bikes_available = 0, COALESCE(event_ts, ingest_ts), NULL)
    ) AS last_not_full_ts,
    MAX(IF(is_renting = 1, COALESCE(event_ts, ingest_ts), NULL)) AS last_renting_ts
  FROM pmp_curated.velib_station_status
  GROUP BY station_id
)
-- The table is named twice rather than through a shared CTE: a CTE read twice is materialized by
-- some engines (DuckDB copies every row of it), while two scans of the table stream.
SELECT
  h.station_id,
  MIN(IF(h.snapshot_ts > IFNULL(g.last_not_empty_ts, TIMESTAMP '1970-01-01'), h.snapshot_ts, NULL)) AS empty_since_ts,
  MIN(IF(h.snapshot_ts > IFNULL(g.last_not_full_ts, TIMESTAMP '1970-01-01'), h.snapshot_ts, NULL)) AS full_since_ts,
  MIN(IF(h.snapshot_ts > IFNULL(g.last_renting_ts, TIMESTAMP '1970-01-01'), h.snapshot_ts, NULL)) AS not_renting_since_ts
FROM (
  SELECT station_id, COALESCE(event_ts, ingest_ts) AS snapshot_ts
  FROM pmp_curated.velib_station_status
) AS h
JOIN last_good AS g USING (station_id)
GROUP BY h.station_id

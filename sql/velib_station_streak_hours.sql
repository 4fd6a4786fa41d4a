-- materialized: true
-- Per station and hour of snapshot time (whole hours since the epoch, UTC), the pieces
-- velib_station_streaks needs to find when each current empty, full and not-renting streak began:
-- the hour's first snapshot, its last snapshot without the problem, and the first snapshot after
-- that one within the hour. MIN/MAX of snapshot times, which a duplicated row cannot move, so the
-- curated table is read without de-duplication. Materialized (sql/README.md) and grouped by
-- (station, hour) with every window partitioned the same way: a new snapshot only touches its own
-- hour of each station, so the BigQuery emulator refreshes it incrementally, and the per-station
-- answer over ~170 rows a station a week is cheap to compute on every read.
SELECT
  station_id,
  hour_index,
  MIN(snapshot_ts) AS first_ts,
  MAX(last_not_empty_ts) AS last_not_empty_ts,
  MIN(IF(snapshot_ts > IFNULL(last_not_empty_ts, TIMESTAMP '1970-01-01'), snapshot_ts, NULL)) AS empty_after_ts,
  MAX(last_not_full_ts) AS last_not_full_ts,
  MIN(IF(snapshot_ts > IFNULL(last_not_full_ts, TIMESTAMP '1970-01-01'), snapshot_ts, NULL)) AS full_after_ts,
  MAX(last_renting_ts) AS last_renting_ts,
  MIN(IF(snapshot_ts > IFNULL(last_renting_ts, TIMESTAMP '1970-01-01'), snapshot_ts, NULL)) AS not_renting_after_ts
FROM (
  SELECT
    station_id,
    hour_index,
    snapshot_ts,
    MAX(IF(num_bikes_available > 0, snapshot_ts, NULL)) OVER (PARTITION BY station_id, hour_index) AS last_not_empty_ts,
    MAX(IF(num_docks_available > 0 OR num_bikes_available = 0, snapshot_ts, NULL)) OVER (PARTITION BY station_id, hour_index) AS last_not_full_ts,
    MAX(IF(is_renting = 1, snapshot_ts, NULL)) OVER (PARTITION BY station_id, hour_index) AS last_renting_ts
  FROM (
    SELECT
      station_id,
      num_bikes_available,
      num_docks_available,
      is_renting,
      COALESCE(event_ts, ingest_ts) AS snapshot_ts,
      -- Integer arithmetic, computed once per row: a time-zone aware truncation costs ~10× more
      -- in DuckDB, and microseconds are what a timestamp holds (no rounding to seconds first).
      DIV(UNIX_MICROS(COALESCE(event_ts, ingest_ts)), 3600000000) AS hour_index
    FROM pmp_curated.velib_station_status
  )
)
GROUP BY station_id, hour_index

-- Stations that need someone's attention, one row per station and alert:
--   empty          installed and renting, no bike for more than 30 minutes
--   full           installed and returning, no free dock for more than 30 minutes
--   not_reporting  installed, last report more than an hour old
--   not_renting    installed but not renting (since the first snapshot of the current streak)
-- A streak starts at the first snapshot after the last one that did not have the problem, so one
-- good snapshot resets it. "Now" is the newest snapshot in the data, not the wall clock, so a
-- replayed or recorded history gives the same alerts as it did live, and the view is testable.
WITH as_of AS (
  SELECT MAX(snapshot_ts) AS as_of_ts
  FROM pmp_marts.velib_station_status_dedup
),
last_good AS (
  SELECT
    station_id,
    MAX(IF(num_bikes_available > 0, snapshot_ts, NULL)) AS last_not_empty_ts,
    MAX(IF(num_docks_available > 0 OR num_bikes_available = 0, snapshot_ts, NULL)) AS last_not_full_ts,
    MAX(IF(is_renting = 1, snapshot_ts, NULL)) AS last_renting_ts
  FROM pmp_marts.velib_station_status_dedup
  GROUP BY station_id
),
streaks AS (
  SELECT
    d.station_id,
    MIN(IF(d.snapshot_ts > IFNULL(g.last_not_empty_ts, TIMESTAMP '1970-01-01'), d.snapshot_ts, NULL)) AS empty_since_ts,
    MIN(IF(d.snapshot_ts > IFNULL(g.last_not_full_ts, TIMESTAMP '1970-01-01'), d.snapshot_ts, NULL)) AS full_since_ts,
    MIN(IF(d.snapshot_ts > IFNULL(g.last_renting_ts, TIMESTAMP '1970-01-01'), d.snapshot_ts, NULL)) AS not_renting_since_ts
  FROM pmp_marts.velib_station_status_dedup AS d
  JOIN last_good AS g USING (station_id)
  GROUP BY d.station_id
),
candidates AS (
  SELECT 'empty' AS alert_type, s.station_id, k.empty_since_ts AS since_ts
  FROM pmp_marts.velib_latest_state AS s
  JOIN streaks AS k USING (station_id)
  WHERE s.num_bikes_available = 0 AND s.is_installed = 1 AND s.is_renting = 1
  UNION ALL
  SELECT 'full', s.station_id, k.full_since_ts
  FROM pmp_marts.velib_latest_state AS s
  JOIN streaks AS k USING (station_id)
  WHERE s.num_docks_available = 0 AND s.num_bikes_available > 0 AND s.is_installed = 1 AND s.is_returning = 1
  UNION ALL
  SELECT 'not_reporting', s.station_id, COALESCE(s.last_reported_ts, s.snapshot_ts)
  FROM pmp_marts.velib_latest_state AS s
  WHERE s.is_installed = 1
  UNION ALL
  SELECT 'not_renting', s.station_id, k.not_renting_since_ts
  FROM pmp_marts.velib_latest_state AS s
  JOIN streaks AS k USING (station_id)
  WHERE s.is_installed = 1 AND s.is_renting = 0
)
SELECT
  c.alert_type,
  c.station_id,
  e.station_code,
  e.name,
  e.lat,
  e.lon,
  e.num_bikes_available,
  e.num_docks_available,
  c.since_ts,
  DIV(TIMESTAMP_DIFF(a.as_of_ts, c.since_ts, SECOND), 60) AS duration_minutes,
  a.as_of_ts
FROM candidates AS c
CROSS JOIN as_of AS a
LEFT JOIN pmp_marts.velib_latest_state_enriched AS e USING (station_id)
WHERE
  (c.alert_type IN ('empty', 'full') AND TIMESTAMP_DIFF(a.as_of_ts, c.since_ts, SECOND) > 30 * 60)
  OR (c.alert_type = 'not_reporting' AND TIMESTAMP_DIFF(a.as_of_ts, c.since_ts, SECOND) > 60 * 60)
  OR c.alert_type = 'not_renting'

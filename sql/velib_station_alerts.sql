-- Stations that need someone's attention, one row per station and alert:
--   empty          installed and renting, no bike for more than 30 minutes
--   full           installed and returning, no free dock for more than 30 minutes
--   not_reporting  installed, last report more than an hour old
--   not_renting    installed but not renting (since the first snapshot of the current streak)
-- A streak starts at the first snapshot after the last one that did not have the problem, so one
-- good snapshot resets it. "Now" is the newest snapshot in the data, not the wall clock, so a
-- replayed or recorded history gives the same alerts as it did live, and the view is testable.
-- The streaks come from velib_station_streaks (materialized), the state from the latest state.
WITH now_state AS (
  SELECT
    e.*,
    k.empty_since_ts,
    k.full_since_ts,
    k.not_renting_since_ts,
    MAX(e.snapshot_ts) OVER () AS as_of_ts
  FROM pmp_marts.velib_latest_state_enriched AS e
  JOIN pmp_marts.velib_station_streaks AS k USING (station_id)
),
candidates AS (
  SELECT
    n.*,
    alert_type,
    CASE alert_type
      WHEN 'empty' THEN n.empty_since_ts
      WHEN 'full' THEN n.full_since_ts
      WHEN 'not_reporting' THEN COALESCE(n.last_reported_ts, n.snapshot_ts)
      ELSE n.not_renting_since_ts
    END AS since_ts,
    CASE alert_type
      WHEN 'empty' THEN n.num_bikes_available = 0 AND n.is_installed = 1 AND n.is_renting = 1
      WHEN 'full' THEN n.num_docks_available = 0 AND n.num_bikes_available > 0 AND n.is_installed = 1 AND n.is_returning = 1
      WHEN 'not_reporting' THEN n.is_installed = 1
      ELSE n.is_installed = 1 AND n.is_renting = 0
    END AS applies
  FROM now_state AS n
  CROSS JOIN UNNEST(['empty', 'full', 'not_reporting', 'not_renting']) AS alert_type
)
SELECT
  alert_type,
  station_id,
  station_code,
  name,
  lat,
  lon,
  num_bikes_available,
  num_docks_available,
  since_ts,
  DIV(TIMESTAMP_DIFF(as_of_ts, since_ts, SECOND), 60) AS duration_minutes,
  as_of_ts
FROM candidates
WHERE
  applies
  AND (
    (alert_type IN ('empty', 'full') AND TIMESTAMP_DIFF(as_of_ts, since_ts, SECOND) > 30 * 60)
    OR (alert_type = 'not_reporting' AND TIMESTAMP_DIFF(as_of_ts, since_ts, SECOND) > 60 * 60)
    OR alert_type = 'not_renting'
  )

-- Per station, when its current empty, full and not-renting streaks began: the first snapshot
-- after the last one without the problem (NULL start = no snapshot since the last good one, i.e.
-- no streak). One row per station ever seen. velib_station_alerts keeps the streaks that apply now.
-- Put together from velib_station_streak_hours (materialized, per station and hour): the last good
-- snapshot is the latest of the hours' last good ones; the streak starts at the first snapshot
-- after it within its hour, or else at the first snapshot of the next hour that has any. Hours are
-- disjoint, so every hour after the good one starts after it, and every hour before ends before it.
WITH hours AS (
  SELECT
    *,
    MAX(last_not_empty_ts) OVER (PARTITION BY station_id) AS station_last_not_empty_ts,
    MAX(last_not_full_ts) OVER (PARTITION BY station_id) AS station_last_not_full_ts,
    MAX(last_renting_ts) OVER (PARTITION BY station_id) AS station_last_renting_ts
  FROM pmp_marts.velib_station_streak_hours
)
SELECT
  station_id,
  MIN(
    CASE
      WHEN station_last_not_empty_ts IS NULL THEN empty_after_ts
      WHEN first_ts > station_last_not_empty_ts THEN first_ts
      WHEN last_not_empty_ts = station_last_not_empty_ts THEN empty_after_ts
    END
  ) AS empty_since_ts,
  MIN(
    CASE
      WHEN station_last_not_full_ts IS NULL THEN full_after_ts
      WHEN first_ts > station_last_not_full_ts THEN first_ts
      WHEN last_not_full_ts = station_last_not_full_ts THEN full_after_ts
    END
  ) AS full_since_ts,
  MIN(
    CASE
      WHEN station_last_renting_ts IS NULL THEN not_renting_after_ts
      WHEN first_ts > station_last_renting_ts THEN first_ts
      WHEN last_renting_ts = station_last_renting_ts THEN not_renting_after_ts
    END
  ) AS not_renting_since_ts
FROM hours
GROUP BY station_id

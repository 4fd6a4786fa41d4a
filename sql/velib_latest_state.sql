-- The current state of every station: its most recent snapshot.
SELECT * EXCEPT (rn)
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY station_id
      ORDER BY snapshot_ts DESC, ingest_ts DESC
    ) AS rn
  FROM pmp_marts.velib_station_status_dedup
)
WHERE rn = 1

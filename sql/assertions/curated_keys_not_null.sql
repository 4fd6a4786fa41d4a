-- severity: error
-- description: Every curated row has a non-blank station_id and an ingest_ts (the keys of every mart).
SELECT station_id, ingest_ts, event_ts
FROM pmp_curated.velib_station_status
WHERE ingest_ts >= TIMESTAMP(@since)
  -- A blank id sorts below '!' (space, tab and newline do): the cheap comparison runs on every
  -- row, TRIM only on the few that pass it.
  AND (station_id IS NULL OR (station_id < '!' AND TRIM(station_id) = '') OR ingest_ts IS NULL)
UNION ALL
-- A null ingest_ts cannot fall inside the window, so it is looked for on its own.
SELECT station_id, ingest_ts, event_ts
FROM pmp_curated.velib_station_status
WHERE ingest_ts IS NULL

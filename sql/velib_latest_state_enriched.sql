-- Latest status joined with latest metadata: what the map and the station tooltips show.
-- fill_ratio uses bikes + docks as the denominator, not capacity: 12 real stations report more
-- bikes than their capacity (overflow parking) and 16 have capacity 0.
SELECT
  s.*,
  i.name,
  i.lat,
  i.lon,
  i.capacity,
  i.address,
  i.post_code,
  SAFE_DIVIDE(s.num_bikes_available, s.num_bikes_available + s.num_docks_available) AS fill_ratio
FROM pmp_marts.velib_latest_state AS s
LEFT JOIN pmp_marts.velib_station_information_latest AS i
  USING (station_id)

-- Hourly totals with the share of the network that reported. The denominator is the station list
-- of the information feed; before any information snapshot arrived, the most stations ever seen
-- reporting stands in, so coverage is never silently NULL.
SELECT
  base.*,
  DATETIME(base.hour_ts_paris, 'Europe/Paris') AS hour_paris,
  info.stations_in_information,
  SAFE_DIVIDE(
    base.avg_stations_reporting,
    COALESCE(NULLIF(info.stations_in_information, 0), base.total_stations_known)
  ) AS avg_coverage_ratio
FROM pmp_marts.velib_totals_hourly_aggregate AS base
CROSS JOIN (
  SELECT COUNT(DISTINCT station_id) AS stations_in_information
  FROM pmp_curated.velib_station_information
) AS info

-- The newest data-quality result of each assertion (sql/assertions, run by `pmp quality` and the
-- hourly pmp-data-quality job) and when it last passed, for the dashboard's "Data quality" panel.
-- An assertion that has never passed has a null last_passed_ts.
SELECT r.assertion, r.severity, r.passed, r.failing_rows, r.error_message, r.sample,
  r.run_ts AS checked_ts, r.trigger, p.last_passed_ts
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY assertion ORDER BY run_ts DESC) AS newest
  FROM pmp_ops.data_quality_results
) AS r
LEFT JOIN (
  SELECT assertion, MAX(run_ts) AS last_passed_ts
  FROM pmp_ops.data_quality_results
  WHERE passed
  GROUP BY assertion
) AS p USING (assertion)
WHERE r.newest = 1

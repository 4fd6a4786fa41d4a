import type { BigQuery } from '@google-cloud/bigquery';
import { dataQualityResultsTable, type RowOf } from '../../core/warehouse/index.js';
import type { QualityRun } from './run-assertions.js';

export type ResultRow = RowOf<typeof dataQualityResultsTable>;
export type Trigger = 'cli' | 'scheduler';

/** The run as rows of `pmp_ops.data_quality_results`, one per assertion (skipped ones left out). */
export function resultRows(run: QualityRun, trigger: Trigger): ResultRow[] {
  return run.results
    .filter((r) => r.status !== 'skipped')
    .map((r) => ({
      run_ts: run.runTs.toISOString(),
      run_id: run.runId,
      trigger,
      assertion: r.name,
      severity: r.severity,
      passed: r.status === 'passed',
      failing_rows: r.failingRows,
      sample: r.sample.length > 0 ? JSON.stringify(r.sample) : null,
      error_message: r.errorMessage,
      duration_ms: r.durationMs,
    }));
}

/** Appends the run's rows (insertId `<run>:<assertion>`, so a retried insert lands once). */
export async function recordRun(
  bigquery: BigQuery,
  run: QualityRun,
  trigger: Trigger,
): Promise<number> {
  const rows = resultRows(run, trigger);
  if (rows.length === 0) return 0;
  await bigquery
    .dataset(dataQualityResultsTable.datasetId)
    .table(dataQualityResultsTable.tableId)
    .insert(
      rows.map((row) => ({ insertId: `${row.run_id}:${row.assertion}`, json: row })),
      { raw: true },
    );
  return rows.length;
}

import type { AssertionResult, QualityRun } from '../../services/data-quality/index.js';
import { formatTable } from '../stack/format-table.js';

/** Widest sample cell printed; the full rows are in the results table. */
const SAMPLE_CHARS = 100;

function sampleOf(result: AssertionResult): string {
  if (result.errorMessage) return `query failed: ${result.errorMessage}`.slice(0, SAMPLE_CHARS);
  if (result.status === 'skipped') return 'skipped: nothing is being collected';
  const first = result.sample[0];
  if (!first) return '';
  const text = Object.entries(first)
    .map(([key, value]) => `${key}=${value === null ? 'null' : String(value)}`)
    .join(' ');
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS - 1)}…` : text;
}

/** The run as `pmp quality` prints it: one line per assertion, then a summary. */
export function formatQualityRun(run: QualityRun): string {
  const rows = run.results.map((r) => [
    r.status === 'passed'
      ? 'ok'
      : r.status === 'skipped'
        ? 'skip'
        : r.severity === 'error'
          ? 'FAIL'
          : 'warn',
    r.name,
    r.severity,
    r.failingRows === null ? '–' : String(r.failingRows),
    sampleOf(r),
  ]);
  const failed = run.results.filter((r) => r.status === 'failed');
  const errors = failed.filter((r) => r.severity === 'error').length;
  const summary =
    `${run.results.length} assertions since ${run.since.toISOString()}: ` +
    `${run.results.filter((r) => r.status === 'passed').length} passed, ${errors} error(s), ` +
    `${failed.length - errors} warning(s), ${run.results.filter((r) => r.status === 'skipped').length} skipped`;
  return `${formatTable(['', 'assertion', 'severity', 'failing rows', 'sample'], rows)}\n\n${summary}`;
}

import type { BigQuery } from '@google-cloud/bigquery';
import { plainValue, type PlainValue } from '../shared/plain-value.js';
import type { Assertion, Severity } from './assertions.js';

/** Offending rows kept per failed assertion (printed, stored as `sample`). */
export const SAMPLE_ROWS = 5;
/** Assertions run at once: BigQuery runs them in parallel; the emulator queues them. */
export const CONCURRENCY = 4;
/** The default window: the last day, which is what the hourly scheduled run re-checks. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

export type SampleRow = Record<string, PlainValue>;

export interface AssertionResult {
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Null when the query itself failed or was skipped. */
  readonly failingRows: number | null;
  readonly sample: readonly SampleRow[];
  readonly errorMessage: string | null;
  readonly durationMs: number;
}

export interface QualityRun {
  readonly runId: string;
  readonly runTs: Date;
  readonly since: Date;
  readonly results: readonly AssertionResult[];
}

export interface RunOptions {
  readonly bigquery: BigQuery;
  readonly assertions: readonly Assertion[];
  /** The end of the window and the freshness reference. */
  readonly now: Date;
  /** @default now − 24 h */
  readonly since?: Date;
  /** False when nothing is being collected (scheduler paused): `needs: collecting` is skipped. @default true */
  readonly collecting?: boolean;
  /** @default a random UUID */
  readonly runId?: string;
}

const COUNT_COLUMN = 'dq_failing_rows';

/**
 * One query per assertion: its offending rows counted over all of them (a window count) and the
 * first few kept, so a failure costs no second scan.
 */
function wrapped(assertion: Assertion): string {
  return `SELECT COUNT(*) OVER () AS ${COUNT_COLUMN}, offending.*
FROM (
${assertion.query}
) AS offending
LIMIT ${SAMPLE_ROWS}`;
}

async function runOne(
  bigquery: BigQuery,
  assertion: Assertion,
  params: { now: string; since: string },
  collecting: boolean,
): Promise<AssertionResult> {
  const base = {
    name: assertion.name,
    severity: assertion.severity,
    description: assertion.description,
  };
  if (assertion.needsCollecting && !collecting) {
    return {
      ...base,
      status: 'skipped',
      failingRows: null,
      sample: [],
      errorMessage: null,
      durationMs: 0,
    };
  }
  const started = performance.now();
  try {
    const [rows] = await bigquery.query({ query: wrapped(assertion), params, useLegacySql: false });
    const sample = (rows as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(
        Object.entries(row)
          .filter(([key]) => key !== COUNT_COLUMN)
          .map(([key, value]) => [key, plainValue(value)]),
      ),
    );
    const failingRows = Number(
      (rows[0] as Record<string, unknown> | undefined)?.[COUNT_COLUMN] ?? 0,
    );
    return {
      ...base,
      status: failingRows === 0 ? 'passed' : 'failed',
      failingRows,
      sample,
      errorMessage: null,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    // A query that cannot run proves nothing: it counts as a failure of its severity.
    return {
      ...base,
      status: 'failed',
      failingRows: null,
      sample: [],
      errorMessage: error instanceof Error ? error.message : String(error),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

/** Runs every assertion (a few at a time) and returns their results in the assertions' order. */
export async function runAssertions(options: RunOptions): Promise<QualityRun> {
  const since = options.since ?? new Date(options.now.getTime() - DEFAULT_WINDOW_MS);
  const params = { now: options.now.toISOString(), since: since.toISOString() };
  const collecting = options.collecting ?? true;
  const results: AssertionResult[] = new Array<AssertionResult>(options.assertions.length);
  let next = 0;
  const worker = async () => {
    while (next < options.assertions.length) {
      const index = next++;
      results[index] = await runOne(
        options.bigquery,
        options.assertions[index]!,
        params,
        collecting,
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return {
    runId: options.runId ?? crypto.randomUUID(),
    runTs: options.now,
    since,
    results,
  };
}

/** A failed `error` assertion fails the run (exit code, HTTP status); warnings do not. */
export function failedErrors(run: QualityRun): AssertionResult[] {
  return run.results.filter((r) => r.status === 'failed' && r.severity === 'error');
}

import {
  failedErrors,
  readAssertions,
  recordRun,
  runAssertions,
  type QualityRun,
} from '../../services/data-quality/index.js';
import { dlqClientsFor, type DlqTargetOptions } from '../dlq/target.js';

export interface QualityOptions extends DlqTargetOptions {
  /** Start of the window checked. @default 24 hours before now */
  readonly since?: Date;
  /** False skips the assertions that need the collector running (freshness). @default true */
  readonly collecting?: boolean;
  /** Write the run to pmp_ops.data_quality_results. @default true */
  readonly record?: boolean;
  /** @default new Date() */
  readonly now?: Date;
}

export interface QualityOutcome {
  readonly run: QualityRun;
  /** Rows written to the results table. */
  readonly recorded: number;
  /** 1 when an `error` assertion failed. */
  readonly exitCode: number;
}

/**
 * `pmp quality`: every sql/assertions check against the local stack (default) or a project, the
 * run recorded in `pmp_ops.data_quality_results` as the scheduled run records it.
 */
export async function runQuality(options: QualityOptions = {}): Promise<QualityOutcome> {
  const clients = await dlqClientsFor(options);
  try {
    const run = await runAssertions({
      bigquery: clients.bigquery,
      assertions: readAssertions(),
      now: options.now ?? new Date(),
      since: options.since,
      collecting: options.collecting,
    });
    const recorded = options.record === false ? 0 : await recordRun(clients.bigquery, run, 'cli');
    return { run, recorded, exitCode: failedErrors(run).length > 0 ? 1 : 0 };
  } finally {
    await clients.close();
  }
}

import {
  figuresFromCounters,
  figuresFromFiles,
  type FileModeFigures,
} from '../file-mode/file-mode-figures.js';
import { ndjsonPipeline } from '../file-mode/ndjson-pipeline.js';
import { putDlqInInputOrder } from './dlq-input-order.js';
import { runQuietly } from './quiet-run.js';
import { createPortableRunner, type PortableRunnerName } from './runners.js';

export interface CurateFileOnRunnerOptions {
  readonly input: string;
  /** Created or truncated by the caller; the rows sink appends to it. */
  readonly output: string;
  /** Created or truncated by the caller; the DLQ sink appends to it. */
  readonly dlq: string;
  readonly fixedNow: string | null;
}

/**
 * File mode's single-thread pipeline (`ndjsonPipeline`, the one `--workers 1` runs in process) as
 * one job on a real Beam runner, its TypeScript workers in LOOPBACK in this process, so the sinks
 * write the very files the DirectRunner would (the DLQ records put back in input order afterwards,
 * `dlq-input-order.ts`). The figures are the job's user counters when the
 * runner reports them (the Python job service does); Beam's Flink runner reports none for a
 * TypeScript pipeline, so there they are counted from the files (`figuresFrom: 'files'`).
 * Provisioning the runner (venv, jars) on first use may throw a ToolchainError.
 */
export async function curateFileOnRunner(
  runnerName: PortableRunnerName,
  options: CurateFileOnRunnerOptions,
): Promise<FileModeFigures> {
  const runner = await createPortableRunner(runnerName);
  const pipeline = ndjsonPipeline({
    inputPath: options.input,
    rowsPath: options.output,
    dlqPath: options.dlq,
    fixedNow: options.fixedNow,
  });
  await runQuietly(() => runner.run(pipeline));
  putDlqInInputOrder(options.dlq);
  const reported = runner.reportedUserCounters();
  return reported.from === null
    ? figuresFromFiles(options.input, options.output, options.dlq)
    : figuresFromCounters(reported.counters);
}

import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { FileModeFigures } from './file-mode-figures.js';
import type { RunnerName } from '../portable/runner-names.js';
import { ToolchainError } from '../portable/toolchain-cache.js';

export interface CurateFileOptions {
  /** NDJSON file of event envelopes, one per line (blank lines are skipped). */
  readonly input: string;
  /** NDJSON file of curated rows (created or truncated). */
  readonly output: string;
  /** NDJSON file of DLQ records (created or truncated). */
  readonly dlq: string;
  /** @default null (wall clock for `dlq_ts`) */
  readonly fixedNow?: string | null;
  /**
   * Threads curating at once: 1 runs the pipeline once in this thread; more cut the input into
   * ranges of lines curated by this thread and worker threads, the output written in input order
   * (the same bytes as with 1).
   * @default defaultFileModeWorkers(), but no more threads than MIN_BYTES_PER_WORKER-sized shares
   *   of the input: a worker thread first spends ~0.4 s of CPU loading core and the Beam SDK
   *   (docs/PERFORMANCE.md)
   */
  readonly workers?: number;
  /** Bytes of input per range when several threads curate. @default 8 ranges per thread, 2–16 MiB */
  readonly rangeBytes?: number;
  /** Called as ranges are written when several threads curate: ranges written, ranges in all. */
  readonly onProgress?: (written: number, total: number) => void;
  /**
   * Where the pipeline runs: `direct` in process; `portable` (Beam's Python job service) and
   * `flink` (an embedded Flink) are real Beam runners, provisioned on first use, one job on one
   * thread (`workers` must be 1). The files are the same bytes on all three.
   * @default 'direct'
   */
  readonly runner?: RunnerName;
}

/** Most threads file mode uses: past this, writing in order and memory outweigh the gain. */
export const MAX_FILE_MODE_WORKERS = 8;

/** One thread per core the process may use, at most MAX_FILE_MODE_WORKERS. */
export function defaultFileModeWorkers(): number {
  return Math.max(1, Math.min(MAX_FILE_MODE_WORKERS, availableParallelism()));
}

/**
 * Input a thread must have to itself before file mode starts one by default: below it, loading the
 * SDK in a worker costs about what curating its share would, and this thread is done first anyway.
 */
export const MIN_BYTES_PER_WORKER = 16 << 20;

/** A run's figures (user counters, or on Flink the files: `figuresFrom`), runner and wall time. */
export interface CurateFileSummary extends FileModeFigures {
  readonly runner: RunnerName;
  readonly elapsedMs: number;
}

/** An input or output file that cannot be used; the message names the option and the path. */
export class CurateFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CurateFileError';
  }
}

function reason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    const known: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      ENOTDIR: 'a parent is not a directory',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on device',
    };
    const message = error instanceof Error ? error.message : code;
    return `${known[code] ?? message} (${code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

function checkInput(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new CurateFileError(`cannot read --input ${path}: ${reason(error)}`, { cause: error });
  }
}

function truncateOutput(option: string, path: string): void {
  try {
    writeFileSync(path, '');
  } catch (error) {
    throw new CurateFileError(`cannot write ${option} ${path}: ${reason(error)}`, { cause: error });
  }
}

/**
 * File mode, as the original's local mode: NDJSON envelopes in, NDJSON curated rows and DLQ
 * records out, through the curated composite on the runner `runner` names (createRunner).
 * Every non-blank input line ends as rows, a DLQ record or an ignored (other event type) snapshot;
 * the summary says how many. A runner that cannot be provisioned throws a ToolchainError.
 */
export async function curateFile(options: CurateFileOptions): Promise<CurateFileSummary> {
  const runner = options.runner ?? 'direct';
  const workers = checkedOptions(options, runner);
  truncateOutput('--output', options.output);
  truncateOutput('--dlq', options.dlq);
  try {
    // The job's modules load (and a real runner is provisioned) before the clock starts.
    const job = await prepareJob(options, runner, workers);
    const started = performance.now();
    const figures = await job();
    return { ...figures, runner, elapsedMs: performance.now() - started };
  } catch (error) {
    if (error instanceof ToolchainError) throw error;
    throw new CurateFileError(`curate pipeline failed: ${reason(error)}`, { cause: error });
  }
}

/** Checks the files and the options against each other; returns the threads to curate on. */
function checkedOptions(options: CurateFileOptions, runner: RunnerName): number {
  if (runner !== 'direct' && options.workers !== undefined && options.workers !== 1) {
    throw new CurateFileError(
      `--workers must be 1 with --runner ${runner} (one job on one thread), got ${options.workers}`,
    );
  }
  checkInput(options.input);
  const outputs = new Set([options.output, options.dlq]);
  if (outputs.size < 2) throw new CurateFileError('--output and --dlq must be different files');
  if (outputs.has(options.input)) {
    throw new CurateFileError('--input must not be the same file as --output or --dlq');
  }
  const workers =
    options.workers ??
    (runner !== 'direct' ? 1 : undefined) ??
    Math.max(
      1,
      Math.min(
        defaultFileModeWorkers(),
        Math.floor(statSync(options.input).size / MIN_BYTES_PER_WORKER),
      ),
    );
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_FILE_MODE_WORKERS) {
    throw new CurateFileError(
      `--workers must be an integer from 1 to ${MAX_FILE_MODE_WORKERS}, got ${workers}`,
    );
  }
  return workers;
}

/**
 * The run, ready to start: file mode's one pipeline (`ndjsonPipeline`) on the runner named, or on
 * several threads each curating line ranges on a DirectRunner of its own. Modules load here, on
 * first use, so that importing this module (as `pmp` does for every command, to describe
 * `curate`'s flags) loads no Beam SDK. On several threads this thread loads the SDK only once the
 * workers are started (file-mode-parallel.ts), so that load is in the run.
 */
async function prepareJob(
  options: CurateFileOptions,
  runnerName: RunnerName,
  workers: number,
): Promise<() => Promise<FileModeFigures>> {
  const { figuresFromCounters, figuresFromFiles } = await import('./file-mode-figures.js');
  const files = {
    input: options.input,
    output: options.output,
    dlq: options.dlq,
    fixedNow: options.fixedNow ?? null,
  };
  if (workers > 1) {
    const { curateFileParallel } = await import('./file-mode-parallel.js');
    return async () =>
      figuresFromCounters(
        await curateFileParallel({
          ...files,
          threads: workers,
          ...(options.rangeBytes === undefined ? {} : { rangeBytes: options.rangeBytes }),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        }),
      );
  }
  const [{ createRunner }, { ndjsonPipeline }, { putDlqInInputOrder }] = await Promise.all([
    import('../create-runner.js'),
    import('./ndjson-pipeline.js'),
    import('./dlq-input-order.js'),
  ]);
  const runner = await createRunner(runnerName);
  const pipeline = ndjsonPipeline({
    inputPath: files.input,
    rowsPath: files.output,
    dlqPath: files.dlq,
    fixedNow: files.fixedNow,
  });
  return async () => {
    const counters = await runner.run(pipeline);
    if (!runner.keepsInputOrder) putDlqInInputOrder(files.dlq);
    // Beam's Flink runner reports no user counters for a TypeScript pipeline: count the files.
    return counters === null
      ? figuresFromFiles(files.input, files.output, files.dlq)
      : figuresFromCounters(counters);
  };
}

import { statSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { fileModeWorkerBundle } from './file-mode-worker-bundle.js';
import { InOrderOutput } from './in-order-output.js';
import type { LineRange } from './ndjson-io.js';
import { splitIntoLineRanges } from './line-ranges.js';
import type { RangeOutput } from './range-pipeline.js';
import { startTsWorker } from '../../runtime/ts-worker.js';

/*
 * File mode over several threads. The input is cut into contiguous ranges of whole lines; this
 * thread and `threads - 1` worker threads each take the next unclaimed range from a shared counter
 * and curate it with the same composite on their own DirectRunner, and this thread writes every
 * range's rows and DLQ lines in input order as they become available, so the files are byte for
 * byte those of a one-thread run. The workers start first, then this thread loads the SDK and the
 * pipeline (range-pipeline.ts, imported here rather than at the top) and curates at once: a worker
 * first loads core and the Beam SDK (~0.4 s of CPU, docs/PERFORMANCE.md; seconds of wall time on a
 * busy machine), on the other core while this thread loads its own, and a small input may be done
 * before any worker is ready, in which case the workers are stopped unused.
 */

/** @internal what a worker thread is given */
export interface FileModeWorkerInput {
  readonly path: string;
  readonly ranges: readonly LineRange[];
  /** Int32 at 0: the index of the next unclaimed range (Atomics.add). */
  readonly nextRange: SharedArrayBuffer;
  readonly fixedNow: string | null;
}

/** @internal what a worker thread reports */
export type FileModeWorkerReport =
  ({ type: 'range'; index: number } & RangeOutput) | { type: 'failed'; message: string };

export interface ParallelCurateOptions {
  readonly input: string;
  /** Existing (truncated) output files; lines are appended. */
  readonly output: string;
  readonly dlq: string;
  readonly fixedNow: string | null;
  /** Threads curating at once, this one included (≥ 2). */
  readonly threads: number;
  /** Size of a range. @default the input split in 8 ranges per thread, between 2 and 16 MiB */
  readonly rangeBytes?: number;
  /** Called after each range is written, with the ranges written so far and in total. */
  readonly onProgress?: (written: number, total: number) => void;
  /**
   * false: this thread only writes, the worker threads curate every range (tests use it to be
   * sure workers run and finish out of order). @default true
   */
  readonly curateInThisThread?: boolean;
  /**
   * Start workers on a JavaScript bundle of their modules (`fileModeWorkerBundle`) rather than on
   * the TypeScript sources through tsx. @default true
   */
  readonly bundleWorker?: boolean;
}

const MiB = 1 << 20;

function defaultRangeBytes(inputBytes: number, threads: number): number {
  return Math.min(16 * MiB, Math.max(2 * MiB, Math.ceil(inputBytes / (threads * 8))));
}

/**
 * Young generation of a worker thread, MiB. Each snapshot in flight (its parsed document and rows,
 * a few MB) survives the scavenges that run while it is processed; with V8's default (16 MiB
 * semi-spaces) a scavenge runs every ~14 MB of allocation and GC took ~25 % of the CPU. A worker
 * is the one place where this can be set without a command-line flag.
 */
const WORKER_YOUNG_GENERATION_MB = 96;

/** Curates `input` over `threads` threads; returns the summed counters of every range's run. */
export async function curateFileParallel(
  options: ParallelCurateOptions,
): Promise<Record<string, number>> {
  const rangeBytes =
    options.rangeBytes ?? defaultRangeBytes(statSync(options.input).size, options.threads);
  const ranges = splitIntoLineRanges(options.input, rangeBytes);
  if (ranges.length === 0) return {};
  const nextRange = new SharedArrayBuffer(4);
  const output = new InOrderOutput(options, ranges.length, options.onProgress);
  const inThisThread = options.curateInThisThread ?? true;
  const workers: Worker[] = [];
  try {
    const count = workerCount(options.threads, ranges.length, inThisThread);
    if (count > 0) {
      const entry = (options.bundleWorker ?? true) ? fileModeWorkerBundle() : null;
      const input = { path: options.input, ranges, nextRange, fixedNow: options.fixedNow };
      for (let i = 0; i < count; i += 1) workers.push(startWorker(entry, input, output));
    }
    if (inThisThread) await curateInThisThread(options, ranges, nextRange, output);
    await output.finished();
    return output.counters;
  } finally {
    // Workers still loading when the last range was written were never needed.
    Atomics.store(new Int32Array(nextRange), 0, ranges.length);
    await Promise.all(workers.map((w) => w.terminate()));
    output.close();
  }
}

/** Worker threads to start: no more than there are ranges for them to take. */
function workerCount(threads: number, ranges: number, inThisThread: boolean): number {
  return inThisThread
    ? Math.min(threads - 1, ranges - 1)
    : Math.max(1, Math.min(threads - 1, ranges));
}

/** A worker thread curating ranges (on the bundle `entry`, or on the sources through tsx). */
function startWorker(entry: URL | null, input: FileModeWorkerInput, output: InOrderOutput): Worker {
  const limits: WorkerOptions = {
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  };
  const worker =
    entry === null
      ? startTsWorker(new URL('./file-mode-worker.ts', import.meta.url), input, limits)
      : new Worker(entry, { ...limits, workerData: { input } });
  worker.on('message', (report: FileModeWorkerReport) => {
    if (report.type === 'failed') output.fail(new Error(report.message));
    else {
      try {
        output.deliver(report.index, report);
      } catch (error) {
        output.fail(error instanceof Error ? error : new Error(String(error)));
      }
    }
  });
  worker.on('error', (error) => output.fail(error));
  worker.on('exit', (code) => {
    if (code !== 0 && !output.complete) {
      output.fail(new Error(`file-mode worker thread exited with code ${code}`));
    }
  });
  return worker;
}

/** This thread curates too, until no range is left unclaimed or the run failed. */
async function curateInThisThread(
  options: ParallelCurateOptions,
  ranges: readonly LineRange[],
  nextRange: SharedArrayBuffer,
  output: InOrderOutput,
): Promise<void> {
  const { curateLineRange } = await import('./range-pipeline.js');
  const next = new Int32Array(nextRange);
  while (!output.failed) {
    const index = Atomics.add(next, 0, 1);
    if (index >= ranges.length) break;
    output.deliver(index, await curateLineRange(options.input, ranges[index]!, options.fixedNow));
    // Let the workers' reports in between two ranges, so their buffers do not pile up.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { fileModeWorkerBundle } from './file-mode-worker-bundle.js';
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

function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  for (const bytes of chunks) {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  }
}

/** Curates `input` over `threads` threads; returns the summed counters of every range's run. */
export async function curateFileParallel(
  options: ParallelCurateOptions,
): Promise<Record<string, number>> {
  const rangeBytes =
    options.rangeBytes ?? defaultRangeBytes(statSync(options.input).size, options.threads);
  const ranges = splitIntoLineRanges(options.input, rangeBytes);
  const counters: Record<string, number> = {};
  if (ranges.length === 0) return counters;

  const nextRange = new SharedArrayBuffer(4);
  const next = new Int32Array(nextRange);
  const pending = new Map<number, RangeOutput>();
  let written = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const wakeUp = () => {
    wake?.();
    wake = null;
  };

  const rowsFd = openSync(options.output, 'a');
  const dlqFd = openSync(options.dlq, 'a');
  /** Takes a range's output and writes every output that is next in input order. */
  const deliver = (index: number, output: RangeOutput) => {
    pending.set(index, output);
    for (let ready = pending.get(written); ready !== undefined; ready = pending.get(written)) {
      pending.delete(written);
      writeAll(rowsFd, ready.rows);
      writeAll(dlqFd, ready.dlq);
      for (const [name, value] of Object.entries(ready.counters)) {
        counters[name] = (counters[name] ?? 0) + value;
      }
      written += 1;
      options.onProgress?.(written, ranges.length);
    }
    if (written === ranges.length) wakeUp();
  };
  const fail = (error: Error) => {
    failure ??= error;
    wakeUp();
  };

  const workers: Worker[] = [];
  const inThisThread = options.curateInThisThread ?? true;
  const workerCount = inThisThread
    ? Math.min(options.threads - 1, ranges.length - 1)
    : Math.max(1, Math.min(options.threads - 1, ranges.length));
  const input: FileModeWorkerInput = {
    path: options.input,
    ranges,
    nextRange,
    fixedNow: options.fixedNow,
  };
  const startWorkers = (entry: URL | null) => {
    const limits: WorkerOptions = {
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    };
    for (let i = 0; i < workerCount; i += 1) {
      const worker =
        entry === null
          ? startTsWorker(new URL('./file-mode-worker.ts', import.meta.url), input, limits)
          : new Worker(entry, { ...limits, workerData: { input } });
      worker.on('message', (report: FileModeWorkerReport) => {
        if (report.type === 'failed') fail(new Error(report.message));
        else {
          try {
            deliver(report.index, report);
          } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
          }
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (code !== 0 && written < ranges.length) {
          fail(new Error(`file-mode worker thread exited with code ${code}`));
        }
      });
      workers.push(worker);
    }
  };
  try {
    if (workerCount > 0)
      startWorkers((options.bundleWorker ?? true) ? fileModeWorkerBundle() : null);

    // This thread curates too, until no range is left unclaimed.
    if (inThisThread) {
      const { curateLineRange } = await import('./range-pipeline.js');
      while (failure === null) {
        const index = Atomics.add(next, 0, 1);
        if (index >= ranges.length) break;
        deliver(index, await curateLineRange(options.input, ranges[index]!, options.fixedNow));
        // Let the workers' reports in between two ranges, so their buffers do not pile up.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (failure === null && written < ranges.length) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (failure !== null) throw failure;
    return counters;
  } finally {
    // Workers still loading when the last range was written were never needed.
    Atomics.store(next, 0, ranges.length);
    await Promise.all(workers.map((w) => w.terminate()));
    closeSync(rowsFd);
    closeSync(dlqFd);
  }
}

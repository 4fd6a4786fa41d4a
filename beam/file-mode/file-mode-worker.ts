// A file-mode worker thread (see file-mode-parallel.ts): claims line ranges from the shared counter
// until none is left, curates each on its own DirectRunner and posts the output bytes back, the
// buffers transferred rather than copied.
import { parentPort, workerData } from 'node:worker_threads';
import type { FileModeWorkerInput, FileModeWorkerReport } from './file-mode-parallel.js';
import { curateLineRange } from './range-pipeline.js';

const port = parentPort!;
const input = (workerData as { input: FileModeWorkerInput }).input;
const next = new Int32Array(input.nextRange);

/** The distinct ArrayBuffers behind `buffers` that can move without a copy. */
function transferable(buffers: readonly Buffer[]): ArrayBuffer[] {
  const owned = new Set<ArrayBuffer>();
  for (const b of buffers) {
    const backing = b.buffer;
    // A slab of Node's buffer pool (Buffer.poolSize bytes) may hold other live buffers: it is
    // copied. The sinks' buffers are 1 MiB (or one huge line) of their own and move.
    if (backing instanceof ArrayBuffer && backing.byteLength > Buffer.poolSize) owned.add(backing);
  }
  return [...owned];
}

try {
  for (;;) {
    const index = Atomics.add(next, 0, 1);
    if (index >= input.ranges.length) break;
    const output = await curateLineRange(input.path, input.ranges[index]!, input.fixedNow);
    const report: FileModeWorkerReport = { type: 'range', index, ...output };
    port.postMessage(report, transferable([...output.rows, ...output.dlq]));
  }
} catch (error) {
  const report: FileModeWorkerReport = {
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
  };
  port.postMessage(report);
}

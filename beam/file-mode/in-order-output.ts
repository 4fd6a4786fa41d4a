import { closeSync, openSync, writeSync } from 'node:fs';
import type { RangeOutput } from './range-pipeline.js';

function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  for (const bytes of chunks) {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  }
}

/**
 * The output files of a run over line ranges: ranges arrive in any order, from any thread, and are
 * appended in input order as soon as the next one is there, their counters summed. The run ends
 * when every range is written or at the first failure.
 */
export class InOrderOutput {
  /** The summed counters of the ranges written so far. */
  readonly counters: Record<string, number> = {};
  private readonly pending = new Map<number, RangeOutput>();
  private written = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly rowsFd: number;
  private readonly dlqFd: number;

  constructor(
    files: { readonly output: string; readonly dlq: string },
    private readonly total: number,
    private readonly onProgress?: (written: number, total: number) => void,
  ) {
    this.rowsFd = openSync(files.output, 'a');
    this.dlqFd = openSync(files.dlq, 'a');
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** True once every range is written: a worker exiting after that was simply not needed. */
  get complete(): boolean {
    return this.written === this.total;
  }

  /** Takes range `index`'s output and writes every output that is next in input order. */
  deliver(index: number, output: RangeOutput): void {
    this.pending.set(index, output);
    for (let ready = this.next(); ready !== undefined; ready = this.next()) {
      this.pending.delete(this.written);
      writeAll(this.rowsFd, ready.rows);
      writeAll(this.dlqFd, ready.dlq);
      for (const [name, value] of Object.entries(ready.counters)) {
        this.counters[name] = (this.counters[name] ?? 0) + value;
      }
      this.written += 1;
      this.onProgress?.(this.written, this.total);
    }
    if (this.complete) this.wakeUp();
  }

  /** The run's first failure ends it; later ones are the same failure seen from elsewhere. */
  fail(error: Error): void {
    this.failure ??= error;
    this.wakeUp();
  }

  /** Resolves once every range is written; rejects with the first failure. */
  async finished(): Promise<void> {
    if (this.failure === null && !this.complete) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.failure !== null) throw this.failure;
  }

  close(): void {
    closeSync(this.rowsFd);
    closeSync(this.dlqFd);
  }

  private next(): RangeOutput | undefined {
    return this.pending.get(this.written);
  }

  private wakeUp(): void {
    this.wake?.();
    this.wake = null;
  }
}

import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { requireForSerialization } from 'apache-beam/serialization';

/** A finished spool file: what the sink wrote for one bundle, renamed once complete. */
export const SPOOL_SUFFIX = '.ndjson';

/**
 * Writes each bundle's elements (here keyed: `{insertId, value}`; one JSON object a line) to a file of
 * its own in `dir`, renamed to `*.ndjson` when the bundle finishes, so a reader never sees half a
 * bundle. Why files: on a real runner the TypeScript workers cannot reach BigQuery themselves in
 * 2.49 (no async DoFn: `process` and `finishBundle` are not awaited), and Java's BigQuery writes
 * have no endpoint option, so a loader outside the pipeline (beam/flink-streaming.ts) inserts the
 * spooled rows with the official client. State is per bundle, opened in startBundle.
 */
export class SpoolSinkDoFn<T> {
  readonly beamName: string;
  private fd: number | null = null;
  private path = '';

  constructor(
    private readonly dir: string,
    output: string,
  ) {
    this.beamName = `spool_${output}`;
  }

  startBundle(): void {
    this.path = join(
      this.dir,
      `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    );
    this.fd = null;
  }

  process(element: T): void {
    this.fd ??= openSync(`${this.path}.partial`, 'w');
    writeSync(this.fd, `${JSON.stringify(element)}\n`);
  }

  finishBundle(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    renameSync(`${this.path}.partial`, `${this.path}${SPOOL_SUFFIX}`);
  }
}

requireForSerialization('paris-mobility-pulse/beam/streaming/spool-sink.ts', { SpoolSinkDoFn });

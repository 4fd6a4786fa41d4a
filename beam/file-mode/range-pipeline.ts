import '../beam-sdk.js';
import type { Root } from 'apache-beam/pvalue';
import * as beam from 'apache-beam/transforms';
import { requireForSerialization } from 'apache-beam/serialization';
import type { StationRowBatch } from '../transform/curated-elements.js';
import { runOnDirectRunner } from '../direct/direct-run.js';
import { InProcessRegistry } from '../direct/in-process-registry.js';
import { LineWriter, type LineRange } from './ndjson-io.js';
import { curatedEnvelopeLines } from './ndjson-pipeline.js';
import { writeStationRowLines } from '../transform/station-row-json.js';

/*
 * One line range of a file-mode input through the curated composite on a DirectRunner of this
 * thread, its output lines kept in memory: file mode's worker threads curate ranges in any order
 * and the output must still be written in input order, so each range's bytes go back to the thread
 * that writes the files. The sinks reach their range's buffers through an InProcessRegistry entry.
 */

/** The NDJSON bytes one range produced, in order, and the run's counters. */
export interface RangeOutput {
  /** Curated rows, one JSON line each, exactly the bytes file mode writes for them. */
  readonly rows: Buffer[];
  /** DLQ records, one JSON line each. */
  readonly dlq: Buffer[];
  readonly counters: Record<string, number>;
}

const outputs = new InProcessRegistry<{ rows: Buffer[]; dlq: Buffer[] }>('in-memory output');

/**
 * File mode's sinks into memory: with `part` 'rows', its rows sink (NdjsonRowBatchSinkDoFn, row
 * batches); with 'dlq', its DLQ sink (NdjsonSinkDoFn, any element as a JSON line).
 */
export class MemorySinkDoFn {
  readonly beamName: string;
  private writer: LineWriter | null = null;

  constructor(
    readonly key: number,
    readonly part: 'rows' | 'dlq',
  ) {
    this.beamName = `collect_ndjson_${part}`;
  }

  startBundle(): void {
    const buffers = outputs.get(this.key)[this.part];
    this.writer = new LineWriter((bytes) => buffers.push(bytes), false);
  }

  process(element: unknown): void {
    if (this.part === 'rows') writeStationRowLines(element as StationRowBatch, this.writer!);
    else this.writer!.line(JSON.stringify(element));
  }

  finishBundle(): void {
    this.writer?.flush();
    this.writer = null;
  }
}

requireForSerialization('paris-mobility-pulse/beam/file-mode/range-pipeline.ts', {
  MemorySinkDoFn,
});

/**
 * Curates lines `range` of the envelope file `path` as file mode does (`curatedEnvelopeLines`, and
 * the line encoding of `ndjsonPipeline`'s sinks) and returns the output bytes.
 */
export async function curateLineRange(
  path: string,
  range: LineRange,
  fixedNow: string | null,
): Promise<RangeOutput> {
  const output = { rows: [] as Buffer[], dlq: [] as Buffer[] };
  return outputs.with(output, async (key) => {
    const counters = await runOnDirectRunner((root: Root) => {
      const { rows, dlq } = curatedEnvelopeLines(root, path, range, fixedNow);
      rows.apply(beam.parDo(new MemorySinkDoFn(key, 'rows')));
      return dlq.apply(beam.parDo(new MemorySinkDoFn(key, 'dlq')));
    });
    return { ...output, counters };
  });
}

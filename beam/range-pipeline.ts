import './beam-sdk.js';
import type { Root } from 'apache-beam/pvalue';
import * as beam from 'apache-beam/transforms';
import { requireForSerialization } from 'apache-beam/serialization';
import { impulse } from 'apache-beam/transforms/internal';
import { COUNTERS, type StationRowBatch } from './curated-elements.js';
import { UnkeyDoFn } from './curated-dofns.js';
import { curatedBatchTransform, type CuratedBatchPCollections } from './curated-transform.js';
import { runOnDirectRunner } from './direct-run.js';
import { LineWriter, NdjsonSourceDoFn, type LineRange } from './ndjson-io.js';
import { writeStationRowLines } from './station-row-json.js';

/*
 * One line range of a file-mode input through the curated composite on a DirectRunner of this
 * thread, its output lines kept in memory: file mode's worker threads curate ranges in any order
 * and the output must still be written in input order, so each range's bytes go back to the thread
 * that writes the files. The sinks reach their range's buffers through a registry entry named by a
 * key, as in in-process-io.ts: DoFns are serialized and rebuilt, but the DirectRunner rebuilds
 * them in this same thread, where this module and its registry are the very same objects. On any
 * other runner the key is unknown and the sinks throw instead of dropping data.
 */

/** The NDJSON bytes one range produced, in order, and the run's counters. */
export interface RangeOutput {
  /** Curated rows, one JSON line each, exactly the bytes file mode writes for them. */
  readonly rows: Buffer[];
  /** DLQ records, one JSON line each. */
  readonly dlq: Buffer[];
  readonly counters: Record<string, number>;
}

const outputs = new Map<string, { rows: Buffer[]; dlq: Buffer[] }>();
let opened = 0;

function outputFor(key: string, part: 'rows' | 'dlq'): Buffer[] {
  const output = outputs.get(key);
  if (output === undefined) {
    throw new Error(
      `no in-memory output "${key}": these sinks run only on the DirectRunner of the thread that opened it`,
    );
  }
  return output[part];
}

/**
 * File mode's sinks into memory: with `part` 'rows', its rows sink (NdjsonRowBatchSinkDoFn, row
 * batches); with 'dlq', its DLQ sink (NdjsonSinkDoFn, any element as a JSON line).
 */
export class MemorySinkDoFn {
  readonly beamName: string;
  private writer: LineWriter | null = null;

  constructor(
    readonly key: string,
    readonly part: 'rows' | 'dlq',
  ) {
    this.beamName = `collect_ndjson_${part}`;
  }

  startBundle(): void {
    const buffers = outputFor(this.key, this.part);
    this.writer = new LineWriter((bytes) => buffers.push(bytes), false);
  }

  process(element: unknown): void {
    if (this.part === 'rows') writeStationRowLines(element as StationRowBatch, false, this.writer!);
    else this.writer!.line(JSON.stringify(element));
  }

  finishBundle(): void {
    this.writer?.flush();
    this.writer = null;
  }
}

requireForSerialization('paris-mobility-pulse/beam/range-pipeline.ts', {
  MemorySinkDoFn,
});

/**
 * Curates lines `range` of the envelope file `path` as file mode does (the same source, composite
 * and line encoding as `ndjsonPipeline` with `keyed: false`) and returns the output bytes.
 */
export async function curateLineRange(
  path: string,
  range: LineRange,
  fixedNow: string | null,
): Promise<RangeOutput> {
  opened += 1;
  const key = `range-${opened}`;
  const output = { rows: [] as Buffer[], dlq: [] as Buffer[] };
  outputs.set(key, output);
  try {
    const counters = await runOnDirectRunner((root: Root) => {
      const messages = root.apply(impulse()).apply(
        beam.parDo(new NdjsonSourceDoFn(path, 'envelopes', range), {
          blankLines: beam.counter(COUNTERS.blankLinesSkipped),
        }),
      );
      const { rows, dlq } = messages.apply(
        curatedBatchTransform({ fixedNow }),
      ) as CuratedBatchPCollections;
      rows.apply(beam.parDo(new MemorySinkDoFn(key, 'rows')));
      dlq.apply(beam.parDo(new UnkeyDoFn('dlq'))).apply(beam.parDo(new MemorySinkDoFn(key, 'dlq')));
    });
    return { ...output, counters };
  } finally {
    outputs.delete(key);
  }
}

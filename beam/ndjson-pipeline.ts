import * as beam from 'apache-beam';
import { impulse } from 'apache-beam/transforms/internal';
import { COUNTERS } from './curated-elements.js';
import { UnkeyDoFn } from './curated-dofns.js';
import { curatedBatchTransform, type CuratedBatchPCollections } from './curated-transform.js';
import type { PipelineFn } from './direct-run.js';
import {
  NdjsonRowBatchSinkDoFn,
  NdjsonSinkDoFn,
  NdjsonSourceDoFn,
  type NdjsonInputFormat,
} from './ndjson-io.js';

export interface NdjsonPipelineOptions {
  /** NDJSON input file. */
  readonly inputPath: string;
  readonly inputFormat: NdjsonInputFormat;
  /** Where curated rows are appended, one JSON object per line. */
  readonly rowsPath: string;
  /** Where DLQ records are appended, one JSON object per line. */
  readonly dlqPath: string;
  /**
   * Write `{insertId, value}` (the streaming runner needs the insertIds) instead of the bare row or
   * DLQ record (file mode).
   */
  readonly keyed: boolean;
  /** @default null (wall clock) */
  readonly fixedNow?: string | null;
}

/**
 * file → curated composite → files: the whole of file mode, and the per-batch pipeline of the local
 * streaming runner (which then does the insertAll write stage itself, see streaming-runner.ts).
 */
export function ndjsonPipeline(options: NdjsonPipelineOptions): PipelineFn {
  return (root: beam.Root) => {
    const messages = root.apply(impulse()).apply(
      beam.parDo(new NdjsonSourceDoFn(options.inputPath, options.inputFormat), {
        blankLines: beam.counter(COUNTERS.blankLinesSkipped),
      }),
    );
    // Rows stay one element per snapshot through the pipeline and are flattened by their sink.
    const { rows, dlq } = messages.apply(
      curatedBatchTransform({ fixedNow: options.fixedNow ?? null }),
    ) as CuratedBatchPCollections;
    rows.apply(beam.parDo(new NdjsonRowBatchSinkDoFn(options.rowsPath, options.keyed)));
    const dlqOut = options.keyed ? dlq : dlq.apply(beam.parDo(new UnkeyDoFn('dlq')));
    dlqOut.apply(beam.parDo(new NdjsonSinkDoFn(options.dlqPath)));
  };
}

import '../beam-sdk.js';
import type { PCollection, Root } from 'apache-beam/pvalue';
import * as beam from 'apache-beam/transforms';
import { impulse } from 'apache-beam/transforms/internal';
import type { CuratedDlqRow } from '../../core/index.js';
import {
  COUNTERS,
  type CuratedOutputs,
  type StationRowBatch,
} from '../transform/curated-elements.js';
import { UnkeyDoFn } from '../transform/curated-dofns.js';
import {
  curatedBatchTransform,
  type CuratedBatchPCollections,
} from '../transform/curated-transform.js';
import type { PipelineFn } from '../direct/direct-run.js';
import {
  NdjsonRowBatchSinkDoFn,
  NdjsonSinkDoFn,
  NdjsonSourceDoFn,
  type LineRange,
} from './ndjson-io.js';

export interface NdjsonPipelineOptions {
  /** NDJSON file of event envelopes. */
  readonly inputPath: string;
  /** Where curated rows are appended, one JSON object per line. */
  readonly rowsPath: string;
  /** Where DLQ records are appended, one JSON object per line. */
  readonly dlqPath: string;
  /** @default null (wall clock) */
  readonly fixedNow?: string | null;
}

/**
 * File mode's part of a pipeline: the envelope lines of `path` (or of `range` of it) through the
 * curated composite. Rows stay one element per snapshot, to be flattened by their sink; DLQ records
 * lose their insertIds (there are no message ids in a file).
 */
export function curatedEnvelopeLines(
  root: Root,
  path: string,
  range: LineRange | null,
  fixedNow: string | null,
): CuratedOutputs<PCollection<StationRowBatch>, PCollection<CuratedDlqRow>> {
  const { rows, dlq } = root
    .apply(impulse())
    .apply(
      beam.parDo(new NdjsonSourceDoFn(path, range), {
        blankLines: beam.counter(COUNTERS.blankLinesSkipped),
      }),
    )
    .apply(curatedBatchTransform({ fixedNow })) as CuratedBatchPCollections;
  return { rows, dlq: dlq.apply(beam.parDo(new UnkeyDoFn<CuratedDlqRow>('dlq'))) };
}

/** file → curated composite → files: the whole of file mode on one thread. */
export function ndjsonPipeline(options: NdjsonPipelineOptions): PipelineFn {
  return (root: Root) => {
    const { rows, dlq } = curatedEnvelopeLines(
      root,
      options.inputPath,
      null,
      options.fixedNow ?? null,
    );
    rows.apply(beam.parDo(new NdjsonRowBatchSinkDoFn(options.rowsPath)));
    return dlq.apply(beam.parDo(new NdjsonSinkDoFn(options.dlqPath)));
  };
}

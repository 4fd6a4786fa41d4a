import '../beam-sdk.js';
import { P, type PCollection } from 'apache-beam/pvalue';
import * as beam from 'apache-beam/transforms';
import {
  COUNTERS,
  type CuratedMessage,
  type CuratedOutputs,
  type KeyedDlqRecord,
  type KeyedRow,
  type ParsedMessage,
  type StationRowBatch,
} from './curated-elements.js';
import { ExplodeRowsDoFn, ParseNormalizeDoFn, SnapshotToRowsDoFn } from './curated-dofns.js';

export interface CuratedTransformOptions {
  /**
   * Fixed `dlq_ts` (ISO 8601) for reproducible output in tests and benchmarks.
   * @default null (the wall clock at the moment of failure)
   */
  readonly fixedNow?: string | null;
}

export type CuratedPCollections = CuratedOutputs<
  PCollection<KeyedRow>,
  PCollection<KeyedDlqRecord>
>;

/** The composite's outputs with rows still grouped per snapshot (see `curatedBatchTransform`). */
export type CuratedBatchPCollections = CuratedOutputs<
  PCollection<StationRowBatch>,
  PCollection<KeyedDlqRecord>
>;

/** The two stages and the DLQ flatten, shared by both forms of the composite. */
function curatedStages(
  messages: PCollection<CuratedMessage>,
  fixedNow: string | null,
): CuratedBatchPCollections {
  const parsed = messages
    .apply(
      beam.parDo(new ParseNormalizeDoFn(), {
        messagesIn: beam.counter(COUNTERS.messagesIn),
        dlqCount: beam.counter(COUNTERS.parseNormalizeDlq),
        fixedNow,
      }),
    )
    .apply(beam.withName('parse_normalize_outputs', beam.split(['parsed', 'dlq']))) as {
    parsed: PCollection<ParsedMessage>;
    dlq: PCollection<KeyedDlqRecord>;
  };

  const mapped = parsed.parsed
    .apply(
      beam.parDo(new SnapshotToRowsDoFn(), {
        curated: beam.counter(COUNTERS.snapshotsCurated),
        ignored: beam.counter(COUNTERS.snapshotsIgnored),
        dlqCount: beam.counter(COUNTERS.snapshotToStationRowsDlq),
        stationRows: beam.counter(COUNTERS.stationRows),
        fixedNow,
      }),
    )
    .apply(beam.withName('snapshot_to_station_rows_outputs', beam.split(['rows', 'dlq']))) as {
    rows: PCollection<StationRowBatch>;
    dlq: PCollection<KeyedDlqRecord>;
  };

  const dlq = P([parsed.dlq, mapped.dlq]).apply(
    beam.withName('dlq', beam.flatten<KeyedDlqRecord>()),
  );
  return { rows: mapped.rows, dlq };
}

/**
 * The curated job as one composite transform, shared by file mode, the local streaming runner and
 * Dataflow: parse/normalise → snapshot-to-station-rows, each stage sending its failures to a tagged
 * `dlq` output (split), the two DLQ outputs flattened into one. `rows` holds one KeyedRow per
 * station. The write stage is not in here: it differs per runner (NDJSON files, insertAll, the
 * BigQuery cross-language write).
 */
export function curatedTransform(
  options: CuratedTransformOptions = {},
): (messages: PCollection<CuratedMessage>) => CuratedPCollections {
  const fixedNow = options.fixedNow ?? null;
  return beam.withName('curated', (messages: PCollection<CuratedMessage>) => {
    const { rows, dlq } = curatedStages(messages, fixedNow);
    return { rows: rows.apply(beam.parDo(new ExplodeRowsDoFn())), dlq };
  });
}

/**
 * The same composite with `rows` left as one element per snapshot (`keyedRows(batch)` gives the
 * KeyedRows of `curatedTransform`), for sinks that write rows themselves: the DirectRunner's cost
 * per element is large, and a snapshot carries ~1,500 rows. Same stages, counters and DLQ output.
 */
export function curatedBatchTransform(
  options: CuratedTransformOptions = {},
): (messages: PCollection<CuratedMessage>) => CuratedBatchPCollections {
  const fixedNow = options.fixedNow ?? null;
  return beam.withName('curated', (messages: PCollection<CuratedMessage>) =>
    curatedStages(messages, fixedNow),
  );
}

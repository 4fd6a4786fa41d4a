import * as beam from 'apache-beam';
import { requireForSerialization } from 'apache-beam/serialization';
import { impulse } from 'apache-beam/transforms/internal';
import type { CuratedMessage, KeyedDlqRecord, StationRowBatch } from './curated-elements.js';
import { curatedBatchTransform, type CuratedBatchPCollections } from './curated-transform.js';
import type { PipelineFn } from './direct-run.js';

/*
 * The local streaming runner's hand-over to and from its DirectRunner run, in memory: a batch's
 * messages go in and its row batches and DLQ records come out through a registry entry named by a
 * key. The file hand-over (ndjson-io.ts: base64 and JSON lines written, read back and parsed again)
 * cost the runner as much CPU as the mapping itself (docs/PERFORMANCE.md, #8). DoFns are
 * serialized and rebuilt, so they normally must not reach module state; the DirectRunner rebuilds
 * them in this same process, where this module and its registry are the very same objects. On any
 * other runner the key is unknown and the DoFns throw instead of dropping data.
 */

/** What one run reads and writes. */
export interface Handoff {
  readonly messages: readonly CuratedMessage[];
  readonly rowBatches: StationRowBatch[];
  readonly dlq: KeyedDlqRecord[];
}

const handoffs = new Map<string, Handoff>();
let opened = 0;

function handoffFor(key: string): Handoff {
  const handoff = handoffs.get(key);
  if (handoff === undefined) {
    throw new Error(
      `no in-process hand-over "${key}": these DoFns run only on the DirectRunner of the process that opened it`,
    );
  }
  return handoff;
}

export class HandoffSourceDoFn {
  readonly beamName = 'read_in_process_batch';
  constructor(readonly key: string) {}

  *process(): Generator<CuratedMessage> {
    yield* handoffFor(this.key).messages;
  }
}

export class HandoffRowsSinkDoFn {
  readonly beamName = 'collect_row_batches';
  constructor(readonly key: string) {}

  process(batch: StationRowBatch): void {
    handoffFor(this.key).rowBatches.push(batch);
  }
}

export class HandoffDlqSinkDoFn {
  readonly beamName = 'collect_dlq_records';
  constructor(readonly key: string) {}

  process(record: KeyedDlqRecord): void {
    handoffFor(this.key).dlq.push(record);
  }
}

requireForSerialization('paris-mobility-pulse/beam/in-process-io.ts', {
  HandoffSourceDoFn,
  HandoffRowsSinkDoFn,
  HandoffDlqSinkDoFn,
});

/**
 * Registers `messages` under a fresh key and returns the pipeline that curates them into the
 * returned hand-over (keyed rows per snapshot, keyed DLQ records); `close` forgets it.
 */
export function inProcessCuratedPipeline(messages: readonly CuratedMessage[]): {
  pipeline: PipelineFn;
  handoff: Handoff;
  close: () => void;
} {
  opened += 1;
  const key = `batch-${opened}`;
  const handoff: Handoff = { messages, rowBatches: [], dlq: [] };
  handoffs.set(key, handoff);
  const pipeline: PipelineFn = (root: beam.Root) => {
    const curated = root
      .apply(impulse())
      .apply(beam.parDo(new HandoffSourceDoFn(key)))
      .apply(curatedBatchTransform({ fixedNow: null })) as CuratedBatchPCollections;
    curated.rows.apply(beam.parDo(new HandoffRowsSinkDoFn(key)));
    curated.dlq.apply(beam.parDo(new HandoffDlqSinkDoFn(key)));
  };
  return { pipeline, handoff, close: () => handoffs.delete(key) };
}

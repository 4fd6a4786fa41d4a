import '../beam-sdk.js';
import type { PCollection } from 'apache-beam/pvalue';
import * as beam from 'apache-beam/transforms';
import { requireForSerialization } from 'apache-beam/serialization';
import { impulse } from 'apache-beam/transforms/internal';
import type {
  CuratedMessage,
  CuratedOutputs,
  KeyedDlqRecord,
} from '../transform/curated-elements.js';
import { runOnDirectRunner } from '../direct/direct-run.js';
import { InProcessRegistry } from '../direct/in-process-registry.js';

/*
 * The local streaming runner's hand-over to and from its DirectRunner run, in memory: a batch's
 * messages go in and the composite's rows and DLQ records come out through an InProcessRegistry
 * entry. The file hand-over it replaced (base64 and JSON lines written, read back and parsed
 * again) cost the runner as much CPU as the mapping itself (docs/PERFORMANCE.md, #8).
 */

/** What one run reads and writes. */
interface Handoff {
  readonly messages: readonly CuratedMessage[];
  readonly rows: unknown[];
  readonly dlq: KeyedDlqRecord[];
}

const handoffs = new InProcessRegistry<Handoff>('in-process hand-over');

export class HandoffSourceDoFn {
  readonly beamName = 'read_in_process_batch';
  constructor(readonly key: number) {}

  *process(): Generator<CuratedMessage> {
    yield* handoffs.get(this.key).messages;
  }
}

/** Collects every element into the hand-over's `rows` or `dlq`. */
export class HandoffSinkDoFn {
  readonly beamName: string;

  constructor(
    readonly key: number,
    readonly part: 'rows' | 'dlq',
  ) {
    this.beamName = `collect_${part}`;
  }

  process(element: unknown): void {
    (handoffs.get(this.key)[this.part] as unknown[]).push(element);
  }
}

requireForSerialization('paris-mobility-pulse/beam/streaming/in-process-io.ts', {
  HandoffSourceDoFn,
  HandoffSinkDoFn,
});

/** A curated composite: `curatedBatchTransform` (rows per snapshot) or `curatedTransform`. */
export type CuratedComposite<Row> = (
  messages: PCollection<CuratedMessage>,
) => CuratedOutputs<PCollection<Row>, PCollection<KeyedDlqRecord>>;

/** What one in-process run produced, in the order the DirectRunner produced it. */
export interface InProcessOutput<Row> {
  readonly rows: Row[];
  readonly dlq: KeyedDlqRecord[];
  readonly counters: Record<string, number>;
}

/** Runs `composite` over `messages` on this thread's DirectRunner and returns what it put out. */
export async function curateInProcess<Row>(
  messages: readonly CuratedMessage[],
  composite: CuratedComposite<Row>,
): Promise<InProcessOutput<Row>> {
  const handoff = { messages, rows: [] as Row[], dlq: [] as KeyedDlqRecord[] };
  return handoffs.with(handoff, async (key) => {
    const counters = await runOnDirectRunner((root) => {
      const curated = root
        .apply(impulse())
        .apply(beam.parDo(new HandoffSourceDoFn(key)))
        .apply(composite);
      curated.rows.apply(beam.parDo(new HandoffSinkDoFn(key, 'rows')));
      return curated.dlq.apply(beam.parDo(new HandoffSinkDoFn(key, 'dlq')));
    });
    return { rows: handoff.rows, dlq: handoff.dlq, counters };
  });
}

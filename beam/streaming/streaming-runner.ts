import { BigQuery } from '@google-cloud/bigquery';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import { insertCuratedRows, insertDlqRecords, INSERT_CHUNK_ROWS } from './bigquery-writes.js';
import {
  keyedRows,
  type CuratedMessage,
  type KeyedDlqRecord,
  type KeyedRow,
} from '../transform/curated-elements.js';
import { curatedBatchTransform } from '../transform/curated-transform.js';
import { curateInProcess } from './in-process-io.js';
import { formatTableSpec, parseTableSpec } from '../dataflow/table-spec.js';

/**
 * The runner's defaults, once: its options, its environment (streaming-main.ts) and the local stack
 * take them from here.
 */
export const CURATED_RUNNER_DEFAULTS = {
  maxMessages: 10,
  maxWaitMs: 500,
  insertChunkRows: INSERT_CHUNK_ROWS,
} as const;

export interface CuratedStreamingRunnerOptions {
  /** Project of the clients (and of table specs without a project). */
  readonly projectId: string;
  /** `pmp-events-dataflow-sub`, or `projects/<p>/subscriptions/<s>`. */
  readonly inputSubscription: string;
  /** `project:dataset.table` or `dataset.table` for curated rows. */
  readonly outputTable: string;
  /** `project:dataset.table` or `dataset.table` for DLQ records. */
  readonly dlqTable: string;
  /**
   * Micro-batch size. The subscriber's flow control leases at most two batches at once (one being
   * written, the next being mapped), so a slow BigQuery pushes back on Pub/Sub instead of piling
   * messages up in memory.
   * @default 10
   */
  readonly maxMessages?: number;
  /** How long a batch waits to fill before running anyway. @default 500 */
  readonly maxWaitMs?: number;
  /** Rows per insertAll request. @default 5,000 */
  readonly insertChunkRows?: number;
  /** @default new PubSub({projectId}) (PUBSUB_EMULATOR_HOST applies) */
  readonly pubsub?: PubSub;
  /** @default new BigQuery({projectId}) (BIGQUERY_EMULATOR_HOST applies) */
  readonly bigquery?: BigQuery;
  /** @default silent */
  readonly logger?: Logger;
  /**
   * Called after both writes of a batch succeeded, just before the acks: the last point where a
   * crash leaves rows written but messages unacknowledged (tests kill the process here).
   */
  readonly beforeAck?: (batch: BatchReport) => void | Promise<void>;
  /** Called with the running totals after each batch, written or failed. */
  readonly onBatch?: (stats: CuratedStreamingStats) => void;
}

export interface BatchReport {
  readonly messageIds: readonly string[];
  readonly rowsInserted: number;
  readonly dlqInserted: number;
}

export interface CuratedStreamingStats {
  readonly batches: number;
  readonly failedBatches: number;
  readonly messagesAcked: number;
  readonly messagesNacked: number;
  readonly rowsInserted: number;
  readonly dlqInserted: number;
  /** Rows BigQuery rejected (also counted in dlqInserted, as bq_insert_curated records). */
  readonly rowsRejected: number;
  readonly lastError: string | null;
}

/** The stats of a runner that has done nothing yet. */
export const NO_CURATED_STATS: CuratedStreamingStats = {
  batches: 0,
  failedBatches: 0,
  messagesAcked: 0,
  messagesNacked: 0,
  rowsInserted: 0,
  dlqInserted: 0,
  rowsRejected: 0,
  lastError: null,
};

/** The totals of two runs of the curated runner, one after the other. */
export function addCuratedStats(
  a: CuratedStreamingStats,
  b: CuratedStreamingStats,
): CuratedStreamingStats {
  return {
    batches: a.batches + b.batches,
    failedBatches: a.failedBatches + b.failedBatches,
    messagesAcked: a.messagesAcked + b.messagesAcked,
    messagesNacked: a.messagesNacked + b.messagesNacked,
    rowsInserted: a.rowsInserted + b.rowsInserted,
    dlqInserted: a.dlqInserted + b.dlqInserted,
    rowsRejected: a.rowsRejected + b.rowsRejected,
    lastError: b.lastError ?? a.lastError,
  };
}

export interface CuratedStreamingRunner {
  /** Finishes the batch in flight (acking it), nacks what is queued, closes the subscriber. */
  stop(): Promise<void>;
  stats(): CuratedStreamingStats;
}

interface MappedBatch {
  readonly rows: KeyedRow[];
  readonly stageDlq: KeyedDlqRecord[];
}

type MutableStats = { -readonly [K in keyof CuratedStreamingStats]: CuratedStreamingStats[K] };

function curatedMessage(message: Message): CuratedMessage {
  const attributes = message.attributes ?? {};
  return {
    data: message.data,
    messageId: message.id,
    publishTime: message.publishTime.toISOString(),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
  };
}

/**
 * The local streaming form of pmp-velib-curated: pulls micro-batches from the subscription with the
 * official client, runs the curated composite on the DirectRunner per batch (the SDK's DirectRunner
 * is batch-only; the batch and its results are handed over in memory, see in-process-io.ts), writes
 * curated rows and DLQ records with insertAll (insertIds from message id and station id, so a
 * redelivered batch never duplicates), and acks a batch only after both writes succeeded; any
 * failure nacks the whole batch for redelivery. Mapping and writing overlap: while one batch is
 * written, the next is mapped.
 */
export async function startCuratedStreamingRunner(
  options: CuratedStreamingRunnerOptions,
): Promise<CuratedStreamingRunner> {
  const log = options.logger ?? silentLogger();
  const maxMessages = options.maxMessages ?? CURATED_RUNNER_DEFAULTS.maxMessages;
  const maxWaitMs = options.maxWaitMs ?? CURATED_RUNNER_DEFAULTS.maxWaitMs;
  const outputSpec = parseTableSpec(options.outputTable, 'OUTPUT_TABLE');
  const dlqSpec = parseTableSpec(options.dlqTable, 'DLQ_TABLE');
  const pubsub = options.pubsub ?? new PubSub({ projectId: options.projectId });
  const bigquery = options.bigquery ?? new BigQuery({ projectId: options.projectId });
  const table = (spec: typeof outputSpec) =>
    bigquery
      .dataset(spec.datasetId, { projectId: spec.projectId ?? options.projectId })
      .table(spec.tableId);
  const outputTable = table(outputSpec);
  const dlqTable = table(dlqSpec);

  const subscription: Subscription = pubsub.subscription(options.inputSubscription, {
    flowControl: { maxMessages: 2 * maxMessages, allowExcessMessages: false },
  });
  const [exists] = await subscription.exists();
  if (!exists) throw new Error(`INPUT_SUBSCRIPTION ${options.inputSubscription} does not exist`);

  const stats: MutableStats = { ...NO_CURATED_STATS };
  let pending: Message[] = [];
  let timer: NodeJS.Timeout | null = null;
  // Two stages, each in order: while one batch is being written (waiting on BigQuery), the next
  // one is already mapped on the DirectRunner.
  let mapping: Promise<unknown> = Promise.resolve();
  let writing: Promise<void> = Promise.resolve();
  let stopping = false;

  async function mapBatch(batch: Message[]): Promise<MappedBatch> {
    const { rows, dlq } = await curateInProcess(batch.map(curatedMessage), curatedBatchTransform());
    return { rows: rows.flatMap(keyedRows), stageDlq: dlq };
  }

  async function writeBatch(batch: Message[], mapped: Promise<MappedBatch>): Promise<void> {
    try {
      const { rows, stageDlq } = await mapped;
      const written = await insertCuratedRows(outputTable, rows, {
        destination: formatTableSpec(outputSpec),
        now: () => new Date(),
        chunkRows: options.insertChunkRows ?? CURATED_RUNNER_DEFAULTS.insertChunkRows,
      });
      const dlq = [...stageDlq, ...written.failures];
      await insertDlqRecords(
        dlqTable,
        dlq,
        options.insertChunkRows ?? CURATED_RUNNER_DEFAULTS.insertChunkRows,
      );
      const report: BatchReport = {
        messageIds: batch.map((m) => m.id),
        rowsInserted: written.inserted,
        dlqInserted: dlq.length,
      };
      await options.beforeAck?.(report);
      for (const message of batch) message.ack();
      stats.batches += 1;
      stats.messagesAcked += batch.length;
      stats.rowsInserted += written.inserted;
      stats.dlqInserted += dlq.length;
      stats.rowsRejected += written.failures.length;
      log.info(
        { ...report, messageIds: undefined, messages: batch.length },
        'curated batch written',
      );
    } catch (error) {
      for (const message of batch) message.nack();
      stats.failedBatches += 1;
      stats.messagesNacked += batch.length;
      stats.lastError = error instanceof Error ? error.message : String(error);
      log.error(
        { err: error, messages: batch.length },
        'curated batch failed, nacked for redelivery',
      );
    }
    options.onBatch?.({ ...stats });
  }

  function flush(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const mapped = mapping.then(() => mapBatch(batch));
    mapping = mapped.catch(() => undefined);
    writing = writing.then(() => writeBatch(batch, mapped));
  }

  subscription.on('message', (message: Message) => {
    if (stopping) {
      message.nack();
      return;
    }
    pending.push(message);
    if (pending.length >= maxMessages) flush();
    else timer ??= setTimeout(flush, maxWaitMs);
  });
  subscription.on('error', (error: Error) => {
    stats.lastError = error.message;
    log.error({ err: error }, 'subscriber error');
  });
  log.info(
    {
      subscription: options.inputSubscription,
      outputTable: formatTableSpec(outputSpec),
      dlqTable: formatTableSpec(dlqSpec),
      maxMessages,
    },
    'curated streaming runner started',
  );

  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      if (timer !== null) clearTimeout(timer);
      for (const message of pending) message.nack();
      stats.messagesNacked += pending.length;
      pending = [];
      await writing;
      await subscription.close();
      log.info({ ...stats }, 'curated streaming runner stopped');
    },
    stats: () => ({ ...stats }),
  };
}

import { BigQuery } from '@google-cloud/bigquery';
import { PubSub, type Subscription } from '@google-cloud/pubsub';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import { INSERT_CHUNK_ROWS } from './bigquery-writes.js';
import { CuratedBatches, type BatchReport, type CuratedBatchSettings } from './curated-batches.js';
import type { CuratedStreamingStats } from './streaming-stats.js';
import { formatTableSpec, parseTableSpec, type TableSpec } from '../dataflow/table-spec.js';

export type { BatchReport } from './curated-batches.js';
export * from './streaming-stats.js';

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

export interface CuratedStreamingRunner {
  /** Finishes the batch in flight (acking it), nacks what is queued, closes the subscriber. */
  stop(): Promise<void>;
  stats(): CuratedStreamingStats;
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
  const outputSpec = parseTableSpec(options.outputTable, 'OUTPUT_TABLE');
  const dlqSpec = parseTableSpec(options.dlqTable, 'DLQ_TABLE');
  const settings = batchSettings(options, log, outputSpec, dlqSpec);
  const { maxMessages } = settings;
  const subscription = await openSubscription(options, maxMessages);
  const batches = new CuratedBatches(settings);
  subscription.on('message', (message) => batches.receive(message));
  subscription.on('error', (error: Error) => batches.subscriberFailed(error));
  log.info(
    {
      subscription: options.inputSubscription,
      outputTable: settings.outputDestination,
      dlqTable: formatTableSpec(dlqSpec),
      maxMessages,
    },
    'curated streaming runner started',
  );
  return {
    async stop() {
      if (!(await batches.stop())) return;
      await subscription.close();
      log.info(batches.stats(), 'curated streaming runner stopped');
    },
    stats: () => batches.stats(),
  };
}

/**
 * The input subscription, its flow control leasing at most two batches at once (one being written,
 * the next being mapped); a missing subscription fails the start, naming it.
 */
async function openSubscription(
  options: CuratedStreamingRunnerOptions,
  maxMessages: number,
): Promise<Subscription> {
  const pubsub = options.pubsub ?? new PubSub({ projectId: options.projectId });
  const subscription = pubsub.subscription(options.inputSubscription, {
    flowControl: { maxMessages: 2 * maxMessages, allowExcessMessages: false },
  });
  const [exists] = await subscription.exists();
  if (!exists) throw new Error(`INPUT_SUBSCRIPTION ${options.inputSubscription} does not exist`);
  return subscription;
}

/** The options with their defaults, the tables opened with the official client. */
function batchSettings(
  options: CuratedStreamingRunnerOptions,
  log: Logger,
  outputSpec: TableSpec,
  dlqSpec: TableSpec,
): CuratedBatchSettings {
  const bigquery = options.bigquery ?? new BigQuery({ projectId: options.projectId });
  const table = (spec: TableSpec) =>
    bigquery
      .dataset(spec.datasetId, { projectId: spec.projectId ?? options.projectId })
      .table(spec.tableId);
  return {
    maxMessages: options.maxMessages ?? CURATED_RUNNER_DEFAULTS.maxMessages,
    maxWaitMs: options.maxWaitMs ?? CURATED_RUNNER_DEFAULTS.maxWaitMs,
    insertChunkRows: options.insertChunkRows ?? CURATED_RUNNER_DEFAULTS.insertChunkRows,
    outputTable: table(outputSpec),
    outputDestination: formatTableSpec(outputSpec),
    dlqTable: table(dlqSpec),
    log,
    ...(options.beforeAck ? { beforeAck: options.beforeAck } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  };
}

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { silentLogger, type Logger } from '../services/shared/logger.js';
import { insertCuratedRows, insertDlqRecords, INSERT_CHUNK_ROWS } from './bigquery-writes.js';
import type { KeyedDlqRecord, KeyedRow } from './curated-elements.js';
import { runOnDirectRunner } from './direct-run.js';
import type { MessageLine } from './ndjson-io.js';
import { ndjsonPipeline } from './ndjson-pipeline.js';
import { formatTableSpec, parseTableSpec } from './table-spec.js';

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
   * Micro-batch size, and the subscriber's flow control: at most this many messages are leased at
   * once, so a slow BigQuery pushes back on Pub/Sub instead of piling messages up in memory.
   * @default 10
   */
  readonly maxMessages?: number;
  /** How long a batch waits to fill before running anyway. @default 500 */
  readonly maxWaitMs?: number;
  /** Rows per insertAll request. @default 500 */
  readonly insertChunkRows?: number;
  /** @default new PubSub({projectId}) (PUBSUB_EMULATOR_HOST applies) */
  readonly pubsub?: PubSub;
  /** @default new BigQuery({projectId}) (BIGQUERY_EMULATOR_HOST applies) */
  readonly bigquery?: BigQuery;
  /** @default silent */
  readonly logger?: Logger;
  /** Where each batch is staged for the DirectRunner. @default the OS temp directory */
  readonly workDir?: string;
  /**
   * Called after both writes of a batch succeeded, just before the acks: the last point where a
   * crash leaves rows written but messages unacknowledged (tests kill the process here).
   */
  readonly beforeAck?: (batch: BatchReport) => void | Promise<void>;
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

export interface CuratedStreamingRunner {
  /** Finishes the batch in flight (acking it), nacks what is queued, closes the subscriber. */
  stop(): Promise<void>;
  stats(): CuratedStreamingStats;
}

type MutableStats = { -readonly [K in keyof CuratedStreamingStats]: CuratedStreamingStats[K] };

function messageLine(message: Message): MessageLine {
  const attributes = message.attributes ?? {};
  return {
    data_base64: message.data.toString('base64'),
    messageId: message.id,
    publishTime: message.publishTime.toISOString(),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
  };
}

async function readNdjson<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * The local streaming form of pmp-velib-curated: pulls micro-batches from the subscription with the
 * official client, runs the curated composite on the DirectRunner per batch (the SDK's DirectRunner
 * is batch-only), writes curated rows and DLQ records with insertAll (insertIds from message id and
 * station id, so a redelivered batch never duplicates), and acks a batch only after both writes
 * succeeded; any failure nacks the whole batch for redelivery.
 */
export async function startCuratedStreamingRunner(
  options: CuratedStreamingRunnerOptions,
): Promise<CuratedStreamingRunner> {
  const log = options.logger ?? silentLogger();
  const maxMessages = options.maxMessages ?? 10;
  const maxWaitMs = options.maxWaitMs ?? 500;
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
    flowControl: { maxMessages, allowExcessMessages: false },
  });
  const [exists] = await subscription.exists();
  if (!exists) throw new Error(`INPUT_SUBSCRIPTION ${options.inputSubscription} does not exist`);

  const stats: MutableStats = {
    batches: 0,
    failedBatches: 0,
    messagesAcked: 0,
    messagesNacked: 0,
    rowsInserted: 0,
    dlqInserted: 0,
    rowsRejected: 0,
    lastError: null,
  };
  let pending: Message[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let stopping = false;

  async function processBatch(batch: Message[]): Promise<void> {
    const dir = await mkdtemp(join(options.workDir ?? tmpdir(), 'pmp-curated-batch-'));
    const paths = {
      in: join(dir, 'in.jsonl'),
      rows: join(dir, 'rows.jsonl'),
      dlq: join(dir, 'dlq.jsonl'),
    };
    try {
      await writeFile(paths.in, batch.map((m) => JSON.stringify(messageLine(m))).join('\n'));
      await Promise.all([writeFile(paths.rows, ''), writeFile(paths.dlq, '')]);
      await runOnDirectRunner(
        ndjsonPipeline({
          inputPath: paths.in,
          inputFormat: 'messages',
          rowsPath: paths.rows,
          dlqPath: paths.dlq,
          keyed: true,
        }),
      );
      const rows = await readNdjson<KeyedRow>(paths.rows);
      const stageDlq = await readNdjson<KeyedDlqRecord>(paths.dlq);
      const written = await insertCuratedRows(outputTable, rows, {
        destination: formatTableSpec(outputSpec),
        now: () => new Date(),
        chunkRows: options.insertChunkRows ?? INSERT_CHUNK_ROWS,
      });
      const dlq = [...stageDlq, ...written.failures];
      await insertDlqRecords(dlqTable, dlq, options.insertChunkRows ?? INSERT_CHUNK_ROWS);
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  function flush(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    chain = chain.then(() => processBatch(batch));
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
      await chain;
      await subscription.close();
      log.info({ ...stats }, 'curated streaming runner stopped');
    },
    stats: () => ({ ...stats }),
  };
}

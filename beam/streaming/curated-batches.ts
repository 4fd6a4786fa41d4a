import type { Table } from '@google-cloud/bigquery';
import type { Message } from '@google-cloud/pubsub';
import type { Logger } from '../../runtime/logger.js';
import { insertCuratedRows, insertDlqRecords } from './bigquery-writes.js';
import {
  keyedRows,
  type CuratedMessage,
  type KeyedDlqRecord,
  type KeyedRow,
} from '../transform/curated-elements.js';
import { curatedBatchTransform } from '../transform/curated-transform.js';
import { curateInProcess } from './in-process-io.js';
import {
  NO_CURATED_STATS,
  type CuratedStreamingStats,
  type MutableStats,
} from './streaming-stats.js';

/** What a batch wrote, as `beforeAck` sees it. */
export interface BatchReport {
  readonly messageIds: readonly string[];
  readonly rowsInserted: number;
  readonly dlqInserted: number;
}

/** Where batches go and how big they get: the runner's options, resolved. */
export interface CuratedBatchSettings {
  readonly maxMessages: number;
  readonly maxWaitMs: number;
  readonly insertChunkRows: number;
  readonly outputTable: Table;
  /** `project:dataset.table` of outputTable, named in bq_insert_curated DLQ records. */
  readonly outputDestination: string;
  readonly dlqTable: Table;
  readonly log: Logger;
  readonly beforeAck?: (batch: BatchReport) => void | Promise<void>;
  readonly onBatch?: (stats: CuratedStreamingStats) => void;
}

interface MappedBatch {
  readonly rows: KeyedRow[];
  readonly stageDlq: KeyedDlqRecord[];
}

function curatedMessage(message: Message): CuratedMessage {
  const attributes = message.attributes ?? {};
  return {
    data: message.data,
    messageId: message.id,
    publishTime: message.publishTime.toISOString(),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
  };
}

async function mapBatch(batch: readonly Message[]): Promise<MappedBatch> {
  const { rows, dlq } = await curateInProcess(batch.map(curatedMessage), curatedBatchTransform());
  return { rows: rows.flatMap(keyedRows), stageDlq: dlq };
}

/**
 * The runner's messages as micro-batches: a batch runs when it holds `maxMessages` or has waited
 * `maxWaitMs`; it is mapped on the DirectRunner, written with insertAll, then acked, or nacked whole
 * on any failure. Two stages, each in order: while one batch is being written (waiting on
 * BigQuery), the next one is already mapped.
 */
export class CuratedBatches {
  private readonly counts: MutableStats = { ...NO_CURATED_STATS };
  private pending: Message[] = [];
  private timer: NodeJS.Timeout | null = null;
  private mapping: Promise<unknown> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly settings: CuratedBatchSettings) {}

  stats(): CuratedStreamingStats {
    return { ...this.counts };
  }

  /** A message from the subscriber; once stopping, it goes straight back. */
  receive(message: Message): void {
    if (this.stopping) {
      message.nack();
      return;
    }
    this.pending.push(message);
    if (this.pending.length >= this.settings.maxMessages) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.settings.maxWaitMs);
  }

  subscriberFailed(error: Error): void {
    this.counts.lastError = error.message;
    this.settings.log.error({ err: error }, 'subscriber error');
  }

  /**
   * Nacks what is queued and waits for the batches in flight to be written and acked. False when
   * it was stopped already.
   */
  async stop(): Promise<boolean> {
    if (this.stopping) return false;
    this.stopping = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const message of this.pending) message.nack();
    this.counts.messagesNacked += this.pending.length;
    this.pending = [];
    await this.writing;
    return true;
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const mapped = this.mapping.then(() => mapBatch(batch));
    this.mapping = mapped.catch(() => undefined);
    this.writing = this.writing.then(() => this.write(batch, mapped));
  }

  private async write(batch: readonly Message[], mapped: Promise<MappedBatch>): Promise<void> {
    try {
      const report = await this.insert(batch, await mapped);
      await this.settings.beforeAck?.(report.batch);
      for (const message of batch) message.ack();
      this.written(batch, report);
    } catch (error) {
      for (const message of batch) message.nack();
      this.failed(batch, error);
    }
    this.settings.onBatch?.(this.stats());
  }

  /** The batch's rows, then its DLQ records (the stages' and the rows BigQuery rejected). */
  private async insert(
    batch: readonly Message[],
    { rows, stageDlq }: MappedBatch,
  ): Promise<{ batch: BatchReport; rowsRejected: number }> {
    const { outputTable, outputDestination, dlqTable, insertChunkRows } = this.settings;
    const written = await insertCuratedRows(outputTable, rows, {
      destination: outputDestination,
      now: () => new Date(),
      chunkRows: insertChunkRows,
    });
    const dlq = [...stageDlq, ...written.failures];
    await insertDlqRecords(dlqTable, dlq, insertChunkRows);
    return {
      batch: {
        messageIds: batch.map((m) => m.id),
        rowsInserted: written.inserted,
        dlqInserted: dlq.length,
      },
      rowsRejected: written.failures.length,
    };
  }

  private written(
    batch: readonly Message[],
    report: { batch: BatchReport; rowsRejected: number },
  ): void {
    this.counts.batches += 1;
    this.counts.messagesAcked += batch.length;
    this.counts.rowsInserted += report.batch.rowsInserted;
    this.counts.dlqInserted += report.batch.dlqInserted;
    this.counts.rowsRejected += report.rowsRejected;
    this.settings.log.info(
      { ...report.batch, messageIds: undefined, messages: batch.length },
      'curated batch written',
    );
  }

  private failed(batch: readonly Message[], error: unknown): void {
    this.counts.failedBatches += 1;
    this.counts.messagesNacked += batch.length;
    this.counts.lastError = error instanceof Error ? error.message : String(error);
    this.settings.log.error(
      { err: error, messages: batch.length },
      'curated batch failed, nacked for redelivery',
    );
  }
}

import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import {
  ERROR_MESSAGE_MAX_CHARS,
  RAW_MAX_CHARS,
  cutText,
  normalizeTimestamp,
  safeJsonStringify,
  toWellFormed,
} from '../../core/index.js';
import type { RowOf, writerDlqTable } from '../../core/warehouse/index.js';
import type { PushMessage } from './push-message.js';
import { insertRows, type TableRef } from './warehouse-insert.js';

export type WriterDlqRow = RowOf<typeof writerDlqTable>;

export interface WriterDlqInput {
  /** The service that gives up on the message, e.g. `pmp-bq-writer`. */
  readonly writer: string;
  readonly errorType: string;
  readonly errorMessage: string;
  /** The push request body as received. */
  readonly rawBody: string;
  /** The decoded push wrapper, when the body got that far. */
  readonly message?: PushMessage;
  readonly now: Date;
}

/** One `pmp_ops.push_writer_dlq` row; every text field is cut and made valid UTF-8. */
export function buildWriterDlqRow(input: WriterDlqInput): WriterDlqRow {
  const { message } = input;
  const attributes = message ? safeJsonStringify(message.attributes) : null;
  return {
    dlq_ts: input.now.toISOString(),
    writer: input.writer,
    subscription: message?.subscription ?? null,
    message_id: message?.messageId ?? null,
    publish_time: message?.publishTime ? normalizeTimestamp(message.publishTime) : null,
    error_type: input.errorType,
    error_message: cutText(toWellFormed(input.errorMessage), ERROR_MESSAGE_MAX_CHARS),
    attributes: attributes === null ? null : cutText(attributes, RAW_MAX_CHARS),
    raw: cutText(toWellFormed(input.rawBody), RAW_MAX_CHARS),
  };
}

/**
 * Records a permanently bad message. The insertId is derived from the message id, so when Pub/Sub
 * redelivers (say our 2xx was lost) BigQuery keeps one record, not two.
 */
export async function recordWriterDlq(
  bigquery: BigQuery,
  table: TableRef,
  input: WriterDlqInput,
  options: { timeoutMs?: number } = {},
): Promise<WriterDlqRow> {
  const row = buildWriterDlqRow(input);
  const insertId = input.message
    ? `dlq:${input.writer}:${input.message.messageId}`
    : `dlq:${input.writer}:${randomUUID()}`;
  await insertRows(bigquery, table, [{ insertId, row }], options);
  return row;
}

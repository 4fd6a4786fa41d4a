import type { BigQuery } from '@google-cloud/bigquery';
import Router from '@koa/router';
import type { Context } from 'koa';
import { StageError } from '../../core/index.js';
import type { Logger } from '../../runtime/logger.js';
import { pushAuth, type PushAuthOptions } from './push-auth.js';
import {
  PermanentMessageError,
  decodeMessageText,
  parsePushBody,
  type PushMessage,
} from './push-message.js';
import { PUSH_BODY_LIMIT_BYTES, readTextBody } from './read-body.js';
import type { RequestState } from './request-context.js';
import {
  RejectedRowsError,
  TransientWarehouseError,
  insertRows,
  type KeyedRow,
  type TableRef,
} from './warehouse-insert.js';
import { recordWriterDlq } from './writer-dlq.js';

/** What a writer makes of one message: the rows for its table. */
export interface WritePlan<R extends object> {
  readonly rows: readonly KeyedRow<R>[];
}

/** Thrown by `inspect` to fail a delivery on purpose (the DLQ drill): answered 500, no DLQ row. */
export class ForcedFailureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForcedFailureError';
  }
}

export interface PushWriterOptions<R extends object> {
  /** Service name, stored in the DLQ `writer` column. */
  readonly writer: string;
  readonly bigquery: BigQuery;
  readonly table: TableRef;
  readonly dlqTable: TableRef;
  /**
   * Message text → rows, a pure function. Whatever it throws is permanent (recorded in the DLQ
   * and acknowledged): PermanentMessageError or core's StageError name the reason best.
   */
  readonly toRows: (text: string, message: PushMessage) => WritePlan<R>;
  /** Runs before decoding; throw ForcedFailureError to refuse the delivery (drills). */
  readonly inspect?: (message: PushMessage) => void;
  readonly auth?: PushAuthOptions;
  /** @default PUSH_BODY_LIMIT_BYTES */
  readonly bodyLimitBytes?: number;
  /** @default 30_000 */
  readonly insertTimeoutMs?: number;
  readonly now?: () => Date;
}

type Outcome =
  | { status: 'written'; rows: number }
  | { status: 'dead_lettered'; errorType: string; reason: string };

/**
 * `POST /pubsub`, the push endpoint shared by every writer. The answer is Pub/Sub's ack: 2xx once
 * the rows (or, for a message that can never be written, its DLQ record) are in the warehouse;
 * 5xx for anything a retry may fix, so Pub/Sub redelivers and, with a dead-letter policy, finally
 * dead-letters. No path acknowledges a message without a row somewhere.
 */
export function pushWriterRoutes<R extends object>(options: PushWriterOptions<R>): Router {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.insertTimeoutMs ?? 30_000;
  const router = new Router();

  router.post('/pubsub', pushAuth(options.auth ?? {}), async (ctx) => {
    const log = (ctx.state as RequestState).log;
    const rawBody = await readTextBody(ctx, options.bodyLimitBytes ?? PUSH_BODY_LIMIT_BYTES);
    let message: PushMessage | undefined;
    let outcome: Outcome;
    try {
      message = parsePushBody(rawBody);
      const msgLog = log.child({
        messageId: message.messageId,
        deliveryAttempt: message.deliveryAttempt,
        subscription: message.subscription,
      });
      options.inspect?.(message);
      const plan = planRows(options.toRows, decodeMessageText(message), message);
      await insertRows(options.bigquery, options.table, plan.rows, { timeoutMs });
      outcome = { status: 'written', rows: plan.rows.length };
      msgLog.info({ rows: plan.rows.length }, 'message written');
    } catch (error) {
      const permanent = permanentReason(error);
      if (!permanent) return failDelivery(ctx, log, error, message);
      outcome = await deadLetter(ctx, log, rawBody, message, permanent);
    }
    ctx.status = 200;
    ctx.body = { messageId: message?.messageId ?? null, ...outcome };
  });

  async function deadLetter(
    ctx: Context,
    log: Logger,
    rawBody: string,
    message: PushMessage | undefined,
    permanent: { errorType: string; reason: string },
  ): Promise<Outcome> {
    try {
      await recordWriterDlq(
        options.bigquery,
        options.dlqTable,
        {
          writer: options.writer,
          errorType: permanent.errorType,
          errorMessage: permanent.reason,
          rawBody,
          message,
          now: now(),
        },
        { timeoutMs },
      );
    } catch (dlqError) {
      // The record is the only trace the message would leave: without it, make Pub/Sub retry.
      log.error(
        { err: dlqError, messageId: message?.messageId, errorType: permanent.errorType },
        'could not record a bad message in the writer DLQ; asking for redelivery',
      );
      ctx.throw(503, 'writer DLQ unavailable', { expose: false });
    }
    log.warn(
      {
        messageId: message?.messageId,
        deliveryAttempt: message?.deliveryAttempt,
        errorType: permanent.errorType,
        reason: permanent.reason,
      },
      'bad message recorded in the writer DLQ and acknowledged',
    );
    return { status: 'dead_lettered', ...permanent };
  }

  return router;
}

/**
 * Mapping is a pure function of the message: if it throws, redelivering the same message throws
 * again. So any error there is permanent (DLQ + ack), never a 5xx that would loop on a subscription
 * without a dead-letter policy.
 */
function planRows<R extends object>(
  toRows: (text: string, message: PushMessage) => WritePlan<R>,
  text: string,
  message: PushMessage,
): WritePlan<R> {
  try {
    return toRows(text, message);
  } catch (error) {
    if (permanentReason(error)) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new PermanentMessageError('unexpected_error', `mapping failed: ${reason}`, {
      cause: error,
    });
  }
}

function permanentReason(error: unknown): { errorType: string; reason: string } | undefined {
  if (error instanceof PermanentMessageError) {
    return { errorType: error.errorType, reason: error.message };
  }
  if (error instanceof StageError) {
    return { errorType: error.errorType, reason: `${error.stage}: ${error.message}` };
  }
  if (error instanceof RejectedRowsError) {
    const details = error.rejected.slice(0, 5).map((r) => ({
      insertId: r.row.insertId,
      errors: r.errors,
    }));
    return {
      errorType: 'bq_rows_rejected',
      reason: `${error.message}; first rejected: ${JSON.stringify(details)}`,
    };
  }
  return undefined;
}

function failDelivery(
  ctx: Context,
  log: Logger,
  error: unknown,
  message: PushMessage | undefined,
): void {
  const context = {
    err: error,
    messageId: message?.messageId,
    deliveryAttempt: message?.deliveryAttempt,
  };
  if (error instanceof ForcedFailureError) {
    log.warn(context, error.message);
    ctx.status = 500;
    ctx.body = { error: error.message };
    return;
  }
  const transient = error instanceof TransientWarehouseError;
  log.error(
    context,
    transient
      ? 'warehouse unavailable; asking for redelivery'
      : 'unexpected failure; asking for redelivery',
  );
  ctx.status = transient ? 503 : 500;
  ctx.body = { error: transient ? 'warehouse unavailable, retry later' : 'internal error' };
}

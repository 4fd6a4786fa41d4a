import type { Logger } from 'pino';
import { parseBigQueryTable } from '../handlers/subscription-config.js';
import type { Broker, Worker } from '../storage/broker.js';
import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Delivery } from '../storage/types.js';

export interface BigQueryTableRef {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

export interface BigQueryRow {
  /** Best-effort de-duplication id: the message id, so a retried batch does not double rows. */
  readonly insertId: string;
  readonly json: Record<string, unknown>;
}

/** Where a BigQuery subscription writes. Rejects (throws) when any row of the batch failed. */
export interface BigQueryRowSink {
  insertRows(table: BigQueryTableRef, rows: readonly BigQueryRow[]): Promise<void>;
}

/**
 * Row of a BigQuery subscription: `data` always; with `writeMetadata` also subscription_name,
 * message_id, publish_time and attributes (JSON text), the columns the real service fills.
 */
export function bigQueryRow(sub: SubscriptionState, d: Delivery): BigQueryRow {
  const m = d.message;
  const json: Record<string, unknown> = { data: m.data.toString('utf8') };
  if (sub.config.bigqueryConfig?.writeMetadata) {
    json.subscription_name = sub.config.name;
    json.message_id = m.id;
    json.publish_time = new Date(m.publishMs).toISOString();
    json.attributes = JSON.stringify(m.attributes);
  }
  return { insertId: m.id, json };
}

const MAX_BATCH = 500;

/**
 * Delivers a BigQuery subscription: one insert in flight, up to 500 rows. A failed insert nacks the
 * whole batch, so the broker retries it with backoff (and dead-letters if a policy says so): no
 * message is acked before its row is written.
 */
export function startBigQueryWorker(
  broker: Broker,
  sub: SubscriptionState,
  deps: { sink: BigQueryRowSink; log: Logger },
): Worker | undefined {
  const table = parseBigQueryTable(sub.config.bigqueryConfig?.table ?? '');
  if (!table) return undefined;
  const name = sub.config.name;
  let busy = false;
  let closed = false;
  return {
    capacity: () =>
      busy || closed ? { messages: 0, bytes: 0 } : { messages: MAX_BATCH, bytes: 9 * 1024 * 1024 },
    ackDeadlineSeconds: () => sub.config.ackDeadlineSeconds ?? 10,
    deliver: (batch) => {
      busy = true;
      const ackIds = batch.map((d) => d.ackId);
      deps.sink
        .insertRows(
          table,
          batch.map((d) => bigQueryRow(sub, d)),
        )
        .then(
          () => true,
          (error: unknown) => {
            deps.log.warn(
              { err: error, subscription: name, rows: batch.length },
              'BigQuery insert failed; will retry',
            );
            return false;
          },
        )
        .then((ok) => {
          busy = false;
          if (!broker.subs.has(name)) return;
          if (ok) broker.acknowledge(name, ackIds);
          else broker.modifyAckDeadline(name, ackIds, 0);
          broker.scheduleDispatch(broker.subs.get(name)!);
        });
    },
    close: () => {
      closed = true;
    },
  };
}

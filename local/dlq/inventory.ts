import type { BigQuery } from '@google-cloud/bigquery';
import type { PubSub } from '@google-cloud/pubsub';
import { DEFAULT_LIST_LIMIT, DEFAULT_SINCE_MS, DLQ_NAMES, PEEK_LIMIT } from './names.js';
import { peekSubscription } from './peek-hold.js';
import {
  fromCuratedDlqRow,
  fromHeldMessage,
  fromPushDlqRow,
  fromWriterDlqRow,
  type DeadLetter,
  type DeadLetterSource,
} from './records.js';

export interface DlqClients {
  readonly pubsub: PubSub;
  readonly bigquery: BigQuery;
}

export interface DeadLetterCount {
  readonly source: DeadLetterSource;
  readonly origin: string;
  readonly reason: string;
  readonly count: number;
  readonly newest: string;
}

export interface DeadLetterList {
  readonly since: string;
  /** Every dead letter since `since`, grouped; sums to `total`. */
  readonly counts: readonly DeadLetterCount[];
  readonly total: number;
  /** Push dead letters still in the hold subscription (null: it could not be read). */
  readonly held: number | null;
  /** Newest first, at most `limit`. */
  readonly records: readonly DeadLetter[];
}

/** A `show` of an id that matches nothing: the CLI prints the message and exits 1. */
export class UnknownDeadLetterError extends Error {
  constructor(id: string) {
    super(
      `no dead letter with id ${JSON.stringify(id)}: ids look like push:<message id>, curated:<hash> or writer:<hash> (see pmp dlq list)`,
    );
    this.name = 'UnknownDeadLetterError';
  }
}

const newestFirst = (a: DeadLetter, b: DeadLetter) => b.at.localeCompare(a.at);

async function rowsSince(
  bigquery: BigQuery,
  table: string,
  column: string,
  since: Date | undefined,
): Promise<Record<string, unknown>[]> {
  // `since` is our own Date, so its ISO form is safe to inline.
  const where = since ? ` WHERE ${column} >= TIMESTAMP '${since.toISOString()}'` : '';
  const [rows] = await bigquery.query(`SELECT * FROM ${table}${where}`);
  return rows as Record<string, unknown>[];
}

/** Every dead letter of the three tables (and the hold subscription) since `since`. */
export async function readDeadLetters(
  clients: DlqClients,
  since: Date | undefined,
): Promise<{ records: DeadLetter[]; held: number | null }> {
  const [push, curated, writer, peeked] = await Promise.all([
    rowsSince(clients.bigquery, DLQ_NAMES.pushDlqTable, 'publish_time', since),
    rowsSince(clients.bigquery, DLQ_NAMES.curatedDlqTable, 'dlq_ts', since),
    rowsSince(clients.bigquery, DLQ_NAMES.writerDlqTable, 'dlq_ts', since),
    peekSubscription(clients.pubsub, DLQ_NAMES.holdSubscription, { limit: PEEK_LIMIT }).catch(
      () => undefined,
    ),
  ]);
  const heldIds = peeked ? new Set(peeked.map((m) => m.messageId)) : undefined;
  const pushRecords = push.map((row) =>
    fromPushDlqRow(row, heldIds ? heldIds.has(String(row.message_id)) : null),
  );
  // Held but not in the table yet (the BigQuery subscription lags a little): still dead letters.
  const inTable = new Set(pushRecords.map((r) => r.messageId));
  const heldOnly = (peeked ?? [])
    .filter((m) => !inTable.has(m.messageId))
    .filter((m) => !since || m.publishTime >= since.toISOString())
    .map(fromHeldMessage);
  return {
    records: [
      ...pushRecords,
      ...heldOnly,
      ...curated.map(fromCuratedDlqRow),
      ...writer.map(fromWriterDlqRow),
    ].sort(newestFirst),
    held: peeked ? peeked.length : null,
  };
}

export function countDeadLetters(records: readonly DeadLetter[]): DeadLetterCount[] {
  const groups = new Map<string, DeadLetterCount>();
  for (const r of records) {
    const key = JSON.stringify([r.source, r.origin, r.reason]);
    const group = groups.get(key);
    groups.set(key, {
      source: r.source,
      origin: r.origin,
      reason: r.reason,
      count: (group?.count ?? 0) + 1,
      newest: group && group.newest > r.at ? group.newest : r.at,
    });
  }
  return [...groups.values()].sort((a, b) => b.newest.localeCompare(a.newest));
}

/** `pmp dlq list`: counts by source, origin and reason, and the newest records. */
export async function listDeadLetters(
  clients: DlqClients,
  options: { since?: Date; limit?: number; now?: Date } = {},
): Promise<DeadLetterList> {
  const since = options.since ?? new Date((options.now ?? new Date()).getTime() - DEFAULT_SINCE_MS);
  const { records, held } = await readDeadLetters(clients, since);
  return {
    since: since.toISOString(),
    counts: countDeadLetters(records),
    total: records.length,
    held,
    records: records.slice(0, options.limit ?? DEFAULT_LIST_LIMIT),
  };
}

/** `pmp dlq show <id>`: one dead letter, whenever it was recorded. */
export async function showDeadLetter(clients: DlqClients, id: string): Promise<DeadLetter> {
  const { records } = await readDeadLetters(clients, undefined);
  const found = records.find((r) => r.id === id);
  if (!found) throw new UnknownDeadLetterError(id);
  return found;
}

import { createHash } from 'node:crypto';

/** Where a dead letter was found. */
export type DeadLetterSource = 'push' | 'curated' | 'writer';

/** One dead letter, whichever table or subscription it came from, in one shape. */
export interface DeadLetter {
  /** `push:<message id>` (the dead-letter topic's id), `curated:<hash>`, `writer:<hash>`. */
  readonly id: string;
  readonly source: DeadLetterSource;
  /** When it was dead-lettered (dlq_ts; for push dead letters the dead-letter publish time). */
  readonly at: string;
  /** Who gave up: the push subscription, the curated stage, or the writer. */
  readonly origin: string;
  /** Why: the error type, or for push dead letters that the endpoint refused every attempt. */
  readonly reason: string;
  readonly errorMessage: string | null;
  readonly messageId: string | null;
  readonly deliveryAttempts: number | null;
  /** Push dead letters only: still in the hold subscription (not replayed yet); else null. */
  readonly held: boolean | null;
  readonly attributes: Readonly<Record<string, string>> | null;
  /** The message or input as recorded (data, raw). */
  readonly payload: string | null;
  /** The row (or message) as stored, for `show`. */
  readonly stored: Readonly<Record<string, unknown>>;
}

type Row = Record<string, unknown>;

/** BigQuery's client returns TIMESTAMP as `{ value }`, JSON as text or an object. */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && 'value' in value)
    return String((value as { value: unknown }).value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function timestamp(value: unknown): string {
  const raw = text(value);
  const date = raw === null ? new Date(0) : new Date(raw);
  return Number.isNaN(date.getTime()) ? (raw ?? '') : date.toISOString();
}

function stringMap(value: unknown): Record<string, string> | null {
  const raw = typeof value === 'string' ? safeParse(value) : value;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

function safeParse(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function plain(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v && typeof v === 'object' && 'value' in v ? text(v) : v,
    ]),
  );
}

/** Tables without an id column get one from the row itself: stable across reads, short to type. */
export function rowHash(row: Row): string {
  const canonical = JSON.stringify(plain(row), Object.keys(row).sort());
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** Why a push dead letter was refused, as far as the message tells: a drill, or just refused. */
export function pushReason(attributes: Readonly<Record<string, string>> | null): string {
  if (attributes?.pmp_drill) return 'drill (pmp_drill)';
  if (attributes?.dlq_test?.toLowerCase() === 'true') return 'drill (dlq_test)';
  return 'delivery_attempts_exhausted';
}

/** A row of `pmp_ops.velib_station_info_push_dlq` (written by the BigQuery subscription). */
export function fromPushDlqRow(row: Row, held: boolean | null): DeadLetter {
  const attributes = stringMap(row.attributes);
  const attempts = Number(attributes?.CloudPubSubDeadLetterSourceDeliveryCount);
  const messageId = text(row.message_id);
  return {
    id: `push:${messageId ?? rowHash(row)}`,
    source: 'push',
    at: timestamp(row.publish_time),
    origin:
      attributes?.CloudPubSubDeadLetterSourceSubscription ??
      text(row.subscription_name) ??
      'unknown',
    reason: pushReason(attributes),
    errorMessage: null,
    messageId,
    deliveryAttempts: Number.isFinite(attempts) ? attempts : null,
    held,
    attributes,
    payload: text(row.data),
    stored: plain(row),
  };
}

/** A message still in the hold subscription that the BigQuery table does not show (yet). */
export function fromHeldMessage(message: {
  messageId: string;
  publishTime: string;
  data: string;
  attributes: Record<string, string>;
}): DeadLetter {
  return fromPushDlqRow(
    {
      subscription_name: null,
      message_id: message.messageId,
      publish_time: message.publishTime,
      data: message.data,
      attributes: JSON.stringify(message.attributes),
    },
    true,
  );
}

/** A row of `pmp_ops.velib_station_status_curated_dlq` (the curated job's failures). */
export function fromCuratedDlqRow(row: Row): DeadLetter {
  const meta = stringMap(row.event_meta);
  return fromOpsDlqRow(row, 'curated', {
    origin: text(row.stage),
    messageId: meta?.message_id ?? meta?.messageId ?? null,
    attributes: null,
  });
}

/** A row of `pmp_ops.push_writer_dlq` (a writer's permanently bad messages). */
export function fromWriterDlqRow(row: Row): DeadLetter {
  return fromOpsDlqRow(row, 'writer', {
    origin: text(row.writer),
    messageId: text(row.message_id),
    attributes: stringMap(row.attributes),
  });
}

/** The two `pmp_ops` failure tables share dlq_ts, error_type, error_message and raw. */
function fromOpsDlqRow(
  row: Row,
  source: 'curated' | 'writer',
  own: Pick<DeadLetter, 'messageId' | 'attributes'> & { readonly origin: string | null },
): DeadLetter {
  return {
    id: `${source}:${rowHash(row)}`,
    source,
    at: timestamp(row.dlq_ts),
    origin: own.origin ?? 'unknown',
    reason: text(row.error_type) ?? 'unknown',
    errorMessage: text(row.error_message),
    messageId: own.messageId,
    deliveryAttempts: null,
    held: null,
    attributes: own.attributes,
    payload: text(row.raw),
    stored: plain(row),
  };
}

import type Koa from 'koa';
import {
  memberValueText,
  normalizeTimestamp,
  parseEnvelope,
  safeJsonStringify,
} from '../../core/index.js';
import type { RowOf, stationStatusRawTable } from '../../core/warehouse/index.js';
import type { PushMessage } from '../shared/push-message.js';
import type { WritePlan } from '../shared/push-writer.js';
import type { TableRef } from '../shared/warehouse-insert.js';
import { createWriterApp, type PushWriterDeps } from '../shared/writer-app.js';

export const WRITER_NAME = 'pmp-bq-writer';

export type RawStatusRow = RowOf<typeof stationStatusRawTable>;

export interface BqWriterDeps extends PushWriterDeps {
  /** `pmp_raw.velib_station_status_raw` in every deployment. */
  readonly table: TableRef;
}

/**
 * One raw row per message: the envelope's fields, the Pub/Sub metadata and the payload as JSON,
 * insertId = messageId so a redelivery is not stored twice. Any valid envelope lands (the raw zone
 * keeps everything); a message that is not one goes to the writer DLQ.
 */
export function rawStatusPlan(text: string, message: PushMessage): WritePlan<RawStatusRow> {
  const envelope = parseEnvelope(text);
  const row: RawStatusRow = {
    ingest_ts: envelope.ingest_ts,
    event_ts: envelope.event_ts,
    source: envelope.source,
    event_type: envelope.event_type,
    key: envelope.key,
    message_id: message.messageId,
    publish_time: message.publishTime ? normalizeTimestamp(message.publishTime) : null,
    attributes: safeJsonStringify(message.attributes),
    payload: payloadJson(text, envelope.payload),
  };
  return { rows: [{ insertId: message.messageId, row }] };
}

/**
 * The payload column's JSON text. A snapshot's payload is ~0.5 MB: rather than serialize what was
 * just parsed, take its own text out of the message when that stands for the same value (one
 * "payload" member, an object or array, no repeated key, no ambiguous number); BigQuery compares a
 * JSON column by value, so the publisher's whitespace or escapes may stay. Else serialize it.
 */
function payloadJson(text: string, payload: unknown): string | null {
  return memberValueText(text, PAYLOAD_PATH, payload) ?? safeJsonStringify(payload);
}

const PAYLOAD_PATH = ['payload'] as const;

export function createApp(deps: BqWriterDeps): Koa {
  return createWriterApp(deps, { writer: WRITER_NAME, toRows: rawStatusPlan });
}

import { buildCuratedDlqRecord, type CuratedDlqRow } from './dlq.js';
import { parseEnvelopeText, type Envelope } from './envelope.js';
import { StageError, type Stage } from './errors.js';
import { statusSnapshotToRows, type CuratedStatusRow } from './station-status.js';

/** What Pub/Sub tells us about a message, kept in the DLQ `event_meta` column. */
export interface EventMeta {
  messageId?: string;
  publishTime?: string;
  attributes?: Record<string, string>;
}

export interface CurateResult {
  rows: CuratedStatusRow[];
  dlq: CuratedDlqRow[];
}

function messageMeta(meta: EventMeta | undefined): Record<string, unknown> {
  const m: Partial<EventMeta> =
    typeof meta === 'object' && meta !== null ? (meta as Partial<EventMeta>) : {};
  return {
    message_id: m.messageId ?? null,
    publish_time: m.publishTime ?? null,
    attributes: m.attributes ?? null,
  };
}

function envelopeMeta(envelope: Envelope): Record<string, unknown> {
  return {
    source: envelope.source,
    event_type: envelope.event_type,
    key: envelope.key,
    ingest_ts: envelope.ingest_ts,
    event_ts: envelope.event_ts,
  };
}

/**
 * The whole pure path of the curated job for one Pub/Sub message: parse and normalise the envelope,
 * then map a station_status snapshot to rows. Never throws: a failure at either stage becomes
 * exactly one DLQ record (with the message text as `raw`) and no rows, so every message ends up
 * somewhere. Envelopes of other event types give no rows and no DLQ record, as in the original.
 */
export function curateMessage(raw: string | Uint8Array, meta: EventMeta, now: Date): CurateResult {
  let stage: Stage = 'parse_normalize';
  let eventMeta = messageMeta(meta);
  try {
    const { envelope, text } = parseEnvelopeText(raw);
    stage = 'snapshot_to_station_rows';
    eventMeta = { ...eventMeta, ...envelopeMeta(envelope) };
    return { rows: statusSnapshotToRows(envelope, text), dlq: [] };
  } catch (error) {
    const stageOfError = error instanceof StageError ? error.stage : stage;
    return {
      rows: [],
      dlq: [buildCuratedDlqRecord({ stage: stageOfError, error, raw, eventMeta, now })],
    };
  }
}

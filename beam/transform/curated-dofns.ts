import type * as beam from 'apache-beam';
import { requireForSerialization } from 'apache-beam/serialization';
import {
  buildCuratedDlqRecord,
  parseEnvelopeText,
  statusSnapshotToRows,
  type CuratedDlqRow,
  type Envelope,
  type EventType,
  type Stage,
} from '../../core/index.js';
import {
  keyedRows,
  type CuratedMessage,
  type KeyedDlqRecord,
  type KeyedRow,
  type ParsedMessage,
  type StationRowBatch,
} from './curated-elements.js';

/*
 * The DoFns of the curated pipeline. The Beam TypeScript SDK serializes every function and object it
 * is given (serialize-closures) and rebuilds them in the worker. Plain TypeScript functions carry no
 * record of the variables they close over, so a DoFn that called `parseEnvelope` through a closure
 * would fail after deserialization. The SDK's supported answer is `requireForSerialization`: the
 * classes below are registered by module name, so their instances travel as "an object whose
 * prototype is <registered class>" and the worker resolves that name by requiring this module
 * (the runner lists registered modules in the pipeline options). Instance fields hold only plain
 * data; anything per-bundle is created in `startBundle`, never kept at module level.
 */

/** The only event type this job curates; envelopes of other types pass through without output. */
const STATION_STATUS: EventType = 'station_status_snapshot';

/** DLQ `event_meta` for a message, the same keys as core's `curateMessage`. */
function messageMeta(message: CuratedMessage): Record<string, unknown> {
  return {
    message_id: message.messageId ?? null,
    publish_time: message.publishTime ?? null,
    attributes: message.attributes ?? null,
  };
}

/** DLQ `event_meta` once the envelope is known, the same keys as core's `curateMessage`. */
function envelopeMeta(message: CuratedMessage, envelope: Envelope): Record<string, unknown> {
  return {
    ...messageMeta(message),
    source: envelope.source,
    event_type: envelope.event_type,
    key: envelope.key,
    ingest_ts: envelope.ingest_ts,
    event_ts: envelope.event_ts,
  };
}

/**
 * insertId of a DLQ record: message id, stage and the record's index within that message and stage,
 * so a redelivered message cannot write its DLQ record twice.
 */
export function dlqInsertId(
  messageId: string | undefined,
  stage: Stage,
  index: number | string,
): string | null {
  return messageId === undefined ? null : `${messageId}:${stage}:${index}`;
}

function clock(fixedNow: string | null): Date {
  return fixedNow === null ? new Date() : new Date(fixedNow);
}

function dlqRecord(
  message: CuratedMessage,
  stage: Stage,
  error: unknown,
  eventMeta: Record<string, unknown>,
  fixedNow: string | null,
): KeyedDlqRecord {
  const value: CuratedDlqRow = buildCuratedDlqRecord({
    stage,
    error,
    raw: message.data,
    eventMeta,
    now: clock(fixedNow),
  });
  return { insertId: dlqInsertId(message.messageId, stage, 0), value };
}

export interface ParseNormalizeContext {
  readonly messagesIn: beam.Counter;
  readonly dlqCount: beam.Counter;
  /** A fixed DLQ timestamp (ISO 8601) for reproducible output; null means the wall clock. */
  readonly fixedNow: string | null;
}

export type ParseNormalizeOutput = { parsed: ParsedMessage } | { dlq: KeyedDlqRecord };

/** Stage 1, `parse_normalize`: message → normalised envelope, or one DLQ record. */
export class ParseNormalizeDoFn {
  readonly beamName = 'parse_normalize';

  process(message: CuratedMessage, context: ParseNormalizeContext): ParseNormalizeOutput[] {
    context.messagesIn.increment();
    try {
      const { envelope, text } = parseEnvelopeText(message.data);
      return [{ parsed: { envelope, message, text } }];
    } catch (error) {
      context.dlqCount.increment();
      return [
        {
          dlq: dlqRecord(message, 'parse_normalize', error, messageMeta(message), context.fixedNow),
        },
      ];
    }
  }
}

export interface SnapshotToRowsContext {
  readonly curated: beam.Counter;
  readonly ignored: beam.Counter;
  readonly dlqCount: beam.Counter;
  readonly stationRows: beam.Counter;
  readonly fixedNow: string | null;
}

export type SnapshotToRowsOutput = { rows: StationRowBatch } | { dlq: KeyedDlqRecord };

/**
 * Stage 2, `snapshot_to_station_rows`: a station_status envelope → its rows as one batch element
 * (a snapshot with no usable station gives none), a mapping failure → one DLQ record, another event
 * type → nothing. `ExplodeRowsDoFn` (or a sink) turns the batch into KeyedRows.
 */
export class SnapshotToRowsDoFn {
  readonly beamName = 'snapshot_to_station_rows';

  process(parsed: ParsedMessage, context: SnapshotToRowsContext): SnapshotToRowsOutput[] {
    const { envelope, message, text } = parsed;
    if (envelope.event_type !== STATION_STATUS) {
      context.ignored.increment();
      return [];
    }
    try {
      const rows = statusSnapshotToRows(envelope, text);
      context.curated.increment();
      context.stationRows.increment(rows.length);
      if (rows.length === 0) return [];
      return [{ rows: { messageId: message.messageId ?? null, rows } }];
    } catch (error) {
      context.dlqCount.increment();
      const meta = envelopeMeta(message, envelope);
      return [
        { dlq: dlqRecord(message, 'snapshot_to_station_rows', error, meta, context.fixedNow) },
      ];
    }
  }
}

/**
 * A snapshot's row batch → one KeyedRow element per station (insertId
 * `${messageId}:${station_id}`): the per-row form of the composite, for writes that take rows one
 * by one (the Dataflow BigQuery write).
 */
export class ExplodeRowsDoFn {
  readonly beamName = 'station_rows';

  process(batch: StationRowBatch): KeyedRow[] {
    return keyedRows(batch);
  }
}

/** Drops the insertId: what file mode writes and what the Dataflow BigQuery write takes. */
export class UnkeyDoFn<T> {
  readonly beamName: string;

  constructor(output: string) {
    this.beamName = `unkey_${output}`;
  }

  process(element: { value: T }): T[] {
    return [element.value];
  }
}

requireForSerialization('paris-mobility-pulse/beam/transform/curated-dofns.ts', {
  ParseNormalizeDoFn,
  SnapshotToRowsDoFn,
  ExplodeRowsDoFn,
  UnkeyDoFn,
});

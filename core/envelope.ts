import { define, type, validate, type Struct } from 'superstruct';
import { EVENT_TYPES } from './defaults.js';
import { StageError } from './errors.js';
import { isRecord, own, present } from './lenient.js';
import { decodeUtf8Strict, kindOf, preview } from './text.js';
import { dateToTimestamp, epochSecondsToTimestamp, normalizeTimestamp } from './timestamps.js';

/** What the collectors publish. */
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The event envelope on `pmp-events` and `pmp-velib-station-info` (ARCHITECTURE.md, "Contracts").
 * After `normalizeEnvelope`, both timestamps are RFC 3339 UTC strings ending in 'Z'.
 */
export interface Envelope {
  ingest_ts: string;
  event_ts: string;
  source: string;
  event_type: string;
  key: string;
  payload: unknown;
}

export function isEventType(value: unknown): value is EventType {
  return (EVENT_TYPES as readonly unknown[]).includes(value);
}

/**
 * The feed's own clock: Vélib writes `lastUpdatedOther`, GBFS 1.0–2.3 `last_updated` (epoch
 * seconds), GBFS 3.0 `last_updated` as RFC 3339. Null when the document carries none we can read.
 */
export function feedTimestamp(document: unknown): string | null {
  if (!isRecord(document)) return null;
  for (const name of ['lastUpdatedOther', 'last_updated']) {
    const value = own(document, name);
    if (!present(value)) continue;
    const stamp =
      typeof value === 'string' && normalizeTimestamp(value) !== null
        ? normalizeTimestamp(value)
        : epochSecondsToTimestamp(value);
    if (stamp !== null) return stamp;
  }
  return null;
}

/**
 * Wraps a fetched feed document (left untouched) in an envelope: event time from the feed, else the
 * ingest time. Throws a TypeError naming the bad argument (a programming error, not bad data).
 */
export function buildEnvelope(i: {
  document: unknown;
  source: string;
  eventType: EventType;
  ingestTs: Date;
}): Envelope {
  if (!(i.ingestTs instanceof Date) || Number.isNaN(i.ingestTs.getTime())) {
    throw new TypeError(`buildEnvelope: ingestTs must be a valid Date, got ${preview(i.ingestTs)}`);
  }
  if (typeof i.source !== 'string' || i.source.trim() === '') {
    throw new TypeError(
      `buildEnvelope: source must be a non-empty string, got ${preview(i.source)}`,
    );
  }
  if (!isEventType(i.eventType)) {
    throw new TypeError(
      `buildEnvelope: eventType must be one of ${EVENT_TYPES.join(', ')}, got ${preview(i.eventType)}`,
    );
  }
  const ingest_ts = dateToTimestamp(i.ingestTs);
  return {
    ingest_ts,
    event_ts: feedTimestamp(i.document) ?? ingest_ts,
    source: i.source,
    event_type: i.eventType,
    key: `${i.source}:${i.eventType}`,
    payload: i.document,
  };
}

const missing = (v: unknown): boolean => v === undefined || v === null || v === '';

const Timestamp = define<string>('Timestamp', (v) => {
  if (missing(v)) return 'is missing';
  if (typeof v === 'string' && normalizeTimestamp(v) !== null) return true;
  return `must be an RFC 3339 timestamp, got ${preview(v)}`;
});

const OptionalTimestamp = define<unknown>('OptionalTimestamp', (v) => {
  if (missing(v) || (typeof v === 'string' && normalizeTimestamp(v) !== null)) return true;
  if (typeof v === 'number' && epochSecondsToTimestamp(v) !== null) return true;
  return `must be an RFC 3339 timestamp or epoch seconds, got ${preview(v)}`;
});

const Text = define<string>('Text', (v) => {
  if (missing(v)) return 'is missing';
  if (typeof v === 'string' && v.trim() !== '') return true;
  return `must be a non-empty string, got ${preview(v)}`;
});

const OptionalText = define<unknown>('OptionalText', (v) =>
  missing(v) || typeof v === 'string' ? true : `must be a string, got ${preview(v)}`,
);

const Payload = define<unknown>('Payload', (v) => (present(v) ? true : 'is missing'));

/** The envelope fields as they may arrive; `normalizeEnvelope` fills in the rest. */
export const EnvelopeInput: Struct<{
  ingest_ts: string;
  event_ts: unknown;
  source: string;
  event_type: string;
  key: unknown;
  payload: unknown;
}> = type({
  ingest_ts: Timestamp,
  event_ts: OptionalTimestamp,
  source: Text,
  event_type: Text,
  key: OptionalText,
  payload: Payload,
});

function invalid(message: string): StageError {
  return new StageError('parse_normalize', 'InvalidEnvelope', message);
}

/**
 * Checks and completes an envelope, the rules of ARCHITECTURE.md and the original
 * `normalize_event`: `ingest_ts`, `source`, `event_type` and `payload` are required; a missing
 * `event_ts` comes from the payload's feed clock, else `ingest_ts`; a missing `key` is
 * `<source>:<event_type>`; timestamps are rewritten as UTC with 'Z'; a string payload is parsed as
 * JSON (kept as `{raw_payload}` when it is not JSON) and a scalar one becomes `{value}`.
 * Throws StageError('parse_normalize') naming every field at fault.
 */
export function normalizeEnvelope(value: unknown): Envelope {
  if (!isRecord(value)) throw invalid(`envelope must be a JSON object, got ${kindOf(value)}`);
  const [error, input] = validate(value, EnvelopeInput);
  if (error) {
    const reasons = error.failures().map((f) => `${f.path.join('.') || 'envelope'} ${f.message}`);
    throw invalid(`envelope is invalid: ${reasons.join('; ')}`);
  }
  const ingest_ts = normalizeTimestamp(input.ingest_ts) as string;
  const payload = coercePayload(input.payload);
  const event_ts = missing(input.event_ts)
    ? (feedTimestamp(payload) ?? ingest_ts)
    : typeof input.event_ts === 'string'
      ? (normalizeTimestamp(input.event_ts) as string)
      : (epochSecondsToTimestamp(input.event_ts) as string);
  const key = typeof input.key === 'string' && input.key !== '' ? input.key : null;
  return {
    ingest_ts,
    event_ts,
    source: input.source,
    event_type: input.event_type,
    key: key ?? `${input.source}:${input.event_type}`,
    payload,
  };
}

function coercePayload(payload: unknown): unknown {
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload) as unknown;
    } catch {
      return { raw_payload: payload };
    }
  }
  return typeof payload === 'object' && payload !== null ? payload : { value: payload };
}

/** Message data (UTF-8 JSON) → a normalised envelope; StageError('parse_normalize') otherwise. */
export function parseEnvelope(raw: string | Uint8Array): Envelope {
  return parseEnvelopeText(raw).envelope;
}

/**
 * `parseEnvelope`, also handing back the decoded JSON text the envelope was parsed from, which
 * `statusSnapshotToRows` can take to slice `raw_station_json` out of instead of serializing each
 * station again.
 */
export function parseEnvelopeText(raw: string | Uint8Array): { envelope: Envelope; text: string } {
  let text: string;
  if (typeof raw === 'string') {
    text = raw;
  } else if (raw instanceof Uint8Array) {
    try {
      text = decodeUtf8Strict(raw);
    } catch {
      throw new StageError('parse_normalize', 'UnicodeDecodeError', 'message is not valid UTF-8');
    }
  } else {
    throw invalid(`message must be a string or bytes, got ${kindOf(raw)}`);
  }
  if (text.trim() === '') {
    throw new StageError('parse_normalize', 'JSONDecodeError', 'message is empty');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new StageError(
      'parse_normalize',
      'JSONDecodeError',
      `message is not valid JSON: ${reason}`,
    );
  }
  return { envelope: normalizeEnvelope(value), text };
}

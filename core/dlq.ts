import { ERROR_MESSAGE_MAX_CHARS, RAW_MAX_CHARS } from './defaults.js';
import { StageError, type Stage } from './errors.js';
import { isRecord } from './lenient.js';
import { dateToTimestamp } from './timestamps.js';
import { cutText, decodeUtf8Lossy, safeJsonStringify, toWellFormed } from './text.js';
import type { curatedDlqTable, RowOf } from './warehouse/index.js';

export { RAW_MAX_CHARS } from './defaults.js';

export type CuratedDlqRow = RowOf<typeof curatedDlqTable>;

/** Text fit for a STRING column: valid UTF-8 and at most `max` characters. */
function columnText(text: string | null, max: number): string | null {
  return text === null ? null : cutText(toWellFormed(text), max);
}

/** The input as text: strings as they are, bytes decoded (invalid bytes → U+FFFD), else JSON. */
function rawText(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (raw instanceof Uint8Array) return decodeUtf8Lossy(raw);
  return safeJsonStringify(raw);
}

function errorTypeOf(error: unknown, stage: Stage): string {
  if (error instanceof StageError) return error.errorType;
  if (error instanceof Error) return error.name || 'Error';
  return stage === 'bq_insert_curated' ? 'BigQueryInsertError' : 'UnknownError';
}

function errorMessageOf(error: unknown, bqErrors: unknown): string | null {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  // As the original: the first BigQuery error's message, else all of them.
  const first: unknown = Array.isArray(bqErrors) ? bqErrors[0] : undefined;
  if (isRecord(first) && typeof first.message === 'string') return first.message;
  if (error !== undefined && error !== null) return safeJsonStringify(error);
  return bqErrors === undefined ? null : safeJsonStringify(bqErrors);
}

/** Errors are whatever was thrown; reading one (a getter, a proxy) must not throw in turn. */
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function timestampOf(now: Date): string {
  // A DLQ record must always be written; an unusable clock reading must not lose it.
  return now instanceof Date && !Number.isNaN(now.getTime())
    ? dateToTimestamp(now)
    : dateToTimestamp(new Date(0));
}

/**
 * A row for `pmp_ops.velib_station_status_curated_dlq`. Never throws: every field is made safe to
 * write (raw, row_json and bq_errors cut at RAW_MAX_CHARS, messages at ERROR_MESSAGE_MAX_CHARS,
 * lone surrogates replaced so the text is valid UTF-8).
 */
export function buildCuratedDlqRecord(i: {
  stage: Stage;
  error: unknown;
  raw: unknown;
  eventMeta?: Record<string, unknown>;
  now: Date;
  row?: unknown;
  bqErrors?: unknown;
}): CuratedDlqRow {
  return {
    dlq_ts: timestampOf(i.now),
    stage: i.stage,
    error_type: attempt(() => errorTypeOf(i.error, i.stage), 'UnknownError'),
    error_message: columnText(
      attempt(() => errorMessageOf(i.error, i.bqErrors), 'the error could not be read'),
      ERROR_MESSAGE_MAX_CHARS,
    ),
    raw: columnText(rawText(i.raw), RAW_MAX_CHARS),
    event_meta: i.eventMeta === undefined ? null : safeJsonStringify(i.eventMeta),
    row_json: i.row === undefined ? null : columnText(safeJsonStringify(i.row), RAW_MAX_CHARS),
    bq_errors:
      i.bqErrors === undefined ? null : columnText(safeJsonStringify(i.bqErrors), RAW_MAX_CHARS),
  };
}

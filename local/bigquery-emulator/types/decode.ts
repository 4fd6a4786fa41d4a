import {
  blobValue,
  dateValue,
  decimalValue,
  listValue,
  structValue,
  timestampTZValue,
  timestampValue,
  timeValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { canonicalTimestampMicros } from './canonical-timestamp.js';
import { canonicalBigNumeric, parseScaledDecimal } from './decimal-text.js';
import type { RestField } from './schema.js';

/** One entry of `insertErrors[].errors`, in BigQuery's exact shape. */
export interface RowError {
  reason: 'invalid' | 'stopped';
  location: string;
  debugInfo: string;
  message: string;
}

/** Raised inside a field decoder; turned into a RowError at the row level. */
class FieldError extends Error {
  constructor(
    readonly location: string,
    message: string,
  ) {
    super(message);
  }
}

export type DecodedRow = { ok: true; values: DuckDBValue[] } | { ok: false; errors: RowError[] };

export interface DecodeOptions {
  /** Drop fields the schema does not know instead of failing the row. */
  ignoreUnknownValues: boolean;
}

type FieldDecoder = (value: unknown, location: string) => DuckDBValue;

/**
 * Compiles a decoder from a table schema: it turns one `insertAll` row (`rows[].json`) into DuckDB
 * values in column order, with BigQuery's coercions (numbers in strings, epoch seconds for
 * timestamps, base64 bytes), or into the row errors BigQuery would report.
 */
export function compileRowDecoder(
  fields: readonly RestField[],
): (json: unknown, options: DecodeOptions) => DecodedRow {
  const record = compileRecord(fields);
  return (json, options) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return {
        ok: false,
        errors: [rowError('', 'Row must be a JSON object.')],
      };
    }
    const errors: RowError[] = [];
    const values = record(json as Record<string, unknown>, '', options, errors);
    return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
  };
}

function rowError(location: string, message: string): RowError {
  return { reason: 'invalid', location, debugInfo: '', message };
}

type RecordDecoder = (
  object: Record<string, unknown>,
  path: string,
  options: DecodeOptions,
  errors: RowError[],
) => DuckDBValue[];

/** Decodes one field value (mode applied) at `location`; throws FieldError on a bad value. */
type CompiledField = (
  value: unknown,
  location: string,
  options: DecodeOptions,
  errors: RowError[],
) => DuckDBValue;

function compileRecord(fields: readonly RestField[]): RecordDecoder {
  // Compiled once per schema: the per-row path allocates no closures (it runs 10,000s of times
  // per request).
  const decoders = fields.map(compileWithMode);
  const byLowerName = new Map(fields.map((field, i) => [field.name.toLowerCase(), i]));
  const count = fields.length;
  return (object, path, options, errors) => {
    const values: DuckDBValue[] = new Array<DuckDBValue>(count);
    for (const key in object) {
      // Column names are case-insensitive in BigQuery.
      const index = byLowerName.get(key) ?? byLowerName.get(key.toLowerCase());
      const location = path === '' ? key : `${path}.${key}`;
      if (index === undefined) {
        if (!options.ignoreUnknownValues) errors.push(rowError(location, `no such field: ${key}.`));
        continue;
      }
      try {
        values[index] = decoders[index]!(object[key], location, options, errors);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        errors.push(rowError(error.location, error.message));
        values[index] = ERRORED;
      }
    }
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (value === ERRORED) {
        values[i] = null;
        continue;
      }
      if (value !== undefined && value !== null) continue;
      const field = fields[i]!;
      if (field.mode === 'REPEATED') values[i] = listValue([]);
      else values[i] = null;
      if (field.mode === 'REQUIRED') {
        const location = path === '' ? field.name : `${path}.${field.name}`;
        errors.push(rowError(location, `Missing required field: ${location}.`));
      }
    }
    return values;
  };
}

/** Marks a field whose value already produced an error (so it is not also reported missing). */
const ERRORED = Symbol('errored') as unknown as DuckDBValue;

function compileWithMode(field: RestField): CompiledField {
  const one = compileOne(field);
  if (field.mode === 'REPEATED') {
    return (value, location, options, errors) => {
      if (value === null || value === undefined) return listValue([]);
      if (!Array.isArray(value)) {
        throw new FieldError(location, `Expected an array for repeated field: ${field.name}.`);
      }
      const items: DuckDBValue[] = new Array<DuckDBValue>(value.length);
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === null || item === undefined) {
          throw new FieldError(
            location,
            `Array specified for field ${field.name} has a null element.`,
          );
        }
        items[i] = one(item, `${location}[${i}]`, options, errors);
      }
      return listValue(items);
    };
  }
  return (value, location, options, errors) => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) {
      throw new FieldError(location, `Array specified for non-repeated field: ${field.name}.`);
    }
    return one(value, location, options, errors);
  };
}

function compileOne(field: RestField): CompiledField {
  if (field.type === 'RECORD') {
    const record = compileRecord(field.fields ?? []);
    const names = (field.fields ?? []).map((f) => f.name);
    return (item, at, options, errors) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new FieldError(at, `This field: ${field.name} is not a record.`);
      }
      const inner = record(item as Record<string, unknown>, at, options, errors);
      const entries: Record<string, DuckDBValue> = {};
      for (let i = 0; i < names.length; i++) entries[names[i]!] = inner[i]!;
      return structValue(entries);
    };
  }
  const scalar = compileField(field) as FieldDecoder;
  return (item, at) => scalar(item, at);
}

function compileField(field: RestField): FieldDecoder {
  switch (field.type) {
    case 'RECORD':
      throw new Error('records are compiled by compileOne');
    case 'STRING':
    case 'GEOGRAPHY':
      return decodeString;
    case 'INTEGER':
      return decodeInteger;
    case 'FLOAT':
      return decodeFloat;
    case 'BOOLEAN':
      return decodeBoolean;
    case 'NUMERIC':
      return decodeNumeric;
    case 'BIGNUMERIC':
      return decodeBigNumeric;
    case 'TIMESTAMP':
      return (value: unknown, at: string) => timestampTZValue(parseTimestampMicros(value, at));
    case 'DATETIME':
      return (value: unknown, at: string) => timestampValue(parseDatetimeMicros(value, at));
    case 'DATE':
      return (value: unknown, at: string) => dateValue(parseDateDays(value, at));
    case 'TIME':
      return (value: unknown, at: string) => timeValue(parseTimeMicros(value, at));
    case 'BYTES':
      return decodeBytes;
    case 'JSON':
      return decodeJson;
  }
}

export function decodeString(value: unknown, at: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new FieldError(at, `Cannot convert value to string: ${describe(value)}`);
}

const INT_TEXT = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function decodeInteger(value: unknown, at: string): bigint | number {
  // Small integers stay numbers (the appender widens them), sparing a BigInt per value.
  if (typeof value === 'number' && (value | 0) === value) return value;
  let result: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) result = BigInt(value);
  else if (typeof value === 'string' && INT_TEXT.test(value.trim())) result = BigInt(value.trim());
  if (result === undefined || result < INT64_MIN || result > INT64_MAX) {
    throw new FieldError(at, `Cannot convert value to integer (bad value): ${describe(value)}`);
  }
  return result;
}

export function decodeFloat(value: unknown, at: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(text)) return NaN;
    const parsed = Number(text);
    if (text !== '' && !Number.isNaN(parsed)) return parsed;
  }
  throw new FieldError(
    at,
    `Cannot convert value to floating point (bad value): ${describe(value)}`,
  );
}

export function decodeBoolean(value: unknown, at: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  if (value === 1 || value === 0) return value === 1;
  throw new FieldError(at, `Cannot convert value to boolean: ${describe(value)}`);
}

const NUMERIC_LIMIT = 10n ** 38n; // 29 integer digits + 9 fractional digits

export function decodeNumeric(value: unknown, at: string): DuckDBValue {
  const text = typeof value === 'number' ? numberToPlainText(value) : value;
  const scaled = typeof text === 'string' ? parseScaledDecimal(text, 9) : undefined;
  if (scaled === undefined || scaled >= NUMERIC_LIMIT || scaled <= -NUMERIC_LIMIT) {
    throw new FieldError(at, `Invalid NUMERIC value: ${describe(value)}`);
  }
  return decimalValue(scaled, 38, 9);
}

export function decodeBigNumeric(value: unknown, at: string): string {
  const text = typeof value === 'number' ? numberToPlainText(value) : value;
  const canonical = typeof text === 'string' ? canonicalBigNumeric(text) : undefined;
  if (canonical === undefined) {
    throw new FieldError(at, `Invalid BIGNUMERIC value: ${describe(value)}`);
  }
  return canonical;
}

/** `1e-7` → `0.0000001`: JSON numbers reach us as doubles, decimals want their plain digits. */
function numberToPlainText(value: number): string {
  if (!Number.isFinite(value)) return 'NaN';
  return Math.abs(value) < 1e21 ? value.toFixed(20).replace(/\.?0+$/, '') : String(value);
}

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

export function decodeBytes(value: unknown, at: string): DuckDBValue {
  if (typeof value === 'string' && BASE64.test(value)) {
    return blobValue(Buffer.from(value, 'base64'));
  }
  throw new FieldError(at, `Could not decode base64 string to bytes: ${describe(value)}`);
}

export function decodeJson(value: unknown, at: string): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  try {
    JSON.parse(value);
  } catch {
    throw new FieldError(at, `Invalid JSON string: ${describe(value)}`);
  }
  return value;
}

const MICROS_PER_DAY = 86_400_000_000n;
const DATE_PART = String.raw`(\d{4})[-/](\d{1,2})[-/](\d{1,2})`;
const TIME_PART = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?`;
const TIMESTAMP_TEXT = new RegExp(
  String.raw`^${DATE_PART}(?:(?:[Tt]|\s+)${TIME_PART})?\s*(Z|z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$`,
);
const DATETIME_TEXT = new RegExp(String.raw`^${DATE_PART}(?:(?:[Tt]|\s+)${TIME_PART})?$`);
const DATE_TEXT = new RegExp(String.raw`^${DATE_PART}$`);
const TIME_TEXT = new RegExp(String.raw`^${TIME_PART}$`);
/** 0001-01-01 and 9999-12-31, BigQuery's range for dates and timestamps. */
const MIN_DAYS = -719_162;
const MAX_DAYS = 2_932_896;

function daysFromCivil(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const days = Math.floor(date.getTime() / 86_400_000);
  return days < MIN_DAYS || days > MAX_DAYS ? undefined : days;
}

function timeOfDayMicros(
  hour?: string,
  minute?: string,
  second?: string,
  fraction?: string,
): bigint | undefined {
  const h = Number(hour ?? 0);
  const m = Number(minute ?? 0);
  const s = Number(second ?? 0);
  if (h > 23 || m > 59 || s > 59) return undefined;
  // Digits past microseconds are truncated, as BigQuery stores microseconds.
  const micros = Number((fraction ?? '').slice(0, 6).padEnd(6, '0'));
  return BigInt(((h * 60 + m) * 60 + s) * 1_000_000 + micros);
}

function parseOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || /^(z|utc)$/i.test(zone)) return 0;
  const match = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** TIMESTAMP from RFC 3339-ish text (any offset) or epoch seconds, as UTC microseconds. */
export function parseTimestampMicros(value: unknown, at: string): bigint {
  if (typeof value === 'string') {
    const fast = canonicalTimestampMicros(value);
    if (fast === fast) return BigInt(fast);
  }
  // Epoch seconds; past ±1e12 s (far outside 0001–9999) the product may overflow to Infinity.
  if (typeof value === 'number' && Math.abs(value) < 1e12) {
    const micros = BigInt(Math.round(value * 1e6));
    if (micros / MICROS_PER_DAY >= MIN_DAYS && micros / MICROS_PER_DAY <= MAX_DAYS) return micros;
  }
  if (typeof value === 'string') {
    const match = TIMESTAMP_TEXT.exec(value.trim());
    if (match) {
      const days = daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
      const time = timeOfDayMicros(match[4], match[5], match[6], match[7]);
      const offset = parseOffsetMinutes(match[8]);
      if (days !== undefined && time !== undefined && offset !== undefined) {
        return BigInt(days) * MICROS_PER_DAY + time - BigInt(offset) * 60_000_000n;
      }
    }
  }
  throw new FieldError(
    at,
    `Could not parse '${typeof value === 'string' ? value : describe(value)}' as a timestamp. Required format is YYYY-MM-DD HH:MM[:SS[.SSSSSS]] or YYYY/MM/DD HH:MM[:SS[.SSSSSS]]`,
  );
}

export function parseDatetimeMicros(value: unknown, at: string): bigint {
  const match = typeof value === 'string' ? DATETIME_TEXT.exec(value.trim()) : null;
  if (match) {
    const days = daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
    const time = timeOfDayMicros(match[4], match[5], match[6], match[7]);
    if (days !== undefined && time !== undefined) return BigInt(days) * MICROS_PER_DAY + time;
  }
  throw new FieldError(at, `Invalid datetime string "${describe(value)}"`);
}

export function parseDateDays(value: unknown, at: string): number {
  const match = typeof value === 'string' ? DATE_TEXT.exec(value.trim()) : null;
  const days = match
    ? daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]))
    : undefined;
  if (days === undefined) throw new FieldError(at, `Invalid date string "${describe(value)}"`);
  return days;
}

export function parseTimeMicros(value: unknown, at: string): bigint {
  const match = typeof value === 'string' ? TIME_TEXT.exec(value.trim()) : null;
  const micros = match ? timeOfDayMicros(match[1], match[2], match[3], match[4]) : undefined;
  if (micros === undefined) throw new FieldError(at, `Invalid time string "${describe(value)}"`);
  return micros;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

export { FieldError };

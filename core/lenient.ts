import { INT64_MAX, INT64_MIN } from './defaults.js';
import { toWellFormed } from './text.js';

/**
 * Lenient value conversions with the semantics of the original Python pipeline, which wrapped
 * Python's `int()` in a try/except: a value that does not convert becomes null, never an error.
 *
 * `toInt` decisions (Python `int()` where it applies):
 *   3 → 3;  3.9 → 3 and -3.9 → -3 (truncation);  true → 1, false → 0;
 *   "3", " 3 ", "+3", "1_000" → 3, 3, 3, 1000;  "3.0", "abc", "", "0x10" → null;
 *   NaN, ±Infinity, objects, arrays, null, undefined → null.
 * Deliberate differences, all towards null: a result outside BigQuery INT64 becomes null (Python kept
 * it and BigQuery rejected the row); non-ASCII digits ("٣") become null (Python accepts them).
 * Results beyond ±2^53 come back as decimal strings (BigQuery takes INT64 as a string exactly).
 */
export function toInt(value: unknown): number | string | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    // Fast path first: almost every count in a feed is a small integer, and BigInt costs ~20x.
    if (Number.isSafeInteger(value)) return value + 0;
    if (!Number.isFinite(value)) return null;
    const truncated = Math.trunc(value);
    return Number.isSafeInteger(truncated) ? truncated + 0 : fromBigInt(BigInt(truncated));
  }
  if (typeof value === 'bigint') return fromBigInt(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) return null;
    const digits = text.replaceAll('_', '');
    // Up to 15 digits always fit a double exactly; only longer ones need BigInt's range check.
    return digits.length <= 15 ? Number(digits) + 0 : fromBigInt(BigInt(digits));
  }
  return null;
}

function fromBigInt(n: bigint): number | string | null {
  if (n < INT64_MIN || n > INT64_MAX) return null;
  const asNumber = Number(n);
  // `+ 0` turns -0 into 0.
  return Number.isSafeInteger(asNumber) ? asNumber + 0 : n.toString();
}

/**
 * A finite float, or null: numbers as they are, numeric strings as Python `float()` reads them
 * ("48.85", " 2.3e0 "), but never NaN or infinities (BigQuery FLOAT64 would take them, a map would
 * not). Booleans, objects and other strings → null.
 */
export function toFloat(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (typeof value === 'string') {
    const text = value.trim().replaceAll('_', '');
    if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return null;
    const parsed = Number(text);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/**
 * A string for a STRING column, or null: strings as they are (lone UTF-16 surrogates, which no
 * UTF-8 column accepts, replaced by U+FFFD), finite numbers in decimal. Booleans, objects and arrays
 * have no sensible textual id or code, so they are null (Python's `str()` would have written "True"
 * or a dict repr).
 */
export function toText(value: unknown): string | null {
  if (typeof value === 'string') return toWellFormed(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return null;
}

/** Python truthiness, for the original's `a or b or c` fallbacks (empty list/dict are falsy). */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

/** Python's `a or b or c`: the first truthy value, else the last one. */
export function firstTruthy(...values: unknown[]): unknown {
  for (const value of values) if (isTruthy(value)) return value;
  return values.at(-1);
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property, never one inherited from Object.prototype ("constructor", "toString"…). */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `dict.get(key)` that treats a missing key and JSON null alike (Python's `is None`). */
export function present(value: unknown): boolean {
  return value !== null && value !== undefined;
}

import { ERROR_VALUE_PREVIEW_CHARS } from './defaults.js';

/**
 * Text helpers for values that must survive being written anywhere: JSON encoding that never
 * throws, and cutting that never leaves half a UTF-16 surrogate pair (BigQuery rejects text that
 * is not valid UTF-8).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates with U+FFFD so the text encodes to valid UTF-8. */
export function toWellFormed(text: string): string {
  // Nearly all text is already well formed; testing is much cheaper than the regex replace.
  return isWellFormed(text) ? text : text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Whether the text has no lone surrogate (encodes to UTF-8 without U+FFFD replacements). */
export function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed is in Node 20 but not in our ES2023 lib typings.
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** At most `max` UTF-16 code units, without splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * JSON text for any value, never throwing: BigInts become decimal strings, repeated references
 * "[Circular]", and a value JSON cannot express (undefined, a function, a throwing getter) falls
 * back to its `String()` form or null.
 */
export function safeJsonStringify(value: unknown): string | null {
  try {
    // Fast path: parsed JSON has no BigInt and no cycles; the replacer below costs ~10x.
    const text = JSON.stringify(value);
    return text === undefined ? null : text;
  } catch {
    return guardedJsonStringify(value);
  }
}

function guardedJsonStringify(value: unknown): string | null {
  try {
    const seen = new WeakSet<object>();
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
    return text === undefined ? null : text;
  } catch {
    try {
      return JSON.stringify(String(value));
    } catch {
      return null;
    }
  }
}

// Decoders are made per call: Beam serialises the closures it is handed, so no module-level state.

/** Decodes UTF-8, throwing a TypeError on invalid bytes. A leading BOM is dropped. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Decodes UTF-8, invalid bytes becoming U+FFFD (for DLQ records, which must keep something). */
export function decodeUtf8Lossy(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** A short, single-line quote of a value for error messages. */
export function preview(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else text = safeJsonStringify(value) ?? String(value);
  text = toWellFormed(text);
  return text.length > ERROR_VALUE_PREVIEW_CHARS
    ? `${cutText(text, ERROR_VALUE_PREVIEW_CHARS)}…`
    : text;
}

/** "array", "null", "string"…: what a value is, for messages like "expected an object, got array". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

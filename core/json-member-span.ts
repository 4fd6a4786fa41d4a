import { isWellFormed } from './text.js';

/**
 * Finding a value inside JSON text that has already been parsed, without serializing the parsed
 * value again: where it lies, and whether its text can stand for the parsed value. The writers
 * take large pieces (a snapshot's payload, each station) as slices of the message text this way
 * (docs/PERFORMANCE.md, #6 and #8).
 */

/** Where one JSON value lies in a text, and what its text is like. */
export interface JsonValueSpan {
  /** The value's text is `text.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  /**
   * Whether that text is exactly what `JSON.stringify(JSON.parse(text))` writes: no whitespace,
   * no escape it would write otherwise, numbers in their shortest form, no key like "0" or "12"
   * (JSON.stringify writes those first). False says nothing wrong about the value itself.
   */
  readonly stringifyForm: boolean;
  /**
   * Whether every number in it is the shortest text of its double (or a plain integer of at most
   * 15 digits), so that any JSON reader, not only JavaScript's, reads the number JSON.parse did.
   */
  readonly exactNumbers: boolean;
  /** Object members in it at every depth. Fewer in the parsed value mean a repeated key. */
  readonly keyCount: number;
}

/**
 * The span of the value at member `path` (object keys from the root), or null when the text
 * does not have it plainly: a member on the way repeated (the parsed value is then the last one),
 * a non-object on the way. The text must be valid JSON (it has been parsed); null also when it is
 * not well-formed UTF-16 or the scan gets lost.
 */
export function jsonMemberSpan(text: string, path: readonly string[]): JsonValueSpan | null {
  return scanJsonMember(text, path, (scanner) => scanner.valueSpan());
}

/**
 * Like `jsonMemberSpan`, but hands the scanner, positioned at the value, to `at`, which must scan
 * exactly that value (e.g. `elementSpans`) and may answer null to give up.
 */
export function scanJsonMember<T>(
  text: string,
  path: readonly string[],
  at: (scanner: JsonTextScanner) => T | null,
): T | null {
  if (path.length === 0 || !isWellFormed(text)) return null;
  try {
    const scanner = new JsonTextScanner(text);
    scanner.skipSpace();
    return scanner.member(path, 0, at);
  } catch {
    return null; // lost (not the JSON it should be) or nested deeper than the stack
  }
}

/**
 * The text of the object or array at `path` when it stands for `parsed` (the value JSON.parse
 * gave there) for any JSON reader: same members (no repeated key anywhere in it: JSON.parse keeps
 * the last of repeated keys, other readers may keep the first) and the same numbers. It may keep
 * the writer's whitespace, escapes and member order, which change no value. null when unsure: the
 * caller serializes `parsed` instead.
 */
export function memberValueText(
  text: string,
  path: readonly string[],
  parsed: unknown,
): string | null {
  if (typeof parsed !== 'object' || parsed === null) return null;
  const span = jsonMemberSpan(text, path);
  if (span === null || !span.exactNumbers) return null;
  const open = text.charCodeAt(span.start);
  if (open !== (Array.isArray(parsed) ? OPEN_ARRAY : OPEN_OBJECT)) return null;
  if (countJsonMembers(parsed) !== span.keyCount) return null;
  return text.slice(span.start, span.end);
}

/**
 * Object members in a parsed JSON value at every depth (for-in: no key array allocated); -1 when
 * it is nested deeper than the stack allows, which no span's keyCount equals.
 */
export function countJsonMembers(value: unknown): number {
  try {
    return countKeys(value);
  } catch {
    return -1;
  }
}

function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countKeys(item);
    return count;
  }
  for (const key in value) {
    count += 1 + countKeys((value as Record<string, unknown>)[key]);
  }
  return count;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * One pass over valid JSON text, skipping values it is not asked about; throws when it gets lost.
 * Strings are skipped with native `indexOf` when they hold no backslash, which most do.
 */
export class JsonTextScanner {
  private pos = 0;
  /** Whether the value being spanned is still in JSON.stringify's form. */
  private stringifyForm = true;
  private exactNumbers = true;
  private keys = 0;
  /** Position of the next backslash at or after the scan position (Infinity: none left). */
  private nextBackslash = -1;

  constructor(private readonly text: string) {}

  /**
   * At an object: goes down member `path[depth]` (which must be there exactly once, however its
   * key is spelled, as JSON.parse keeps the last of repeated keys) and skips the other members,
   * leaving the position after the object. At the end of the path, `at` scans the value.
   */
  member<T>(
    path: readonly string[],
    depth: number,
    at: (scanner: JsonTextScanner) => T | null,
  ): T | null {
    if (this.code() !== OPEN_OBJECT) return null;
    this.pos += 1;
    let found: T | null = null;
    let seen = false;
    for (;;) {
      this.skipSpace();
      if (this.code() === CLOSE_OBJECT) break;
      const keyStart = this.pos + 1;
      this.string();
      const raw = this.text.slice(keyStart, this.pos - 1);
      // A key spelled with escapes ("pay\u006coad") is the same key to JSON.parse.
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      this.skipSpace();
      this.pos += 1; // ':'
      this.skipSpace();
      if (key === path[depth]) {
        if (seen) return null;
        seen = true;
        found = depth === path.length - 1 ? at(this) : this.member(path, depth + 1, at);
        if (found === null) return null;
      } else {
        this.value();
      }
      this.skipSpace();
      if (this.code() === COMMA) this.pos += 1;
    }
    this.pos += 1;
    return found;
  }

  /** At a value: scans it and tells where it lies and what its text is like. */
  valueSpan(): JsonValueSpan {
    this.stringifyForm = true;
    this.exactNumbers = true;
    this.keys = 0;
    const start = this.pos;
    this.value();
    return {
      start,
      end: this.pos,
      stringifyForm: this.stringifyForm,
      exactNumbers: this.exactNumbers,
      keyCount: this.keys,
    };
  }

  /** At an array: the span of each element, leaving the position after the array; else null. */
  elementSpans(): JsonValueSpan[] | null {
    if (this.code() !== OPEN_ARRAY) return null;
    const spans: JsonValueSpan[] = [];
    this.pos += 1;
    this.skipSpace();
    if (this.code() === CLOSE_ARRAY) {
      this.pos += 1;
      return spans;
    }
    for (;;) {
      this.skipSpace();
      spans.push(this.valueSpan());
      this.skipSpace();
      const next = this.code();
      this.pos += 1;
      if (next === CLOSE_ARRAY) return spans;
      if (next !== COMMA) throw new Error('array');
    }
  }

  /** Skips whitespace; whitespace inside a value means it is not in JSON.stringify's form. */
  skipSpace(): void {
    for (;;) {
      const c = this.code();
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.stringifyForm = false;
      this.pos += 1;
    }
  }

  private code(): number {
    return this.text.charCodeAt(this.pos);
  }

  private value(): void {
    const c = this.code();
    if (c === QUOTE) this.string();
    else if (c === OPEN_OBJECT) this.container(CLOSE_OBJECT);
    else if (c === OPEN_ARRAY) this.container(CLOSE_ARRAY);
    else if (c === 0x74 || c === 0x6e)
      this.pos += 4; // true, null
    else if (c === 0x66)
      this.pos += 5; // false
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else throw new Error(`unexpected character at ${this.pos}`);
  }

  /** At '"': to after the closing quote. Only the escapes JSON.stringify writes keep the form. */
  private string(): void {
    const text = this.text;
    const quote = text.indexOf('"', this.pos + 1);
    if (quote === -1) throw new Error('unterminated string');
    // Most strings hold no backslash: then the closing quote is the next one, found natively.
    if (this.nextBackslash <= this.pos) {
      const next = text.indexOf('\\', this.pos + 1);
      this.nextBackslash = next === -1 ? Infinity : next;
    }
    if (this.nextBackslash > quote) {
      this.pos = quote + 1;
      return;
    }
    let pos = this.pos + 1;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const e = text.charCodeAt(pos + 1);
        // \" \\ \b \f \n \r \t are JSON.stringify's; \/ and \uXXXX (which it writes only for
        // a few controls and lone surrogates) are taken as not in its form.
        const stringifyWritesIt =
          e === QUOTE ||
          e === BACKSLASH ||
          e === 0x62 || // b
          e === 0x66 || // f
          e === 0x6e || // n
          e === 0x72 || // r
          e === 0x74; // t
        if (!stringifyWritesIt) this.stringifyForm = false;
        pos += 2;
        continue;
      }
      if (Number.isNaN(c)) throw new Error('unterminated string');
      pos += 1;
    }
    this.pos = pos + 1;
  }

  private number(): void {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let integer = true;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c >= 0x30 && c <= 0x39) pos += 1;
      else if (c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) {
        if (pos !== start || c !== 0x2d) integer = false;
        pos += 1;
      } else break;
    }
    this.pos = pos;
    const negative = text.charCodeAt(start) === 0x2d;
    const digits = pos - start - (negative ? 1 : 0);
    const first = text.charCodeAt(start + (negative ? 1 : 0));
    if (integer && digits <= 15 && (first !== 0x30 || (digits === 1 && !negative))) return;
    // Not a plain safe integer: in form only if it is the number's shortest text.
    const literal = text.slice(start, pos);
    if (String(Number(literal)) !== literal) {
      this.stringifyForm = false;
      this.exactNumbers = false;
    }
  }

  /**
   * At '{' or '[' (`close` is the matching '}' or ']'): to after the close. An object's members
   * are counted, and a key like "0" or "12" puts it out of form (JSON.stringify writes such keys
   * first, whatever their place in the text).
   */
  private container(close: number): void {
    const isObject = close === CLOSE_OBJECT;
    this.pos += 1;
    this.skipSpace();
    if (this.code() === close) {
      this.pos += 1;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (isObject) {
        const first = this.text.charCodeAt(this.pos + 1);
        if (first >= 0x30 && first <= 0x39) this.stringifyForm = false;
        this.string();
        this.keys += 1;
        this.skipSpace();
        this.pos += 1; // ':'
        this.skipSpace();
      }
      this.value();
      this.skipSpace();
      const next = this.code();
      this.pos += 1;
      if (next === close) return;
      if (next !== COMMA) throw new Error(isObject ? 'object' : 'array');
    }
  }
}

import type { DuckDBDecimalValue } from '@duckdb/node-api';
import { canonicalTimestampMicros } from './canonical-timestamp.js';
import {
  decodeBigNumeric,
  decodeBoolean,
  decodeBytes,
  decodeFloat,
  decodeInteger,
  decodeJson,
  decodeNumeric,
  decodeString,
  FieldError,
  parseDateDays,
  parseDatetimeMicros,
  parseTimeMicros,
  parseTimestampMicros,
  type DecodeOptions,
  type RowError,
} from './decode.js';
import type { RestField } from './schema.js';

/**
 * Column-wise insertAll decoding for tables whose fields are all scalar (no RECORD, no REPEATED):
 * each row is checked and converted in one pass straight into per-column typed arrays, the memory
 * layout of DuckDB's vectors, so appending is a few bulk copies per 2,048 rows instead of a native
 * call per value, and no per-value objects (BigInts, DuckDB value wrappers) are made for the
 * common shapes. Uncommon input (numbers in strings, non-canonical timestamps, bad values) goes
 * through the same decoders as the row-wise path, so values and error messages are identical.
 */

/** How a column's values are laid out: the DuckDB physical type of its vector. */
export type ColumnLayout = 'int64' | 'int128' | 'int32' | 'float64' | 'bool' | 'string' | 'blob';

export interface Column {
  readonly layout: ColumnLayout;
  /** 1 where the value is NULL. */
  readonly nulls: Uint8Array;
  /** Fixed-width values (every layout but string and blob), `rowCapacity × width` bytes. */
  readonly data: ArrayBuffer | undefined;
  /** Variable-width values (string, blob). */
  readonly items: (string | Uint8Array | undefined)[] | undefined;
}

/** The decoded rows of one request, in column buffers; slot `k` is the k-th good row. */
export interface ColumnBatch {
  readonly columns: readonly Column[];
  rowCount: number;
  /** Keeps only the listed slots (ascending), in that order: rows dropped as duplicates. */
  keep(slots: readonly number[]): void;
}

export interface ColumnarDecodeResult {
  batch: ColumnBatch;
  /** Batch slot of each request row, -1 for rows with errors. */
  slotOfRow: Int32Array;
  insertErrors: { index: number; errors: RowError[] }[];
}

export type ColumnarDecoder = (
  rows: readonly unknown[],
  options: DecodeOptions,
) => ColumnarDecodeResult;

const TWO_32 = 4_294_967_296;

/** Width in bytes of one value of a fixed-width layout. */
export function layoutWidth(layout: ColumnLayout): number {
  switch (layout) {
    case 'int128':
      return 16;
    case 'int64':
    case 'float64':
      return 8;
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'string':
    case 'blob':
      return 0;
  }
}

/** Writes one non-null value into row `slot`; throws FieldError for a value of the wrong shape. */
type Put = (slot: number, value: unknown, at: string) => void;

/** A column being filled: `put` checks and converts a JSON value (the semantics of both paths). */
export interface ColumnBuilder extends Column {
  readonly put: Put;
}

/** Empty column buffers for `capacity` rows of a flat schema. */
export function createColumnBuilders(
  fields: readonly RestField[],
  capacity: number,
): ColumnBuilder[] {
  return fields.map((field) => columnBuilder(field, capacity));
}

/** The batch of the first `rowCount` slots of filled builders. */
export function batchOf(builders: ColumnBuilder[], rowCount: number): ColumnBatch {
  return new Batch(builders, rowCount);
}

/** The columnar decoder of a schema, or undefined when a field is a RECORD or REPEATED. */
export function compileColumnarDecoder(fields: readonly RestField[]): ColumnarDecoder | undefined {
  if (fields.some((f) => f.type === 'RECORD' || f.mode === 'REPEATED')) return undefined;
  const count = fields.length;
  const byLowerName = new Map(fields.map((field, i) => [field.name.toLowerCase(), i]));
  const names = fields.map((f) => f.name);
  const required = fields.flatMap((f, i) => (f.mode === 'REQUIRED' ? [i] : []));
  const shapes = Uint8Array.from(fields, shapeOf);

  // One function on purpose: the row loop writes the common shapes straight into local views of
  // the column buffers, with no call per value (what the columnar path exists for).
  return (rows, options) => {
    const capacity = rows.length;
    const builders = createColumnBuilders(fields, capacity);
    const { puts, nulls, items, words, doubles } = rowLoopViews(builders, shapes);
    const slotOfRow = new Int32Array(capacity);
    const insertErrors: { index: number; errors: RowError[] }[] = [];
    let slot = 0;
    let errors: RowError[] = [];
    // Columns whose value failed in the current row (not also reported as missing).
    const failed: number[] = [];

    for (let index = 0; index < capacity; index++) {
      const row = rows[index];
      const json =
        typeof row === 'object' && row !== null ? (row as { json?: unknown }).json : undefined;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        slotOfRow[index] = -1;
        insertErrors.push({ index, errors: [notAnObject(json)] });
        continue;
      }
      for (let c = 0; c < count; c++) nulls[c]![slot] = 1;
      const object = json as Record<string, unknown>;
      let position = 0;
      for (const key in object) {
        // Writers send the schema's order and exact names; anything else takes the lookup.
        let c = names[position] === key ? position : byLowerName.get(key);
        if (c === undefined) c = byLowerName.get(key.toLowerCase());
        position++;
        if (c === undefined) {
          if (!options.ignoreUnknownValues) errors.push(rowError(key, `no such field: ${key}.`));
          continue;
        }
        const value = object[key];
        if (value === null || value === undefined) continue;
        // The shapes writers send, stored in place: no call through the column's `put`.
        const shape = shapes[c];
        if (shape === TEXT && typeof value === 'string') {
          items[c]![slot] = value;
          nulls[c]![slot] = 0;
          continue;
        }
        if (shape === INT_NUMBER && typeof value === 'number' && (value | 0) === value) {
          writeInt64(words[c]!, slot, value);
          nulls[c]![slot] = 0;
          continue;
        }
        if (shape === FLOAT_NUMBER && typeof value === 'number') {
          doubles[c]![slot] = value;
          nulls[c]![slot] = 0;
          continue;
        }
        try {
          if (Array.isArray(value)) {
            throw new FieldError(key, `Array specified for non-repeated field: ${names[c]}.`);
          }
          puts[c]!(slot, value, key);
          nulls[c]![slot] = 0;
        } catch (error) {
          if (!(error instanceof FieldError)) throw error;
          errors.push(rowError(error.location, error.message));
          failed.push(c);
        }
      }
      for (const c of required) {
        if (nulls[c]![slot] === 1 && !failed.includes(c)) {
          errors.push(rowError(names[c]!, `Missing required field: ${names[c]}.`));
        }
      }
      if (errors.length > 0) {
        slotOfRow[index] = -1;
        insertErrors.push({ index, errors });
        errors = [];
        failed.length = 0;
        // Strings of a failed row may linger in the slot; the next row overwrites or clears them.
        clearVariableWidth(builders, slot);
      } else {
        slotOfRow[index] = slot++;
      }
    }
    return { batch: new Batch(builders, slot), slotOfRow, insertErrors };
  };
}

/** The builders' writers, null flags and the typed views the row loop stores values through. */
function rowLoopViews(builders: readonly ColumnBuilder[], shapes: Uint8Array) {
  return {
    puts: builders.map((b) => b.put),
    nulls: builders.map((b) => b.nulls),
    // Views the row loop writes the common shapes into itself (unused ones are empty).
    items: builders.map((b) => b.items ?? []),
    words: builders.map((b, c) => (shapes[c] === INT_NUMBER ? new Int32Array(b.data!) : NO_WORDS)),
    doubles: builders.map((b, c) =>
      shapes[c] === FLOAT_NUMBER ? new Float64Array(b.data!) : NO_DOUBLES,
    ),
  };
}

function notAnObject(json: unknown): RowError {
  return json === undefined
    ? rowError('', 'Row is missing its json object.')
    : rowError('', 'Row must be a JSON object.');
}

/** A column whose common JSON value the row loop stores itself (see {@link shapeOf}). */
const OTHER = 0;
/** STRING or GEOGRAPHY given a string. */
const TEXT = 1;
/** INT64 given a number in int32 range. */
const INT_NUMBER = 2;
/** FLOAT64 given a number. */
const FLOAT_NUMBER = 3;
const NO_WORDS = new Int32Array(0);
const NO_DOUBLES = new Float64Array(0);

function shapeOf(field: RestField): number {
  switch (field.type) {
    case 'STRING':
    case 'GEOGRAPHY':
      return TEXT;
    case 'INTEGER':
      return INT_NUMBER;
    case 'FLOAT':
      return FLOAT_NUMBER;
    default:
      return OTHER;
  }
}

function clearVariableWidth(builders: readonly ColumnBuilder[], slot: number): void {
  for (const b of builders) if (b.items) b.items[slot] = undefined;
}

class Batch implements ColumnBatch {
  constructor(
    readonly columns: ColumnBuilder[],
    public rowCount: number,
  ) {}

  keep(slots: readonly number[]): void {
    for (const column of this.columns) {
      const width = layoutWidth(column.layout);
      const bytes = column.data ? new Uint8Array(column.data) : undefined;
      for (let to = 0; to < slots.length; to++) {
        const from = slots[to]!;
        if (from === to) continue;
        column.nulls[to] = column.nulls[from]!;
        if (bytes) bytes.copyWithin(to * width, from * width, (from + 1) * width);
        if (column.items) column.items[to] = column.items[from];
      }
    }
    this.rowCount = slots.length;
  }
}

function rowError(location: string, message: string): RowError {
  return { reason: 'invalid', location, debugInfo: '', message };
}

/** How a fixed-width column stores a value: its layout and the writer over its buffer. */
interface FixedColumn {
  readonly layout: ColumnLayout;
  readonly put: (data: ArrayBuffer) => Put;
}

/** How a variable-width column decodes a value into the string or bytes it keeps. */
interface VariableColumn {
  readonly layout: 'string' | 'blob';
  readonly decode: (v: unknown, at: string) => string | Uint8Array;
}

const VARIABLE_COLUMNS: Partial<Record<RestField['type'], VariableColumn>> = {
  STRING: {
    layout: 'string',
    decode: (v, at) => (typeof v === 'string' ? v : decodeString(v, at)),
  },
  GEOGRAPHY: {
    layout: 'string',
    decode: (v, at) => (typeof v === 'string' ? v : decodeString(v, at)),
  },
  BIGNUMERIC: { layout: 'string', decode: decodeBigNumeric },
  JSON: { layout: 'string', decode: decodeJson },
  BYTES: { layout: 'blob', decode: (v, at) => (decodeBytes(v, at) as { bytes: Uint8Array }).bytes },
};

const FIXED_COLUMNS: Partial<Record<RestField['type'], FixedColumn>> = {
  INTEGER: { layout: 'int64', put: integerPut },
  TIMESTAMP: { layout: 'int64', put: timestampPut },
  DATETIME: { layout: 'int64', put: microsPut(parseDatetimeMicros) },
  TIME: { layout: 'int64', put: microsPut(parseTimeMicros) },
  DATE: {
    layout: 'int32',
    put: (data) => {
      const days = new Int32Array(data);
      return (slot, value, at) => {
        days[slot] = parseDateDays(value, at);
      };
    },
  },
  FLOAT: {
    layout: 'float64',
    put: (data) => {
      const doubles = new Float64Array(data);
      return (slot, value, at) => {
        doubles[slot] = typeof value === 'number' ? value : decodeFloat(value, at);
      };
    },
  },
  BOOLEAN: {
    layout: 'bool',
    put: (data) => {
      const bytes = new Uint8Array(data);
      return (slot, value, at) => {
        bytes[slot] = (typeof value === 'boolean' ? value : decodeBoolean(value, at)) ? 1 : 0;
      };
    },
  },
  NUMERIC: { layout: 'int128', put: numericPut },
};

function columnBuilder(field: RestField, capacity: number): ColumnBuilder {
  const nulls = new Uint8Array(capacity);
  const variable = VARIABLE_COLUMNS[field.type];
  if (variable) {
    const items = new Array<string | Uint8Array | undefined>(capacity);
    const { layout, decode } = variable;
    const put: Put = (slot, value, at) => {
      items[slot] = decode(value, at);
    };
    return { layout, nulls, data: undefined, items, put };
  }
  const fixed = FIXED_COLUMNS[field.type];
  if (!fixed) throw new Error('RECORD fields take the row-wise decoder');
  const data = new ArrayBuffer(capacity * layoutWidth(fixed.layout));
  return { layout: fixed.layout, nulls, data, items: undefined, put: fixed.put(data) };
}

/** A column of int64 microseconds parsed by `parse`. */
function microsPut(parse: (value: unknown, at: string) => bigint): (data: ArrayBuffer) => Put {
  return (data) => {
    const wide = new BigInt64Array(data);
    return (slot, value, at) => {
      wide[slot] = parse(value, at);
    };
  };
}

function integerPut(data: ArrayBuffer): Put {
  const words = new Int32Array(data);
  const wide = new BigInt64Array(data);
  return (slot, value, at) => {
    const n =
      typeof value === 'number' && Number.isSafeInteger(value) ? value : decodeInteger(value, at);
    if (typeof n === 'number' && Number.isSafeInteger(n)) writeInt64(words, slot, n);
    else wide[slot] = BigInt(n);
  };
}

function timestampPut(data: ArrayBuffer): Put {
  const words = new Int32Array(data);
  const wide = new BigInt64Array(data);
  // The last canonical text and its micros: a snapshot's rows mostly share their timestamps
  // (ingest and event time), and comparing two short strings is far cheaper than parsing one.
  let lastText: unknown = undefined;
  let lastMicros = 0;
  return (slot, value, at) => {
    if (value === lastText) return writeInt64(words, slot, lastMicros);
    const fast = typeof value === 'string' ? canonicalTimestampMicros(value) : NaN;
    if (fast === fast) {
      writeInt64(words, slot, fast);
      lastText = value;
      lastMicros = fast;
    } else wide[slot] = parseTimestampMicros(value, at);
  };
}

/** DECIMAL(38,9) is a 128-bit integer: low 64 bits unsigned, then the signed high 64 bits. */
function numericPut(data: ArrayBuffer): Put {
  const halves = new BigUint64Array(data);
  return (slot, value, at) => {
    const scaled = (decodeNumeric(value, at) as DuckDBDecimalValue).value;
    halves[slot * 2] = BigInt.asUintN(64, scaled);
    halves[slot * 2 + 1] = BigInt.asUintN(64, scaled >> 64n);
  };
}

/** A safe integer as little-endian int64, without a BigInt. */
function writeInt64(words: Int32Array, slot: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  words[slot * 2] = value - high * TWO_32;
  words[slot * 2 + 1] = high;
}

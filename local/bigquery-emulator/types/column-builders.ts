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
  parseDateDays,
  parseDatetimeMicros,
  parseTimeMicros,
  parseTimestampMicros,
} from './decode.js';
import type { RestField } from './schema.js';

/**
 * The column buffers of the columnar insertAll path (`columnar.ts`): one per scalar field, in the
 * memory layout of DuckDB's vectors, each with the `put` that checks and converts a JSON value the
 * way the row-wise decoder does.
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
export type Put = (slot: number, value: unknown, at: string) => void;

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
export function batchOf(builders: readonly ColumnBuilder[], rowCount: number): ColumnBatch {
  return new Batch(builders, rowCount);
}

export function clearVariableWidth(builders: readonly ColumnBuilder[], slot: number): void {
  for (const b of builders) if (b.items) b.items[slot] = undefined;
}

class Batch implements ColumnBatch {
  constructor(
    readonly columns: readonly ColumnBuilder[],
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

const TWO_32 = 4_294_967_296;

/** A safe integer as little-endian int64, without a BigInt. */
export function writeInt64(words: Int32Array, slot: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  words[slot * 2] = value - high * TWO_32;
  words[slot * 2 + 1] = high;
}

import {
  batchOf,
  clearVariableWidth,
  createColumnBuilders,
  writeInt64,
  type ColumnBatch,
  type ColumnBuilder,
  type Put,
} from './column-builders.js';
import { FieldError, type DecodeOptions, type RowError } from './decode.js';
import type { RestField } from './schema.js';

/**
 * Column-wise insertAll decoding for tables whose fields are all scalar (no RECORD, no REPEATED):
 * each row is checked and converted in one pass straight into per-column typed arrays, the memory
 * layout of DuckDB's vectors, so appending is a few bulk copies per 2,048 rows instead of a native
 * call per value, and no per-value objects (BigInts, DuckDB value wrappers) are made for the
 * common shapes. Uncommon input (numbers in strings, non-canonical timestamps, bad values) goes
 * through the same decoders as the row-wise path, so values and error messages are identical.
 */

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

/** The columnar decoder of a schema, or undefined when a field is a RECORD or REPEATED. */
export function compileColumnarDecoder(fields: readonly RestField[]): ColumnarDecoder | undefined {
  if (fields.some((f) => f.type === 'RECORD' || f.mode === 'REPEATED')) return undefined;
  const schema = flatSchemaOf(fields);
  return (rows, options) => decodeColumnar(schema, rows, options);
}

/** What the row loop looks up in a flat schema, computed once per table. */
interface FlatSchema {
  readonly fields: readonly RestField[];
  readonly names: readonly string[];
  readonly byLowerName: ReadonlyMap<string, number>;
  /** Column indexes of the REQUIRED fields. */
  readonly required: readonly number[];
  /** Each column's common shape (see {@link shapeOf}). */
  readonly shapes: Uint8Array;
}

function flatSchemaOf(fields: readonly RestField[]): FlatSchema {
  return {
    fields,
    names: fields.map((f) => f.name),
    byLowerName: new Map(fields.map((field, i) => [field.name.toLowerCase(), i])),
    required: fields.flatMap((f, i) => (f.mode === 'REQUIRED' ? [i] : [])),
    shapes: Uint8Array.from(fields, shapeOf),
  };
}

/** One request being decoded: the column buffers, their views, and the current row's errors. */
interface RowLoop {
  readonly schema: FlatSchema;
  readonly options: DecodeOptions;
  readonly builders: readonly ColumnBuilder[];
  readonly puts: readonly Put[];
  readonly nulls: readonly Uint8Array[];
  // Views the row loop writes the common shapes into itself (unused ones are empty).
  readonly items: readonly (string | Uint8Array | undefined)[][];
  readonly words: readonly Int32Array[];
  readonly doubles: readonly Float64Array[];
  errors: RowError[];
  /** Columns whose value failed in the current row (not also reported as missing). */
  readonly failed: number[];
}

function newRowLoop(schema: FlatSchema, options: DecodeOptions, capacity: number): RowLoop {
  const builders = createColumnBuilders(schema.fields, capacity);
  const { shapes } = schema;
  return {
    schema,
    options,
    builders,
    puts: builders.map((b) => b.put),
    nulls: builders.map((b) => b.nulls),
    items: builders.map((b) => b.items ?? []),
    words: builders.map((b, c) => (shapes[c] === INT_NUMBER ? new Int32Array(b.data!) : NO_WORDS)),
    doubles: builders.map((b, c) =>
      shapes[c] === FLOAT_NUMBER ? new Float64Array(b.data!) : NO_DOUBLES,
    ),
    errors: [],
    failed: [],
  };
}

function decodeColumnar(
  schema: FlatSchema,
  rows: readonly unknown[],
  options: DecodeOptions,
): ColumnarDecodeResult {
  const capacity = rows.length;
  const loop = newRowLoop(schema, options, capacity);
  const slotOfRow = new Int32Array(capacity);
  const insertErrors: { index: number; errors: RowError[] }[] = [];
  let slot = 0;
  for (let index = 0; index < capacity; index++) {
    const json = jsonOf(rows[index]);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      slotOfRow[index] = -1;
      insertErrors.push({ index, errors: [notAnObject(json)] });
      continue;
    }
    storeRow(loop, json as Record<string, unknown>, slot);
    if (loop.errors.length > 0) {
      slotOfRow[index] = -1;
      insertErrors.push({ index, errors: loop.errors });
      loop.errors = [];
      loop.failed.length = 0;
      // Strings of a failed row may linger in the slot; the next row overwrites or clears them.
      clearVariableWidth(loop.builders, slot);
    } else {
      slotOfRow[index] = slot++;
    }
  }
  return { batch: batchOf(loop.builders, slot), slotOfRow, insertErrors };
}

function jsonOf(row: unknown): unknown {
  return typeof row === 'object' && row !== null ? (row as { json?: unknown }).json : undefined;
}

/**
 * Writes one row's values into `slot`, the errors into `loop.errors`. The common shapes are stored
 * here, straight into the column views, with no call per value (what the columnar path exists for).
 */
function storeRow(loop: RowLoop, object: Record<string, unknown>, slot: number): void {
  const { names, byLowerName, shapes } = loop.schema;
  const { nulls, items, words, doubles } = loop;
  for (let c = 0; c < names.length; c++) nulls[c]![slot] = 1;
  let position = 0;
  for (const key in object) {
    // Writers send the schema's order and exact names; anything else takes the lookup.
    let c = names[position] === key ? position : byLowerName.get(key);
    if (c === undefined) c = byLowerName.get(key.toLowerCase());
    position++;
    if (c === undefined) {
      if (!loop.options.ignoreUnknownValues) {
        loop.errors.push(rowError(key, `no such field: ${key}.`));
      }
      continue;
    }
    const value = object[key];
    if (value === null || value === undefined) continue;
    const shape = shapes[c];
    if (shape === TEXT && typeof value === 'string') {
      items[c]![slot] = value;
    } else if (shape === INT_NUMBER && typeof value === 'number' && (value | 0) === value) {
      writeInt64(words[c]!, slot, value);
    } else if (shape === FLOAT_NUMBER && typeof value === 'number') {
      doubles[c]![slot] = value;
    } else {
      putDecoded(loop, c, slot, value, key);
      continue;
    }
    nulls[c]![slot] = 0;
  }
  reportMissing(loop, slot);
}

/** Any other value goes through the column's `put`: the row-wise path's checks and messages. */
function putDecoded(loop: RowLoop, c: number, slot: number, value: unknown, key: string): void {
  try {
    if (Array.isArray(value)) {
      throw new FieldError(key, `Array specified for non-repeated field: ${loop.schema.names[c]}.`);
    }
    loop.puts[c]!(slot, value, key);
    loop.nulls[c]![slot] = 0;
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    loop.errors.push(rowError(error.location, error.message));
    loop.failed.push(c);
  }
}

function reportMissing(loop: RowLoop, slot: number): void {
  const { names, required } = loop.schema;
  for (const c of required) {
    if (loop.nulls[c]![slot] === 1 && !loop.failed.includes(c)) {
      loop.errors.push(rowError(names[c]!, `Missing required field: ${names[c]}.`));
    }
  }
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

function rowError(location: string, message: string): RowError {
  return { reason: 'invalid', location, debugInfo: '', message };
}

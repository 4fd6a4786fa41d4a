import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import bindings, { type Vector } from '@duckdb/node-bindings';
import { layoutWidth, type Column, type ColumnBatch } from '../types/column-builders.js';

/** Rows per DuckDB data chunk (DuckDB's vector size, 2,048). */
const CHUNK_ROWS = bindings.vector_size();

/**
 * Appends a column batch with DuckDB's Appender one data chunk (2,048 rows) at a time: fixed-width
 * columns are single memory copies of the batch's typed arrays, NULLs one validity-mask copy,
 * short strings one copy of inlined entries, longer ones a native call each. The value-by-value
 * Appender calls this replaces cost a native round trip per value, the largest share of an
 * insertAll of 10,000 rows. Node-api exposes the chunk but not its raw vectors, hence
 * `@duckdb/node-bindings` (the same native module, pinned to node-api's version) for the copies.
 */
export async function appendBatch(
  connection: DuckDBConnection,
  schema: string,
  tableId: string,
  batch: ColumnBatch,
): Promise<void> {
  if (batch.rowCount === 0) return;
  const appender = await connection.createAppender(tableId, schema);
  try {
    if (appender.columnCount !== batch.columns.length) {
      throw new Error(
        `Table ${schema}.${tableId} has ${appender.columnCount} columns, the batch ${batch.columns.length}`,
      );
    }
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    const chunk = DuckDBDataChunk.create(types);
    const validity = new Uint32Array(new ArrayBuffer(CHUNK_ROWS / 8));
    for (let start = 0; start < batch.rowCount; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, batch.rowCount - start);
      chunk.reset();
      chunk.rowCount = rows;
      for (let c = 0; c < batch.columns.length; c++) {
        const vector = bindings.data_chunk_get_vector(chunk.chunk, c);
        fillVector(vector, batch.columns[c]!, start, rows, validity);
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function fillVector(
  vector: Vector,
  column: Column,
  start: number,
  rows: number,
  validity: Uint32Array<ArrayBuffer>,
): void {
  const { nulls } = column;
  let nullCount = 0;
  for (let i = start; i < start + rows; i++) nullCount += nulls[i]!;
  if (nullCount === rows) {
    writeValidity(vector, nulls, start, rows, validity);
    return;
  }
  if (column.data) {
    const width = layoutWidth(column.layout);
    bindings.copy_data_to_vector(vector, 0, column.data, start * width, rows * width);
  } else {
    fillStrings(vector, column.items!, nulls, start, rows);
  }
  if (nullCount > 0) writeValidity(vector, nulls, start, rows, validity);
}

/** Bytes of DuckDB's `string_t` (duckdb.h `duckdb_string_t`): a 4-byte length, then 12 bytes. */
const STRING_T = 16;
/** Longest value kept inside the `string_t` itself (the rest point into the vector's heap). */
const INLINE_BYTES = 12;
const inlineStrings = new Uint8Array(CHUNK_ROWS * STRING_T);
const inlineLengths = new Uint32Array(inlineStrings.buffer);

/**
 * A VARCHAR or BLOB vector. Short values (ASCII text or bytes of at most 12 bytes: station ids and
 * codes) are written as inlined `string_t`s, the layout duckdb.h defines, and the whole chunk goes
 * in one copy; a native call per value cost ~0.25 µs, the largest share of filling a chunk. Longer
 * or non-ASCII values then take the native call each, which overwrites their (zeroed) entries.
 * Unused inline bytes stay zero: DuckDB compares inlined strings as 16 raw bytes.
 */
function fillStrings(
  vector: Vector,
  items: readonly (string | Uint8Array | undefined)[],
  nulls: Uint8Array,
  start: number,
  rows: number,
): void {
  const bytes = inlineStrings;
  bytes.fill(0, 0, rows * STRING_T);
  let long = 0;
  for (let i = 0; i < rows; i++) {
    if (nulls[start + i] === 1) continue;
    const item = items[start + i]!;
    if (item.length > INLINE_BYTES) {
      long++;
      continue;
    }
    const at = i * STRING_T + 4;
    if (typeof item !== 'string') bytes.set(item, at);
    else {
      let ascii = true;
      for (let k = 0; k < item.length; k++) {
        const code = item.charCodeAt(k);
        if (code >= 0x80) {
          ascii = false;
          break;
        }
        bytes[at + k] = code;
      }
      if (!ascii) {
        bytes.fill(0, at, at + INLINE_BYTES);
        long++;
        continue;
      }
    }
    inlineLengths[i * 4] = item.length;
  }
  bindings.copy_data_to_vector(vector, 0, bytes.buffer, 0, rows * STRING_T);
  if (long === 0) return;
  for (let i = 0; i < rows; i++) {
    if (nulls[start + i] === 1) continue;
    const item = items[start + i]!;
    if (inlineLengths[i * 4] !== 0 || item.length === 0) continue;
    // Bytes (BLOBs, or UTF-8 taken straight from a request body) are copied as they are.
    if (typeof item !== 'string') bindings.vector_assign_string_element_len(vector, i, item);
    else if (item.includes('\u0000')) {
      // The plain call takes a C string, which would end at the NUL.
      bindings.vector_assign_string_element_len(vector, i, Buffer.from(item, 'utf8'));
    } else bindings.vector_assign_string_element(vector, i, item);
  }
}

/** DuckDB's validity mask: one bit per row, set when the value is valid, 64-bit words. */
function writeValidity(
  vector: Vector,
  nulls: Uint8Array,
  start: number,
  rows: number,
  validity: Uint32Array<ArrayBuffer>,
): void {
  const words = Math.ceil(rows / 64) * 2;
  validity.fill(0xffffffff, 0, words);
  for (let i = 0; i < rows; i++) {
    if (nulls[start + i] === 1) validity[i >>> 5] = validity[i >>> 5]! & ~(1 << (i & 31));
  }
  bindings.vector_ensure_validity_writable(vector);
  bindings.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, words * 4);
}

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Context } from 'koa';
import { invalid } from '../errors.js';
import type { EmulatorState } from '../state.js';
import type { TableResource } from '../storage/metadata.js';
import { noteTableAppend } from '../storage/materialized-views.js';
import { appendBatch } from '../storage/chunks.js';
import { appendRows, countRows, readRows } from '../storage/rows.js';
import {
  compileRowDecoder,
  type DecodedRow,
  type DecodeOptions,
  type RowError,
} from '../types/decode.js';
import { compileColumnarDecoder, type ColumnarDecoder } from '../types/columnar.js';
import { qualifiedName, schemaName } from '../types/duckdb-names.js';
import { encodeRow } from '../types/encode.js';
import { requireTable } from './tables.js';
import {
  encodePageToken,
  firstRowOf,
  param,
  queryBool,
  queryInt,
  queryString,
  readJsonBody,
} from './_request.js';

/** Default page size of tabledata.list when the client sends no maxResults. */
const DEFAULT_PAGE_ROWS = 100_000;

const decoders = new WeakMap<TableResource, RowDecoders>();

/**
 * A table's compiled decoder, built once per schema (a patched schema is a new resource): the
 * columnar one for a flat schema (every field scalar), else the row-wise one (RECORD, REPEATED).
 */
type RowDecoders =
  | { kind: 'flat'; columnar: ColumnarDecoder }
  | { kind: 'nested'; rowWise: (json: unknown, options: DecodeOptions) => DecodedRow };

function decodersFor(table: TableResource): RowDecoders {
  let compiled = decoders.get(table);
  if (!compiled) {
    const columnar = compileColumnarDecoder(table.schema.fields);
    compiled = columnar
      ? { kind: 'flat', columnar }
      : { kind: 'nested', rowWise: compileRowDecoder(table.schema.fields) };
    decoders.set(table, compiled);
  }
  return compiled;
}

interface InsertAllRow {
  insertId?: unknown;
  json?: unknown;
}

type InsertErrors = { index: number; errors: RowError[] }[];

/** A decoded request, ready for de-duplication and appending. */
interface PreparedInsert {
  rowCount: number;
  skipInvalidRows: boolean;
  insertErrors: InsertErrors;
  isGood(index: number): boolean;
  insertIdOf(index: number): unknown;
  /** Appends the rows at the given (ascending) request indexes. */
  append(connection: DuckDBConnection, accepted: readonly number[]): Promise<void>;
}

/**
 * tabledata.insertAll: rows are checked against the schema one by one; bad rows get BigQuery's
 * per-row `insertErrors` and never fail the request. Without `skipInvalidRows` one bad row stops
 * the whole request (the good rows are reported as `stopped`). Rows whose `insertId` was already
 * accepted are dropped silently, as BigQuery's best-effort de-duplication does.
 */
export async function insertAll(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const datasetId = param(ctx, 'datasetId');
  const tableId = param(ctx, 'tableId');
  const body = await readJsonBody(ctx);
  const table = requireTable(state, projectId, datasetId, tableId);
  if (table.type !== 'TABLE')
    throw invalid(`Cannot insert rows into a ${table.type.toLowerCase()}: ${table.id}`);
  if (!Array.isArray(body.rows)) throw invalid('No rows present in the request.');
  const rows = body.rows as InsertAllRow[];
  const options: DecodeOptions = { ignoreUnknownValues: body.ignoreUnknownValues === true };
  const ref = table.tableReference;
  const schema = schemaName(ref.projectId, ref.datasetId);

  // Decoding runs outside the exclusive unit: it needs no database.
  const prepared = prepareInsert(decodersFor(table), rows, options, schema, ref.tableId);
  prepared.skipInvalidRows = body.skipInvalidRows === true;

  const { insertErrors } = prepared;
  if (insertErrors.length > 0 && !prepared.skipInvalidRows) {
    const failed = new Set(insertErrors.map((e) => e.index));
    for (let index = 0; index < prepared.rowCount; index++) {
      if (!failed.has(index)) {
        insertErrors.push({
          index,
          errors: [{ reason: 'stopped', location: '', debugInfo: '', message: '' }],
        });
      }
    }
    insertErrors.sort((a, b) => a.index - b.index);
    ctx.body = { kind: 'bigquery#tableDataInsertAllResponse', insertErrors };
    return;
  }

  const dedupKey = `${ref.projectId}:${ref.datasetId}.${ref.tableId}`;
  // With a data dir the rows and their insertIds commit together (one transaction).
  const { insertIdLog } = state;
  const unitOfWork = insertIdLog
    ? state.db.transaction.bind(state.db)
    : state.db.exclusive.bind(state.db);
  const acceptedIds: string[] = [];
  try {
    await unitOfWork(async (connection) => {
      const nowMs = state.now().getTime();
      const accepted: number[] = [];
      const claim = state.insertIds.claimer(dedupKey, nowMs);
      for (let index = 0; index < prepared.rowCount; index++) {
        if (!prepared.isGood(index)) continue;
        const insertId = prepared.insertIdOf(index);
        if (typeof insertId === 'string' && insertId !== '') {
          if (!claim(insertId)) continue;
          acceptedIds.push(insertId);
        }
        accepted.push(index);
      }
      // The table may have been dropped while the rows were decoded.
      requireTable(state, ref.projectId, ref.datasetId, ref.tableId);
      await prepared.append(connection, accepted);
      noteTableAppend(state);
      if (insertIdLog)
        await insertIdLog.append(connection, dedupKey, table.creationTime, acceptedIds, nowMs);
    });
  } catch (error) {
    // Nothing was stored (a failed commit included): a retry of these rows must get in.
    state.insertIds.release(dedupKey, acceptedIds);
    throw error;
  }
  ctx.body =
    insertErrors.length > 0
      ? { kind: 'bigquery#tableDataInsertAllResponse', insertErrors }
      : { kind: 'bigquery#tableDataInsertAllResponse' };
}

function prepareInsert(
  decoders: RowDecoders,
  rows: readonly InsertAllRow[],
  options: DecodeOptions,
  schema: string,
  tableId: string,
): PreparedInsert {
  const common = {
    rowCount: rows.length,
    skipInvalidRows: false,
    insertIdOf: (index: number) => (rows[index] as InsertAllRow | null)?.insertId,
  };
  if (decoders.kind === 'flat') {
    const { batch, slotOfRow, insertErrors } = decoders.columnar(rows, options);
    return {
      ...common,
      insertErrors,
      isGood: (index) => slotOfRow[index]! >= 0,
      append: async (connection, accepted) => {
        // Duplicates dropped: squeeze the batch to the accepted rows (slots ascend with rows).
        if (accepted.length < batch.rowCount) batch.keep(accepted.map((i) => slotOfRow[i]!));
        await appendBatch(connection, schema, tableId, batch);
      },
    };
  }
  const { values, insertErrors } = decodeRowWise(rows, decoders.rowWise, options);
  return {
    ...common,
    insertErrors,
    isGood: (index) => values[index] !== undefined,
    append: (connection, accepted) =>
      appendRows(
        connection,
        schema,
        tableId,
        accepted.map((i) => values[i]!),
      ),
  };
}

function decodeRowWise(
  rows: readonly InsertAllRow[],
  decode: (json: unknown, options: DecodeOptions) => DecodedRow,
  options: DecodeOptions,
): { values: (DuckDBValue[] | undefined)[]; insertErrors: InsertErrors } {
  const insertErrors: InsertErrors = [];
  const values = rows.map((row, index) => {
    const result: DecodedRow =
      typeof row === 'object' && row !== null && 'json' in row
        ? decode(row.json, options)
        : {
            ok: false,
            errors: [
              {
                reason: 'invalid',
                location: '',
                debugInfo: '',
                message: 'Row is missing its json object.',
              },
            ],
          };
    if (result.ok) return result.values;
    insertErrors.push({ index, errors: result.errors });
    return undefined;
  });
  return { values, insertErrors };
}

/** tabledata.list: rows in insertion order, paged by pageToken or startIndex. */
export async function listTableData(state: EmulatorState, ctx: Context): Promise<void> {
  const table = requireTable(
    state,
    param(ctx, 'projectId'),
    param(ctx, 'datasetId'),
    param(ctx, 'tableId'),
  );
  if (table.type !== 'TABLE') throw invalid(`Cannot list a table of type ${table.type}.`);
  const offset = firstRowOf(ctx);
  const maxResults = queryInt(ctx, 'maxResults') ?? DEFAULT_PAGE_ROWS;
  const selected = queryString(ctx, 'selectedFields')
    ?.split(',')
    .map((name) => name.trim().split('.')[0]!.toLowerCase())
    .filter((name) => name !== '');
  const fields = selected
    ? table.schema.fields.filter((f) => selected.includes(f.name.toLowerCase()))
    : table.schema.fields;
  const { projectId, datasetId, tableId } = table.tableReference;
  const name = qualifiedName(projectId, datasetId, tableId);
  const { total, rows } = await state.db.read(async (connection) => ({
    total: await countRows(connection, name),
    rows:
      maxResults === 0 || fields.length === 0
        ? []
        : await readRows(
            connection,
            name,
            fields.map((f) => f.name),
            offset,
            maxResults,
          ),
  }));
  const int64Timestamp = queryBool(ctx, 'formatOptions.useInt64Timestamp') ?? false;
  const response: Record<string, unknown> = {
    kind: 'bigquery#tableDataList',
    etag: table.etag,
    totalRows: String(total),
  };
  if (rows.length > 0)
    response.rows = rows.map((row) => encodeRow(row, fields, { int64Timestamp }));
  if (offset + rows.length < total && rows.length > 0)
    response.pageToken = encodePageToken(offset + rows.length);
  ctx.body = response;
}

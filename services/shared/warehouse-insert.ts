import type { BigQuery } from '@google-cloud/bigquery';
import {
  insertAllRow,
  partialFailureRows,
  type InsertErrorDetail,
} from '../../core/warehouse/insert-all-row.js';

/** Where rows go: a dataset and table id (the project is the client's). */
export interface TableRef {
  /** @default the client's project */
  readonly projectId?: string;
  readonly datasetId: string;
  readonly tableId: string;
}

export interface KeyedRow<R> {
  /** BigQuery's best-effort de-duplication key, stable across Pub/Sub redeliveries. */
  readonly insertId: string;
  readonly row: R;
}

/** A failure a retry may fix: warehouse unreachable, 5xx, timeout, quota. Answer 5xx. */
export class TransientWarehouseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientWarehouseError';
  }
}

/** Rows BigQuery refused as invalid (schema, value): retrying the same rows can never succeed. */
export class RejectedRowsError<R> extends Error {
  constructor(
    readonly rejected: readonly { row: KeyedRow<R>; errors: readonly InsertErrorDetail[] }[],
  ) {
    super(`${rejected.length} row(s) rejected by BigQuery: ${firstReason(rejected)}`);
    this.name = 'RejectedRowsError';
  }
}

/** insertAll's per-row reasons that mean "this row is wrong", as opposed to "try again". */
const PERMANENT_REASONS = new Set(['invalid']);
/** Rows not inserted only because another row in the request was invalid. */
const COLLATERAL_REASONS = new Set(['stopped']);

export interface InsertOptions {
  /** Give up (as transient) after this long. @default 30_000 */
  readonly timeoutMs?: number;
}

/**
 * `tabledata.insertAll` with insertIds, sorting failures into the two kinds a push handler acts
 * on: TransientWarehouseError (nack, Pub/Sub retries) and RejectedRowsError (the rows themselves
 * are bad). When some rows are invalid, the others are inserted again on their own, so one bad
 * station does not cost the whole snapshot; the error then carries only the rejected rows.
 */
export async function insertRows<R extends object>(
  bigquery: BigQuery,
  table: TableRef,
  rows: readonly KeyedRow<R>[],
  options: InsertOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  const rejected = await attempt(bigquery, table, rows, options);
  if (rejected.length === 0) return;
  const bad = new Set(rejected.map((r) => r.row));
  const rest = rows.filter((row) => !bad.has(row));
  if (rest.length > 0) {
    const again = await attempt(bigquery, table, rest, options);
    for (const more of again) rejected.push(more);
  }
  throw new RejectedRowsError(rejected);
}

async function attempt<R extends object>(
  bigquery: BigQuery,
  table: TableRef,
  rows: readonly KeyedRow<R>[],
  options: InsertOptions,
): Promise<{ row: KeyedRow<R>; errors: readonly InsertErrorDetail[] }[]> {
  // Rows the client sends as they are (no deep copies, no token walk over a raw payload's text);
  // its PartialFailureError hands these same objects back, which `byPayload` relies on.
  const payload = rows.map((r) => insertAllRow(r.insertId, r.row));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TransientWarehouseError(`insert into ${name(table)} timed out`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([
      bigquery
        .dataset(table.datasetId, table.projectId ? { projectId: table.projectId } : {})
        .table(table.tableId)
        // partialRetries 0: the client would resend the failed rows (the invalid ones with the
        // ones they stopped) three times, failing the same way; insertRows retries the good rows.
        .insert(payload, { raw: true, partialRetries: 0 }),
      timeout,
    ]);
    return [];
  } catch (error) {
    if (error instanceof TransientWarehouseError) throw error;
    const failures = partialFailureRows(error);
    if (failures === null) {
      throw new TransientWarehouseError(`insert into ${name(table)} failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const byPayload = new Map<unknown, KeyedRow<R>>(payload.map((p, i) => [p, rows[i]!]));
    const rejected: { row: KeyedRow<R>; errors: readonly InsertErrorDetail[] }[] = [];
    let transient: InsertErrorDetail | undefined;
    for (const failure of failures) {
      const details = failure.errors;
      const reasons = details.map((d) => d.reason ?? '');
      if (reasons.some((r) => PERMANENT_REASONS.has(r))) {
        const row = byPayload.get(failure.row);
        if (row) rejected.push({ row, errors: details });
      } else if (!reasons.every((r) => COLLATERAL_REASONS.has(r))) {
        transient ??= details[0] ?? { reason: 'unknown' };
      }
    }
    if (transient || rejected.length === 0) {
      throw new TransientWarehouseError(
        `insert into ${name(table)} failed: ${transient?.reason ?? 'stopped'}: ${transient?.message ?? ''}`,
        { cause: error },
      );
    }
    return rejected;
  } finally {
    clearTimeout(timer);
  }
}

function name(table: TableRef): string {
  return `${table.datasetId}.${table.tableId}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstReason(rejected: readonly { errors: readonly InsertErrorDetail[] }[]): string {
  const first = rejected[0]?.errors[0];
  return first ? `${first.reason ?? 'invalid'}: ${first.message ?? ''}`.trim() : 'invalid';
}

/** One insertAll row as the request carries it. */
export interface InsertAllRow<J extends object = Record<string, unknown>> {
  readonly insertId?: string;
  readonly json: J;
}

// The official client deep-copies an insertAll request five times (`extend(true, …)` in its
// request layers) and walks every string of it for a `{{projectId}}` token before sending it:
// ~20 µs of CPU per curated row, more than the mapping itself, and a walk over every raw payload
// (docs/PERFORMANCE.md, #8). `extend` copies only "plain" objects and the token walk only enters
// objects with `hasOwnProperty`, so a row whose prototype has a constructor but no
// Object.prototype is passed through by reference by both. JSON.stringify still writes its own
// properties: the request body is byte-for-byte the same (insert-all-row.test.ts checks both
// properties against the client's own helpers). The client's PartialFailureError hands back the
// very row objects it was given, so callers can still look failed rows up by identity.
function InsertAllRowPrototype(): void {}
const INSERT_ALL_ROW = Object.create(null, {
  constructor: { value: InsertAllRowPrototype },
}) as object;

/** `{insertId, json}` that the client hands to the wire without copying or scanning it. */
export function insertAllRow<J extends object>(insertId: string | null, json: J): InsertAllRow<J> {
  const row = Object.create(INSERT_ALL_ROW) as { insertId?: string; json: J };
  if (insertId !== null) row.insertId = insertId;
  row.json = json;
  return row;
}

/** A per-row insert error as insertAll reports it. */
export interface InsertErrorDetail {
  readonly reason?: string;
  readonly message?: string;
  readonly location?: string;
}

/** One row of the client's PartialFailureError: the very row object it was given, and why. */
export interface RejectedInsertAllRow {
  readonly row: unknown;
  readonly errors: readonly InsertErrorDetail[];
}

/**
 * The rejected rows of a `table.insert` failure, or null when `error` is not the client's
 * PartialFailureError (network, missing table, permission: the caller's other path).
 */
export function partialFailureRows(error: unknown): RejectedInsertAllRow[] | null {
  const partial = error as { name?: unknown; errors?: unknown } | null;
  if (partial?.name !== 'PartialFailureError' || !Array.isArray(partial.errors)) return null;
  return (partial.errors as { row?: unknown; errors?: InsertErrorDetail[] }[]).map((failure) => ({
    row: failure.row,
    errors: failure.errors ?? [],
  }));
}

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

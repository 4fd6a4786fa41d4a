/**
 * insertIds seen per table, for `tabledata.insertAll` de-duplication. BigQuery de-duplicates on a
 * best-effort basis for at least a minute; we remember ids for `windowMs` (10 minutes by default),
 * which is what retried streaming inserts need. In memory; with `--data-dir` the ids are also in
 * an `InsertIdLog` and reloaded here at start-up.
 */
export class InsertIdCache {
  private readonly byTable = new Map<string, Map<string, number>>();
  private insertsSincePrune = 0;

  constructor(readonly windowMs = 10 * 60_000) {}

  /** True when `insertId` was accepted for `table` within the window. */
  seen(table: string, insertId: string, nowMs: number): boolean {
    const at = this.byTable.get(table)?.get(insertId);
    return at !== undefined && nowMs - at < this.windowMs;
  }

  remember(table: string, insertIds: readonly string[], nowMs: number): void {
    let ids = this.byTable.get(table);
    if (!ids) {
      ids = new Map();
      this.byTable.set(table, ids);
    }
    for (const id of insertIds) ids.set(id, nowMs);
    this.insertsSincePrune += insertIds.length;
    if (this.insertsSincePrune > 100_000) this.prune(nowMs);
  }

  /** Remembers ids accepted at their own times (reloaded from the log). */
  load(table: string, insertId: string, acceptedMs: number): void {
    let ids = this.byTable.get(table);
    if (!ids) {
      ids = new Map();
      this.byTable.set(table, ids);
    }
    ids.set(insertId, acceptedMs);
  }

  /** Forgets a table's ids (the table was deleted; a new table of that name starts clean). */
  forget(table: string): void {
    this.byTable.delete(table);
  }

  private prune(nowMs: number): void {
    this.insertsSincePrune = 0;
    for (const ids of this.byTable.values()) {
      // Map iteration follows insertion order and re-setting an id moves it to the end only if
      // deleted first; stale ids are removed wherever they are.
      for (const [id, at] of ids) if (nowMs - at >= this.windowMs) ids.delete(id);
    }
  }
}

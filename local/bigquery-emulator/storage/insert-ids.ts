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

  /**
   * insertAll's check and record in one lookup: true (and the id is remembered) unless the id was
   * accepted within the window, also earlier in the same request. Ids of a request whose rows then
   * fail to be stored are given back with {@link release}.
   */
  claimer(table: string, nowMs: number): (insertId: string) => boolean {
    const ids = this.idsOf(table);
    const windowMs = this.windowMs;
    return (insertId) => {
      const at = ids.get(insertId);
      if (at !== undefined && nowMs - at < windowMs) return false;
      ids.set(insertId, nowMs);
      if (++this.insertsSincePrune > 100_000) this.prune(nowMs);
      return true;
    };
  }

  /** Forgets ids claimed by a request that was not stored (they were new, so nothing is lost). */
  release(table: string, insertIds: readonly string[]): void {
    const ids = this.byTable.get(table);
    if (ids) for (const id of insertIds) ids.delete(id);
  }

  private idsOf(table: string): Map<string, number> {
    let ids = this.byTable.get(table);
    if (!ids) {
      ids = new Map();
      this.byTable.set(table, ids);
    }
    return ids;
  }

  /** Remembers ids accepted at their own times (reloaded from the log). */
  load(table: string, insertId: string, acceptedMs: number): void {
    this.idsOf(table).set(insertId, acceptedMs);
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

import type { DuckDBConnection } from '@duckdb/node-api';
import { META_SCHEMA } from './metadata.js';

const TABLE = 'materialized_view_marks';

/** Where a materialized view's stored result stands, for an incremental refresh. */
export interface RefreshMark {
  /** The view's BigQuery query and its DuckDB translation when the result was computed. */
  readonly query: string;
  readonly duckSql: string;
  /** The base table's row count the stored result covers (its rows by rowid below this). */
  readonly watermark: bigint;
}

/**
 * With `--data-dir`, each materialized view's incremental-refresh mark, kept in the database
 * beside the stored result, so the first read after a restart catches up with the appended rows
 * instead of recomputing the whole view.
 *
 * A mark says: the stored result is the view's query over the base table's first `watermark`
 * rows, and only appends happened since. Every write that is not an append (UPDATE, DELETE,
 * MERGE, scripts, DDL, schema changes, deletions) removes all marks before it runs, or in its own
 * transaction, so no crash can leave a mark that claims more than that. The other way round is
 * harmless: a mark older than its stored result (a crash between the refresh and the mark's
 * update) only makes the next refresh recompute the touched groups again, from the whole base
 * table, which gives the same rows. The translation is kept too: a result computed by another
 * translation of the same query is recomputed in full.
 */
export class RefreshMarks {
  private constructor(private readonly marks: Map<string, RefreshMark>) {}

  /** Opens the marks (creating their table), loading them all: one row per materialized view. */
  static async open(connection: DuckDBConnection): Promise<RefreshMarks> {
    await connection.run(
      `CREATE TABLE IF NOT EXISTS "${META_SCHEMA}"."${TABLE}" (view VARCHAR PRIMARY KEY, query VARCHAR NOT NULL, duck_sql VARCHAR NOT NULL, watermark BIGINT NOT NULL)`,
    );
    const reader = await connection.runAndReadAll(
      `SELECT view, query, duck_sql, watermark FROM "${META_SCHEMA}"."${TABLE}"`,
    );
    const marks = new Map<string, RefreshMark>();
    for (const [view, query, duckSql, watermark] of reader.getRows() as [
      string,
      string,
      string,
      bigint,
    ][]) {
      marks.set(view, { query, duckSql, watermark });
    }
    return new RefreshMarks(marks);
  }

  /** The mark of a materialized view (its quoted DuckDB name), if one is kept. */
  get(view: string): RefreshMark | undefined {
    return this.marks.get(view);
  }

  async put(connection: DuckDBConnection, view: string, mark: RefreshMark): Promise<void> {
    const kept = this.marks.get(view);
    // A refresh that found no new rows (another table was written) has nothing to write.
    if (
      kept?.watermark === mark.watermark &&
      kept.query === mark.query &&
      kept.duckSql === mark.duckSql
    )
      return;
    await connection.run(
      `INSERT OR REPLACE INTO "${META_SCHEMA}"."${TABLE}" VALUES ($1, $2, $3, $4)`,
      [view, mark.query, mark.duckSql, mark.watermark],
    );
    this.marks.set(view, mark);
  }

  /** Drops one view's mark (recomputed without a plan). */
  async delete(connection: DuckDBConnection, view: string): Promise<void> {
    await connection.run(`DELETE FROM "${META_SCHEMA}"."${TABLE}" WHERE view = $1`, [view]);
    this.marks.delete(view);
  }

  /**
   * Drops every mark: call before (or in the transaction of) any write that is not an append.
   * The table is always emptied, whatever the map holds: a rolled-back transaction can leave
   * marks in the table that the map no longer has.
   */
  async clear(connection: DuckDBConnection): Promise<void> {
    await connection.run(`DELETE FROM "${META_SCHEMA}"."${TABLE}"`);
    this.marks.clear();
  }
}

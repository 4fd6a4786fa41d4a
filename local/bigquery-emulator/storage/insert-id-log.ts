import type { DuckDBConnection } from '@duckdb/node-api';
import { META_SCHEMA } from './metadata.js';

const TABLE = 'insert_ids';

export interface LoggedInsertId {
  tableKey: string;
  tableCreated: string;
  insertId: string;
  acceptedMs: number;
}

/**
 * The insertIds accepted within the de-duplication window, written to the `--data-dir` database
 * in the same transaction as their rows, so a writer that retries a batch across an emulator
 * restart still gets no duplicates. Each id carries its table's creation time: ids of a table
 * that was dropped and created again do not apply to the new one. Ids older than the window are
 * deleted when the log opens and then about every tenth of the window. One row per request holds
 * its ids as a JSON array: one value to append instead of ten thousand.
 */
export class InsertIdLog {
  private lastPruneMs: number;

  private constructor(
    private readonly windowMs: number,
    nowMs: number,
  ) {
    this.lastPruneMs = nowMs;
  }

  /** Opens the log (creating its table) and returns the ids still inside the window. */
  static async open(
    connection: DuckDBConnection,
    windowMs: number,
    nowMs: number,
  ): Promise<{ log: InsertIdLog; recent: LoggedInsertId[] }> {
    // A log in an earlier layout is only a de-duplication hint: start it again rather than fail.
    const columns = await connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE schema_name = '${META_SCHEMA}' AND table_name = '${TABLE}'`,
    );
    const names = columns.getRows().map(([name]) => String(name));
    if (names.length > 0 && !names.includes('insert_ids'))
      await connection.run(`DROP TABLE "${META_SCHEMA}"."${TABLE}"`);
    await connection.run(
      `CREATE TABLE IF NOT EXISTS "${META_SCHEMA}"."${TABLE}" (table_key VARCHAR NOT NULL, table_created VARCHAR NOT NULL, accepted_ms BIGINT NOT NULL, insert_ids VARCHAR NOT NULL)`,
    );
    const log = new InsertIdLog(windowMs, nowMs);
    await log.prune(connection, nowMs);
    const reader = await connection.runAndReadAll(
      `SELECT table_key, table_created, accepted_ms, insert_ids FROM "${META_SCHEMA}"."${TABLE}" ORDER BY accepted_ms`,
    );
    const recent: LoggedInsertId[] = [];
    for (const [tableKey, tableCreated, acceptedMs, ids] of reader.getRows() as [
      string,
      string,
      bigint,
      string,
    ][]) {
      for (const insertId of JSON.parse(ids) as string[]) {
        recent.push({ tableKey, tableCreated, insertId, acceptedMs: Number(acceptedMs) });
      }
    }
    return { log, recent };
  }

  /** Records ids accepted now; call inside the transaction that appends their rows. */
  async append(
    connection: DuckDBConnection,
    tableKey: string,
    tableCreated: string,
    insertIds: readonly string[],
    nowMs: number,
  ): Promise<void> {
    if (insertIds.length > 0) {
      const appender = await connection.createAppender(TABLE, META_SCHEMA);
      try {
        appender.appendVarchar(tableKey);
        appender.appendVarchar(tableCreated);
        appender.appendBigInt(BigInt(nowMs));
        appender.appendVarchar(JSON.stringify(insertIds));
        appender.endRow();
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
    if (nowMs - this.lastPruneMs >= this.windowMs / 10) await this.prune(connection, nowMs);
  }

  private async prune(connection: DuckDBConnection, nowMs: number): Promise<void> {
    this.lastPruneMs = nowMs;
    await connection.run(`DELETE FROM "${META_SCHEMA}"."${TABLE}" WHERE accepted_ms <= $1`, [
      nowMs - this.windowMs,
    ]);
  }
}

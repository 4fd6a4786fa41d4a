import type { DuckDBConnection } from '@duckdb/node-api';
import { batchOf, createColumnBuilders } from '../types/columnar.js';
import { normalizeSchema } from '../types/schema.js';
import { appendBatch } from './chunks.js';
import { META_SCHEMA } from './metadata.js';

const TABLE = 'insert_ids';
const FIELDS = normalizeSchema([
  { name: 'table_key', type: 'STRING', mode: 'REQUIRED' },
  { name: 'table_created', type: 'STRING', mode: 'REQUIRED' },
  { name: 'insert_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'accepted_ms', type: 'INT64', mode: 'REQUIRED' },
]);

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
 * deleted when the log opens and then about every tenth of the window.
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
    await connection.run(
      `CREATE TABLE IF NOT EXISTS "${META_SCHEMA}"."${TABLE}" (table_key VARCHAR NOT NULL, table_created VARCHAR NOT NULL, insert_id VARCHAR NOT NULL, accepted_ms BIGINT NOT NULL)`,
    );
    const log = new InsertIdLog(windowMs, nowMs);
    await log.prune(connection, nowMs);
    const reader = await connection.runAndReadAll(
      `SELECT table_key, table_created, insert_id, accepted_ms FROM "${META_SCHEMA}"."${TABLE}"`,
    );
    const recent = (reader.getRows() as [string, string, string, bigint][]).map(
      ([tableKey, tableCreated, insertId, acceptedMs]) => ({
        tableKey,
        tableCreated,
        insertId,
        acceptedMs: Number(acceptedMs),
      }),
    );
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
      const builders = createColumnBuilders(FIELDS, insertIds.length);
      const [keys, created, ids, accepted] = builders;
      for (let i = 0; i < insertIds.length; i++) {
        keys!.put(i, tableKey, 'table_key');
        created!.put(i, tableCreated, 'table_created');
        ids!.put(i, insertIds[i], 'insert_id');
        accepted!.put(i, nowMs, 'accepted_ms');
      }
      await appendBatch(connection, META_SCHEMA, TABLE, batchOf(builders, insertIds.length));
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

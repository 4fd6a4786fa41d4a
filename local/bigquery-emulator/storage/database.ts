import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * The one DuckDB database of an emulator: a file when `dataDir` is given (so everything survives a
 * restart), memory otherwise. Work runs one unit at a time on one connection: requests interleave
 * at await points, and an appender or a multi-statement change must not see another request's
 * half-done work.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string | undefined): Promise<Database> {
    const instance = await DuckDBInstance.create(path ?? ':memory:');
    const connection = await instance.connect();
    // BigQuery's TIMESTAMP is UTC; DuckDB's TIMESTAMPTZ arithmetic follows the session zone.
    await connection.run(`SET TimeZone = 'UTC'`);
    return new Database(instance, connection);
  }

  /** Runs `work` alone on the connection; later callers wait for it. */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => work(this.connection));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Runs `work` inside a transaction, rolled back if it throws. */
  transaction<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.exclusive(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const result = await work(connection);
        await connection.run('COMMIT');
        return result;
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue;
    // A checkpoint folds the write-ahead log into the file, so a restart opens quickly.
    await this.connection.run('CHECKPOINT').catch(() => undefined);
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

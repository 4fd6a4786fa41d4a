import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Write-ahead log size at which a commit checkpoints on the spot (DuckDB's default is 16 MB,
 * about four 10,000-row insertAll requests: a 0.5–0.9 s checkpoint inside every fourth request).
 */
export const CHECKPOINT_THRESHOLD = '256MB';

/**
 * The same setting in memory: never, in practice. There is nothing to persist, a checkpoint only
 * compresses, and DuckDB runs it inside whichever commit crosses the threshold (16 MB by default,
 * about eleven snapshots in the local stack), holding that write and every request queued behind it
 * for 1–4 s once a day of data is loaded: publish → visible p95 went from 3.7 s to 0.38 s without
 * it (docs/PERFORMANCE.md, #8). The price is uncompressed data in memory.
 */
export const IN_MEMORY_CHECKPOINT_THRESHOLD = '1TB';

/** How long the database must be left alone before the emulator checkpoints it itself. */
export const IDLE_CHECKPOINT_MS = 1_000;

/**
 * The one DuckDB database of an emulator: a file when `dataDir` is given (so everything survives a
 * restart), memory otherwise. Work runs one unit at a time on one connection: requests interleave
 * at await points, and an appender or a multi-statement change must not see another request's
 * half-done work.
 *
 * Checkpoints (folding the write-ahead log into the file) happen when the database has been idle
 * for {@link IDLE_CHECKPOINT_MS}, rather than inside the commit of whichever request crosses
 * DuckDB's 16 MB threshold; a burst of writes only checkpoints in a commit past
 * {@link CHECKPOINT_THRESHOLD}. Durability does not change: every commit is in the fsynced
 * write-ahead log before it is acknowledged, and a restart replays what was not checkpointed.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  /** Settles when the idle checkpoint in progress (if any) is done. */
  private checkpointing: Promise<void> = Promise.resolve();
  private checkpointWaiters: (() => void)[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly fileBacked: boolean,
  ) {}

  static async open(path: string | undefined): Promise<Database> {
    const instance = await DuckDBInstance.create(path ?? ':memory:');
    const connection = await instance.connect();
    // BigQuery's TIMESTAMP is UTC; DuckDB's TIMESTAMPTZ arithmetic follows the session zone.
    await connection.run(`SET TimeZone = 'UTC'`);
    await connection.run(
      `SET checkpoint_threshold = '${path ? CHECKPOINT_THRESHOLD : IN_MEMORY_CHECKPOINT_THRESHOLD}'`,
    );
    return new Database(instance, connection, path !== undefined);
  }

  /** Runs `work` alone on the connection; later callers wait for it. */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => work(this.connection));
    this.queue = result.catch(() => undefined);
    if (this.fileBacked) {
      this.dirty = true;
      this.scheduleIdleCheckpoint();
    }
    return result;
  }

  /** Resolves after the next idle checkpoint (at once when nothing is waiting to be). */
  idleCheckpointed(): Promise<void> {
    if (!this.dirty && !this.idleTimer) return this.checkpointing;
    return new Promise((resolve) => this.checkpointWaiters.push(resolve));
  }

  private scheduleIdleCheckpoint(): void {
    if (this.closed) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => this.checkpointWhenIdle(), IDLE_CHECKPOINT_MS);
      // Never the reason a process stays alive.
      this.idleTimer.unref();
    }
  }

  private checkpointWhenIdle(): void {
    this.idleTimer = undefined;
    if (this.closed || !this.dirty) {
      for (const resolve of this.checkpointWaiters.splice(0)) resolve();
      return;
    }
    this.dirty = false;
    const work = this.queue.then(async () => {
      await this.connection.run('CHECKPOINT').catch(() => {
        // A checkpoint that cannot run now (an open transaction elsewhere) is retried later.
        this.dirty = true;
      });
      for (const resolve of this.checkpointWaiters.splice(0)) resolve();
    });
    this.queue = work;
    this.checkpointing = work;
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
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const resolve of this.checkpointWaiters.splice(0)) resolve();
    await this.queue;
    // A checkpoint folds the write-ahead log into the file, so a restart opens quickly.
    await this.connection.run('CHECKPOINT').catch(() => undefined);
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

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

/** How long the database must go without writes before the emulator checkpoints it itself. */
export const IDLE_CHECKPOINT_MS = 1_000;

export interface DatabaseOptions {
  /** Quiet time after the last write before the idle checkpoint. @default IDLE_CHECKPOINT_MS */
  readonly idleCheckpointMs?: number;
}

/**
 * The one DuckDB database of an emulator: a file when `dataDir` is given (so everything survives a
 * restart), memory otherwise. Work runs one unit at a time on one connection: requests interleave
 * at await points, and an appender or a multi-statement change must not see another request's
 * half-done work.
 *
 * Checkpoints (folding the write-ahead log into the file) happen once no write has come for
 * {@link IDLE_CHECKPOINT_MS}, rather than inside the commit of whichever request crosses
 * DuckDB's 16 MB threshold; a burst of writes only checkpoints in a commit past
 * {@link CHECKPOINT_THRESHOLD}. Reads (`read`) and the small records that come with them
 * (`record`: a query's job) do not postpone it: a dashboard polling every few seconds would
 * otherwise keep the checkpoint from ever running while idle, until a 256 MB one inside a commit.
 * Durability does not change: every commit is in the fsynced write-ahead log before it is
 * acknowledged, and a restart replays what was not checkpointed.
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
    private readonly idleCheckpointMs: number,
  ) {}

  static async open(path: string | undefined, options: DatabaseOptions = {}): Promise<Database> {
    const instance = await DuckDBInstance.create(path ?? ':memory:');
    const connection = await instance.connect();
    // BigQuery's TIMESTAMP is UTC; DuckDB's TIMESTAMPTZ arithmetic follows the session zone.
    await connection.run(`SET TimeZone = 'UTC'`);
    await connection.run(
      `SET checkpoint_threshold = '${path ? CHECKPOINT_THRESHOLD : IN_MEMORY_CHECKPOINT_THRESHOLD}'`,
    );
    return new Database(
      instance,
      connection,
      path !== undefined,
      options.idleCheckpointMs ?? IDLE_CHECKPOINT_MS,
    );
  }

  /**
   * Runs `work` alone on the connection; later callers wait for it. For work that writes data or
   * definitions: it postpones the idle checkpoint.
   */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const result = this.enqueue(work);
    this.noteWrite();
    return result;
  }

  /**
   * Runs `work`, which only reads, alone on the connection; it does not postpone the idle
   * checkpoint. Work that turns out to write (a query refreshing a materialized view) calls
   * {@link noteWrite}.
   */
  read<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.enqueue(work);
  }

  /**
   * Runs `work`, a small write that comes with a read (a query's job record), alone on the
   * connection: the next idle checkpoint folds it in, but it does not postpone that checkpoint.
   */
  record<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const result = this.enqueue(work);
    this.markDirty(false);
    return result;
  }

  /** Data or definitions were written: the idle checkpoint waits for a quiet spell after this. */
  noteWrite(): void {
    this.markDirty(true);
  }

  private enqueue<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => work(this.connection));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves after the next idle checkpoint (at once when nothing is waiting to be). */
  idleCheckpointed(): Promise<void> {
    if (!this.dirty && !this.idleTimer) return this.checkpointing;
    return new Promise((resolve) => this.checkpointWaiters.push(resolve));
  }

  /** The log has something to fold in; `postpone`: wait for a quiet spell from now. */
  private markDirty(postpone: boolean): void {
    if (!this.fileBacked || this.closed) return;
    this.dirty = true;
    if (this.idleTimer) {
      if (postpone) this.idleTimer.refresh();
    } else {
      this.idleTimer = setTimeout(() => this.checkpointWhenIdle(), this.idleCheckpointMs);
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

/*
 * How a local pipeline's DoFns reach memory of the code that runs it. DoFns are serialized and
 * rebuilt, so they normally must not reach module state; but the SDK's in-process DirectRunner
 * rebuilds them in the very thread that built the pipeline, where the module holding a registry
 * and the registry itself are the same objects. So a DoFn carries only a key and looks its entry up
 * here. On any other runner (or after the run) the key is unknown and `get` throws: the DoFn fails
 * instead of dropping data.
 */

/** Entries of one kind (what they are is `what`, for the error), each named by a key of its run. */
export class InProcessRegistry<T> {
  private readonly entries = new Map<number, T>();
  private lastKey = 0;

  constructor(private readonly what: string) {}

  /** The entry under `key`; throws unless this thread registered it and its run is not over. */
  get(key: number): T {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      throw new Error(
        `no ${this.what} #${key}: these DoFns run only on the in-process DirectRunner of the thread that registered it`,
      );
    }
    return entry;
  }

  /** Registers `entry` under a fresh key for as long as `run(key)` takes. */
  async with<R>(entry: T, run: (key: number) => Promise<R>): Promise<R> {
    this.lastKey += 1;
    const key = this.lastKey;
    this.entries.set(key, entry);
    try {
      return await run(key);
    } finally {
      this.entries.delete(key);
    }
  }
}

import { startServiceThread } from '../runtime/service-thread.js';
import type { BigQueryEmulator, BigQueryEmulatorOptions } from './bigquery-emulator/index.js';

/** @internal the thread's input */
export type EmulatorThreadInput = Omit<BigQueryEmulatorOptions, 'log' | 'translator'>;

/** @internal what the thread reports once the emulator listens */
export type EmulatorThreadStarted = Pick<BigQueryEmulator, 'url' | 'port' | 'defaultProjectId'>;

/**
 * The BigQuery emulator on its own thread. DuckDB's appends and queries run synchronously on the
 * thread that calls them; in one thread with the Pub/Sub emulator they held up message delivery,
 * and the BigQuery work was half the local stack's critical path (docs/PERFORMANCE.md, #8). Same
 * REST API, same storage; only `log` and `translator` stay behind (the default translator is used).
 */
export async function startBigQueryEmulatorThread(
  options: Omit<BigQueryEmulatorOptions, 'translator'>,
): Promise<BigQueryEmulator> {
  const { log, ...emulator } = options;
  const thread = await startServiceThread<EmulatorThreadStarted, never, EmulatorThreadInput>(
    new URL('./bigquery-emulator-worker.ts', import.meta.url),
    emulator,
    { logger: log },
  );
  return { ...thread.started, close: () => thread.stop() };
}

import { writeThreadLogRecord, type ThreadLogRecord } from '../services/shared/thread-log.js';
import { startTsWorker } from '../beam/ts-worker.js';
import type { BigQueryEmulator, BigQueryEmulatorOptions } from './bigquery-emulator/index.js';

/** @internal the thread's input */
export interface EmulatorThreadInput {
  readonly emulator: Omit<BigQueryEmulatorOptions, 'log' | 'translator'>;
  readonly logLevel: string;
}

/** @internal the thread's reports */
export type EmulatorThreadReport =
  | { type: 'started'; url: string; port: number; defaultProjectId: string }
  | { type: 'closed' }
  | { type: 'failed'; message: string }
  | { type: 'log'; record: ThreadLogRecord };

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
  const input: EmulatorThreadInput = { emulator, logLevel: log?.level ?? 'info' };
  const worker = startTsWorker(new URL('./bigquery-emulator-worker.ts', import.meta.url), input);
  let pending: { resolve: (report: EmulatorThreadReport) => void; reject: (e: Error) => void };
  const next = () =>
    new Promise<EmulatorThreadReport>((resolve, reject) => (pending = { resolve, reject }));
  let reply = next();
  worker.on('message', (message: EmulatorThreadReport) => {
    if (message.type === 'log') writeThreadLogRecord(log, message.record);
    else pending.resolve(message);
  });
  worker.on('error', (error) => pending.reject(error));
  worker.on('exit', (code) =>
    pending.reject(new Error(`BigQuery emulator thread exited with code ${code}`)),
  );

  const started = await reply.catch(
    (error: Error) => ({ type: 'failed', message: error.message }) as const,
  );
  if (started.type !== 'started') {
    await worker.terminate();
    throw new Error(
      started.type === 'failed' ? started.message : 'BigQuery emulator thread did not start',
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url: started.url,
    port: started.port,
    defaultProjectId: started.defaultProjectId,
    close() {
      closing ??= (async () => {
        reply = next();
        worker.postMessage({ type: 'close' });
        const outcome = await reply.catch(
          (error: Error) => ({ type: 'failed', message: error.message }) as const,
        );
        await worker.terminate();
        if (outcome.type === 'failed') throw new Error(outcome.message);
      })();
      return closing;
    },
  };
}

import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOTSTRAP = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

/**
 * Starts a worker thread on a TypeScript module, whatever loaded the parent (tsx from the command
 * line, vitest, `node --import tsx`). The module reads its own input from `workerData.input`.
 */
export function startTsWorker(
  entry: URL,
  input: unknown,
  options: Omit<WorkerOptions, 'workerData'> = {},
): Worker {
  return new Worker(BOOTSTRAP, { ...options, workerData: { entry: entry.href, input } });
}

import type { Worker } from 'node:worker_threads';
import type { Logger } from '../services/shared/logger.js';
import { writeThreadLogRecord, type ThreadLogRecord } from '../services/shared/thread-log.js';
import type {
  CuratedStreamingRunner,
  CuratedStreamingRunnerOptions,
  CuratedStreamingStats,
} from './streaming-runner.js';
import { startTsWorker } from './ts-worker.js';

/** What the runner thread needs: everything but the clients, hooks and logger, which cannot cross. */
export interface RunnerThreadOptions {
  readonly runner: Omit<
    CuratedStreamingRunnerOptions,
    'pubsub' | 'bigquery' | 'logger' | 'beforeAck' | 'onBatch'
  >;
  /** `host:port` of the Pub/Sub emulator (PUBSUB_EMULATOR_HOST in the thread). */
  readonly pubsubHost: string;
  /** `http://host:port` of the BigQuery emulator (BIGQUERY_EMULATOR_HOST in the thread). */
  readonly bigqueryUrl: string;
  /** Receives the thread's log records. @default silent */
  readonly logger?: Logger;
}

/** @internal the thread's input */
export interface RunnerThreadInput {
  readonly runner: RunnerThreadOptions['runner'];
  readonly logLevel: string;
}

/** @internal the thread's reports */
export type RunnerThreadReport =
  | { type: 'started' | 'stats' | 'stopped'; stats: CuratedStreamingStats }
  | { type: 'failed'; message: string }
  | { type: 'log'; record: ThreadLogRecord };

/**
 * The curated streaming runner on its own thread. In the local stack the emulators share the main
 * thread with everything else; the runner's mapping and client-side encoding are the other half of
 * the work, so on a second thread both halves run at once (docs/PERFORMANCE.md, #8). Same
 * behaviour and statistics as `startCuratedStreamingRunner`; stats() returns the totals as of the
 * last finished batch.
 */
export async function startCuratedStreamingRunnerThread(
  options: RunnerThreadOptions,
): Promise<CuratedStreamingRunner> {
  const log = options.logger;
  const input: RunnerThreadInput = {
    runner: options.runner,
    logLevel: log?.level ?? 'silent',
  };
  const worker: Worker = startTsWorker(
    new URL('./streaming-runner-worker.ts', import.meta.url),
    input,
    {
      env: {
        ...process.env,
        PUBSUB_EMULATOR_HOST: options.pubsubHost,
        BIGQUERY_EMULATOR_HOST: options.bigqueryUrl,
        METADATA_SERVER_DETECTION: 'none',
      },
    },
  );
  let stats: CuratedStreamingStats | null = null;
  let settle: { resolve: () => void; reject: (error: Error) => void } | null = null;
  let exited = false;

  const wait = () =>
    new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
  const started = wait();
  worker.on('message', (message: RunnerThreadReport) => {
    if (message.type === 'log') {
      writeThreadLogRecord(log, message.record);
      return;
    }
    if (message.type === 'failed') {
      settle?.reject(new Error(message.message));
      return;
    }
    stats = message.stats;
    if (message.type === 'started' || message.type === 'stopped') settle?.resolve();
  });
  worker.on('error', (error) => settle?.reject(error));
  worker.on('exit', (code) => {
    exited = true;
    settle?.reject(new Error(`curated runner thread exited with code ${code}`));
  });
  try {
    await started;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        if (exited) return;
        const done = wait();
        worker.postMessage({ type: 'stop' });
        await done;
        await worker.terminate();
      })();
      return stopped;
    },
    stats() {
      if (stats === null) throw new Error('curated runner thread has not started');
      return { ...stats };
    },
  };
}

import type { Logger } from '../../runtime/logger.js';
import { startServiceThread } from '../../runtime/service-thread.js';
import type {
  CuratedStreamingRunner,
  CuratedStreamingRunnerOptions,
  CuratedStreamingStats,
} from './streaming-runner.js';

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

/** The runner on its thread, plus what an owner needs to notice and simulate its death. */
export interface CuratedStreamingRunnerThread extends CuratedStreamingRunner {
  /** Resolves with the thread's exit code when it ends, stopped or crashed. */
  readonly exited: Promise<number>;
  /** Ends the thread abruptly, as a crash would (tests). */
  terminate(): Promise<void>;
}

/** @internal the thread's input */
export type RunnerThreadInput = RunnerThreadOptions['runner'];

/**
 * The curated streaming runner on its own thread. In the local stack the emulators share the main
 * thread with everything else; the runner's mapping and client-side encoding are the other half of
 * the work, so on a second thread both halves run at once (docs/PERFORMANCE.md, #8). Same
 * behaviour and statistics as `startCuratedStreamingRunner`; stats() returns the totals as of the
 * last finished batch.
 */
export async function startCuratedStreamingRunnerThread(
  options: RunnerThreadOptions,
): Promise<CuratedStreamingRunnerThread> {
  let latest: CuratedStreamingStats | undefined;
  const thread = await startServiceThread<
    CuratedStreamingStats,
    CuratedStreamingStats,
    RunnerThreadInput
  >(new URL('./streaming-runner-worker.ts', import.meta.url), options.runner, {
    logger: options.logger,
    onEvent: (stats) => (latest = stats),
    env: {
      ...process.env,
      PUBSUB_EMULATOR_HOST: options.pubsubHost,
      BIGQUERY_EMULATOR_HOST: options.bigqueryUrl,
      METADATA_SERVER_DETECTION: 'none',
    },
  });
  latest ??= thread.started;
  return {
    stop: () => thread.stop(),
    stats: () => ({ ...latest! }),
    exited: thread.exited,
    terminate: () => thread.terminate(),
  };
}

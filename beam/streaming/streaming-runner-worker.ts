// The curated streaming runner's thread (see streaming-runner-thread.ts): runs the runner with its
// own official clients; statistics after each batch go to the parent as events.
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { serveInThread } from '../../runtime/service-thread.js';
import { startCuratedStreamingRunner, type CuratedStreamingStats } from './streaming-runner.js';
import type { RunnerThreadInput } from './streaming-runner-thread.js';

await serveInThread<RunnerThreadInput, CuratedStreamingStats, CuratedStreamingStats>(
  async (input, { logger, emit }) => {
    const runner = await startCuratedStreamingRunner({
      ...input,
      // The emulator hosts are in this thread's environment (set by the parent), as in production.
      pubsub: new PubSub({ projectId: input.projectId }),
      bigquery: new BigQuery({ projectId: input.projectId }),
      logger,
      onBatch: emit,
    });
    return {
      started: runner.stats(),
      stop: async () => {
        await runner.stop();
        emit(runner.stats()); // stop() nacks what was queued: the final totals
      },
    };
  },
);

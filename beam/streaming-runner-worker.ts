// The curated streaming runner's thread (see streaming-runner-thread.ts): runs the runner with its
// own official clients and reports statistics and log records to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { threadLogger } from '../services/shared/thread-log.js';
import { startCuratedStreamingRunner } from './streaming-runner.js';
import type { RunnerThreadInput, RunnerThreadReport } from './streaming-runner-thread.js';

const port = parentPort!;
const input = (workerData as { input: RunnerThreadInput }).input;
const report = (message: RunnerThreadReport) => port.postMessage(message);

// Log records travel to the parent, which writes them with its own logger and destination.
const logger = threadLogger(input.logLevel, (record) => report({ type: 'log', record }));

try {
  const runner = await startCuratedStreamingRunner({
    ...input.runner,
    // The emulator hosts are in this thread's environment (set by the parent), as in production.
    pubsub: new PubSub({ projectId: input.runner.projectId }),
    bigquery: new BigQuery({ projectId: input.runner.projectId }),
    logger,
    onBatch: (stats) => report({ type: 'stats', stats }),
  });
  report({ type: 'started', stats: runner.stats() });
  port.on('message', (message: { type: 'stop' }) => {
    if (message.type !== 'stop') return;
    void runner.stop().then(
      () => report({ type: 'stopped', stats: runner.stats() }),
      (error: unknown) => report({ type: 'failed', message: String(error) }),
    );
  });
} catch (error) {
  report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

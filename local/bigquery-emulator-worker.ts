// The BigQuery emulator's thread (see bigquery-emulator-thread.ts): starts the emulator, reports its
// address and log records to the parent, closes it when asked.
import { parentPort, workerData } from 'node:worker_threads';
import { threadLogger } from '../services/shared/thread-log.js';
import { startBigQueryEmulator } from './bigquery-emulator/index.js';
import type { EmulatorThreadInput, EmulatorThreadReport } from './bigquery-emulator-thread.js';

const port = parentPort!;
const input = (workerData as { input: EmulatorThreadInput }).input;
const report = (message: EmulatorThreadReport) => port.postMessage(message);

try {
  const emulator = await startBigQueryEmulator({
    ...input.emulator,
    log: threadLogger(input.logLevel, (record) => report({ type: 'log', record })),
  });
  report({
    type: 'started',
    url: emulator.url,
    port: emulator.port,
    defaultProjectId: emulator.defaultProjectId,
  });
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    void emulator.close().then(
      () => report({ type: 'closed' }),
      (error: unknown) => report({ type: 'failed', message: String(error) }),
    );
  });
} catch (error) {
  report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

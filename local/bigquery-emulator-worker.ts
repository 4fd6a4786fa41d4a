// The BigQuery emulator's thread (see bigquery-emulator-thread.ts).
import { serveInThread } from '../runtime/service-thread.js';
import { startBigQueryEmulator } from './bigquery-emulator/index.js';
import type { EmulatorThreadInput, EmulatorThreadStarted } from './bigquery-emulator-thread.js';

await serveInThread<EmulatorThreadInput, EmulatorThreadStarted>(async (input, { logger }) => {
  const emulator = await startBigQueryEmulator({ ...input, log: logger });
  const { url, port, defaultProjectId } = emulator;
  return { started: { url, port, defaultProjectId }, stop: () => emulator.close() };
});

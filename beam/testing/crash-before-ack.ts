// A streaming runner that dies the hard way (SIGKILL) after its first batch is written to BigQuery
// and before any ack: the crash the streaming test recovers from. Configured like the real runner,
// by PROJECT_ID, INPUT_SUBSCRIPTION, OUTPUT_TABLE, DLQ_TABLE and the emulator host variables.
import { startCuratedStreamingRunner } from '../streaming/streaming-runner.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

await startCuratedStreamingRunner({
  projectId: env('PROJECT_ID'),
  inputSubscription: env('INPUT_SUBSCRIPTION'),
  outputTable: env('OUTPUT_TABLE'),
  dlqTable: env('DLQ_TABLE'),
  maxMessages: Number(process.env.MAX_MESSAGES ?? 2),
  maxWaitMs: 200,
  beforeAck: (batch) => {
    process.stdout.write(`WRITTEN ${JSON.stringify(batch)}\n`, () => {
      process.kill(process.pid, 'SIGKILL');
    });
    return new Promise<void>(() => undefined);
  },
});

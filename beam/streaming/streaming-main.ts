import { coerce, defaulted, integer, object, optional, string } from 'superstruct';
import { loadConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { CURATED_RUNNER_DEFAULTS, startCuratedStreamingRunner } from './streaming-runner.js';

const PositiveInt = coerce(integer(), string(), (value) => Number(value));

/** The runner's environment (docs/contracts.md, pmp-velib-curated), validated once at start-up. */
export const CuratedStreamingEnv = object({
  PROJECT_ID: string(),
  INPUT_SUBSCRIPTION: string(),
  OUTPUT_TABLE: string(),
  DLQ_TABLE: string(),
  /** Micro-batch size and flow-control limit. */
  MAX_MESSAGES: defaulted(PositiveInt, CURATED_RUNNER_DEFAULTS.maxMessages),
  /** How long a batch waits to fill, in milliseconds. */
  MAX_WAIT_MS: defaulted(PositiveInt, CURATED_RUNNER_DEFAULTS.maxWaitMs),
  LOG_LEVEL: optional(string()),
});

/**
 * `pmp curate --stream` and the local stack's entry: reads the environment, runs until SIGINT or
 * SIGTERM, then finishes the batch in flight before exiting.
 */
export async function runCuratedStreamingFromEnv(
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const config = loadConfig(CuratedStreamingEnv, env);
  const logger = createLogger({ name: 'pmp-velib-curated' });
  const runner = await startCuratedStreamingRunner({
    projectId: config.PROJECT_ID,
    inputSubscription: config.INPUT_SUBSCRIPTION,
    outputTable: config.OUTPUT_TABLE,
    dlqTable: config.DLQ_TABLE,
    maxMessages: config.MAX_MESSAGES,
    maxWaitMs: config.MAX_WAIT_MS,
    logger,
  });
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await runner.stop();
}

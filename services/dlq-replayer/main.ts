// Entry point of the pmp-station-info-dlq-replayer Cloud Run Job: one run, a summary on stdout,
// exit status 1 when any message failed (so the job execution shows as failed).
import { PubSub } from '@google-cloud/pubsub';
import { createLogger } from '../../runtime/logger.js';
import { settingsOrExit } from '../../runtime/config.js';
import { loadReplayerEnv, replaySettings } from './config.js';
import { exitCodeOf, replayDeadLetters } from './replay.js';

const log = createLogger({ name: 'pmp-station-info-dlq-replayer' });
const env = settingsOrExit(log, () => loadReplayerEnv(process.env), 2);
const pubsub = new PubSub(env.PROJECT_ID ? { projectId: env.PROJECT_ID } : {});
let stop = false;
process.once('SIGTERM', () => {
  // Cloud Run stops a job task with SIGTERM; the current message finishes, acks stay truthful.
  stop = true;
  log.warn('SIGTERM: finishing the current batch');
});
try {
  const summary = await replayDeadLetters(pubsub, replaySettings(env), {
    log,
    shouldStop: () => stop,
  });
  process.stdout.write(`${JSON.stringify({ summary })}\n`);
  process.exitCode = exitCodeOf(summary);
} finally {
  await pubsub.close();
}

import { PubSub } from '@google-cloud/pubsub';
import type { Command } from 'commander';
import { loadReplayerEnv, replaySettings } from '../../services/dlq-replayer/config.js';
import { exitCodeOf, replayDeadLetters } from '../../services/dlq-replayer/replay.js';
import { createLogger } from '../../services/shared/logger.js';

const number = (name: string, least: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < least) throw new Error(`${name} must be a number ≥ ${least}`);
  return n;
};
const whole = (name: string, least: number) => (value: string) => {
  const n = number(name, least)(value);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number`);
  return n;
};

interface ReplayFlags {
  project?: string;
  subscription?: string;
  targetTopic?: string;
  qps?: number;
  maxMessages?: number;
  batchSize?: number;
  dryRun?: boolean;
  ackSkipped?: boolean;
}

/**
 * `pmp dlq replay`: the pmp-station-info-dlq-replayer job, run from a shell. Flags override the
 * job's environment variables (same names, same defaults); PUBSUB_EMULATOR_HOST selects the emulator.
 */
export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect and replay dead-lettered messages');
  dlq
    .command('replay')
    .description(
      'republish held dead letters to their source topic (replay=true), ack after each confirmed publish, print a summary',
    )
    .option('--project <id>', 'Google Cloud project (env PROJECT_ID)')
    .option('--subscription <id>', 'hold subscription (env SUBSCRIPTION_ID)')
    .option('--target-topic <id>', 'topic to republish to (env TARGET_TOPIC_ID)')
    .option('--qps <n>', 'publishes per second, 0 = unthrottled (env QPS)', number('qps', 0))
    .option(
      '--max-messages <n>',
      'stop after this many messages (env MAX_MESSAGES)',
      whole('max-messages', 1),
    )
    .option('--batch-size <n>', 'messages per pull (env BATCH_SIZE)', whole('batch-size', 1))
    .option('--dry-run', 'pull and report only: publish and ack nothing (env DRY_RUN)')
    .option('--ack-skipped', 'ack messages skipped as already replayed (env ACK_SKIPPED)')
    .action(async (flags: ReplayFlags) => {
      const env = loadReplayerEnv(process.env);
      const settings = {
        ...replaySettings(env),
        ...(flags.subscription ? { subscription: flags.subscription } : {}),
        ...(flags.targetTopic ? { targetTopic: flags.targetTopic } : {}),
        ...(flags.qps !== undefined ? { qps: flags.qps } : {}),
        ...(flags.maxMessages !== undefined ? { maxMessages: flags.maxMessages } : {}),
        ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
        ...(flags.dryRun ? { dryRun: true } : {}),
        ...(flags.ackSkipped ? { ackSkipped: true } : {}),
      };
      const projectId = flags.project ?? env.PROJECT_ID;
      const pubsub = new PubSub(projectId ? { projectId } : {});
      try {
        const summary = await replayDeadLetters(pubsub, settings, {
          log: createLogger({ name: 'pmp-dlq-replay', destination: process.stderr }),
        });
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        process.exitCode = exitCodeOf(summary);
      } finally {
        await pubsub.close();
      }
    });
}

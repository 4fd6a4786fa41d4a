import type { Command } from 'commander';
import type { dlqClientsFor, DlqTargetOptions } from '../../local/dlq/index.js';
import { SHOW_PAYLOAD_CHARS } from '../../local/dlq/names.js';
import { cliAction } from '../../local/stack/cli-action.js';

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
  dataDir: string;
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
  const dlq = program
    .command('dlq')
    .description(
      'inspect (list, show), drill and replay dead letters: the local stack by default, --project for Google Cloud',
    );
  registerInspect(dlq);
  registerDrill(dlq);
  dlq
    .command('replay')
    .description(
      'republish held dead letters to their source topic (replay=true), ack after each confirmed publish, print a summary',
    )
    .option(
      '--project <id>',
      'Google Cloud project (env PROJECT_ID); without one, the local stack (or the emulator variables)',
    )
    .option('--data-dir <dir>', 'the local stack to replay on, without a project', '.pmp')
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
    .action(
      cliAction('dlq replay', async (flags: ReplayFlags) => {
        const { loadReplayerEnv, replaySettings } =
          await import('../../services/dlq-replayer/config.js');
        const { exitCodeOf, replayDeadLetters } =
          await import('../../services/dlq-replayer/replay.js');
        const { createLogger } = await import('../../runtime/logger.js');
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
        const pubsub = await replayClient(flags.project ?? env.PROJECT_ID, flags.dataDir);
        try {
          const summary = await replayDeadLetters(pubsub, settings, {
            log: createLogger({ name: 'pmp-dlq-replay', destination: process.stderr }),
          });
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          process.exitCode = exitCodeOf(summary);
        } finally {
          await pubsub.close();
        }
      }),
    );
}

/**
 * The replayer's client: as the job runs it when a project is known (the emulator variables still
 * apply, as in the job's own environment), else the local stack's, so a shell with neither gets
 * "no Pub/Sub emulator answers at …" instead of google-auth's "Unable to detect a Project Id".
 */
async function replayClient(projectId: string | undefined, dataDir: string) {
  if (projectId) {
    const { PubSub } = await import('@google-cloud/pubsub');
    return new PubSub({ projectId });
  }
  const { dlqClientsFor } = await import('../../local/dlq/index.js');
  return (await dlqClientsFor({ dataDir })).pubsub;
}

/** `5m`, `24h`, `7d` before now, or an RFC 3339 time. */
const sinceTime = (value: string): Date => {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(Date.now() - Number(relative[1]) * unit);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new Error('since must be like 30m, 24h, 7d or an RFC 3339 time');
  return date;
};

interface TargetFlags extends DlqTargetOptions {
  json?: boolean;
}

const withTarget = (command: Command) =>
  command
    .option(
      '--project <id>',
      'a Google Cloud project (official clients, emulator variables ignored)',
    )
    .option('--data-dir <dir>', 'the local stack to read (pmp start --data-dir)', '.pmp')
    .option('--json', 'machine-readable output');

async function withClients<T>(
  flags: TargetFlags,
  use: (clients: Awaited<ReturnType<typeof dlqClientsFor>>) => Promise<T>,
): Promise<T> {
  const { dlqClientsFor } = await import('../../local/dlq/index.js');
  const clients = await dlqClientsFor(flags);
  try {
    return await use(clients);
  } finally {
    await clients.close();
  }
}

function registerInspect(dlq: Command): void {
  withTarget(
    dlq
      .command('list')
      .description(
        'dead letters of the station-info push (BigQuery table + hold subscription, peeked, not consumed), the curated job and the push writers: counts by source, origin and reason, then the newest records',
      ),
  )
    .option(
      '--since <when>',
      'only newer: 30m, 24h, 7d or an RFC 3339 time (default 7d)',
      sinceTime,
    )
    .option(
      '--limit <n>',
      'records to print, newest first (counts always cover everything)',
      whole('limit', 1),
      20,
    )
    .action(
      cliAction('dlq list', async (flags: TargetFlags & { since?: Date; limit: number }) => {
        const { formatDeadLetterList, listDeadLetters } = await import('../../local/dlq/index.js');
        const list = await withClients(flags, (clients) =>
          listDeadLetters(clients, { since: flags.since, limit: flags.limit }),
        );
        process.stdout.write(
          `${flags.json ? JSON.stringify(list, null, 2) : formatDeadLetterList(list)}\n`,
        );
      }),
    );
  withTarget(
    dlq
      .command('show <id>')
      .description(
        'one dead letter in full (id from pmp dlq list): fields, attributes, payload pretty-printed',
      ),
  )
    .option(
      '--max-chars <n>',
      'payload characters to print before cutting',
      whole('max-chars', 1),
      SHOW_PAYLOAD_CHARS,
    )
    .action(
      cliAction('dlq show', async (id: string, flags: TargetFlags & { maxChars: number }) => {
        const { formatDeadLetter, showDeadLetter } = await import('../../local/dlq/index.js');
        const record = await withClients(flags, (clients) => showDeadLetter(clients, id));
        process.stdout.write(
          `${flags.json ? JSON.stringify(record, null, 2) : formatDeadLetter(record, flags.maxChars)}\n`,
        );
      }),
    );
}

function registerDrill(dlq: Command): void {
  withTarget(
    dlq
      .command('drill')
      .description(
        'publish a pmp_drill=<uuid> message the station-info writer refuses until replayed; watch it reach the dead-letter topic, the hold subscription and the BigQuery DLQ table, replay only it, see it back on the source topic; print each step with its time, exit 1 naming the step that did not happen',
      ),
  )
    .option(
      '--dead-letter-timeout <s>',
      'seconds for the 5 refused deliveries (backoff 10 s doubling: ~150 s)',
      number('dead-letter-timeout', 1),
      300,
    )
    .option('--step-timeout <s>', 'seconds for every other step', number('step-timeout', 1), 60)
    .action(
      cliAction(
        'dlq drill',
        async (flags: TargetFlags & { deadLetterTimeout: number; stepTimeout: number }) => {
          const { runDrill } = await import('../../local/dlq/index.js');
          const { createLogger } = await import('../../runtime/logger.js');
          const report = await withClients(flags, (clients) =>
            runDrill(clients, {
              log: createLogger({
                name: 'pmp-dlq-drill',
                destination: process.stderr,
                level: 'warn',
              }),
              deadLetterTimeoutMs: flags.deadLetterTimeout * 1000,
              stepTimeoutMs: flags.stepTimeout * 1000,
              onStep: flags.json
                ? undefined
                : (step) =>
                    process.stdout.write(
                      `${step.ok ? 'ok  ' : 'FAIL'}  ${step.step.padEnd(24)}  +${(step.atMs / 1000).toFixed(1)} s  (${(step.tookMs / 1000).toFixed(1)} s)  ${step.detail}\n`,
                    ),
            }),
          );
          if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          if (!report.ok) {
            process.stderr.write(
              `pmp dlq drill: step "${report.failedStep}" did not happen (drill ${report.drillId})\n`,
            );
            process.exitCode = 1;
          }
        },
      ),
    );
}

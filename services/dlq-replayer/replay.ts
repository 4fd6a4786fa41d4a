import { randomUUID } from 'node:crypto';
import { v1, type PubSub } from '@google-cloud/pubsub';
import type { Logger } from '../../runtime/logger.js';
import { rateLimiter } from './replay-policy.js';
import { releaseHeld, replayBatches, type ReplayRun } from './replay-run.js';

export {
  ACK_DEADLINE_MARGIN_SECONDS,
  MAX_ACK_DEADLINE_SECONDS,
  ackDeadlineFor,
  alreadyReplayed,
  largestBatchThatFits,
  replayAttributes,
} from './replay-policy.js';

export interface ReplaySettings {
  /** Hold subscription, id or full name (`pmp-velib-station-info-push-dlq-hold-sub`). */
  readonly subscription: string;
  /** Source topic to republish to, id or full name (`pmp-velib-station-info`). */
  readonly targetTopic: string;
  /** Publishes per second; 0 means unthrottled. @default 5 */
  readonly qps: number;
  /** Stop after pulling this many messages. @default 1000 */
  readonly maxMessages: number;
  /** Messages per pull (shrunk when the rate limit would outlast the ack deadline). @default 50 */
  readonly batchSize: number;
  /** Pull and report, publish and ack nothing; held messages are released at the end. */
  readonly dryRun: boolean;
  /** The kill switch: false makes the job a no-op that says so. @default true */
  readonly replayEnabled: boolean;
  /** Acknowledge messages skipped because they were already replayed once. @default false */
  readonly ackSkipped: boolean;
  /** Per-call timeouts. @default 10_000 / 30_000 */
  readonly pullTimeoutMs?: number;
  readonly publishTimeoutMs?: number;
}

export interface ReplaySummary {
  runId: string;
  subscription: string;
  targetTopic: string;
  dryRun: boolean;
  replayEnabled: boolean;
  pulled: number;
  republished: number;
  acked: number;
  skipped: number;
  /** Messages `select` turned down: left held, untouched. */
  passedOver: number;
  failed: number;
  /** Pull or deadline calls that failed outright (the run stops at a failed pull). */
  errors: string[];
}

export interface ReplayDeps {
  readonly log: Logger;
  /** @default a random UUID */
  readonly runId?: string;
  /** @default real timers */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Polled between messages: true ends the run early (SIGTERM), everything so far stays acked. */
  readonly shouldStop?: () => boolean;
  /**
   * Replays only the messages this accepts and leaves every other one held, untouched, so a drill
   * (`pmp dlq drill`) can send back its own message without replaying anyone else's.
   * @default every message
   */
  readonly select?: (attributes: Readonly<Record<string, string>>) => boolean;
}

/**
 * Replays dead-lettered messages from the hold subscription to the source topic. Unary Pull (the
 * v1 SubscriberClient) so the job takes exactly what it can handle; each batch's ack deadline is
 * extended to cover the rate limit; a message is acknowledged only after its republish is
 * confirmed with a message id, so a crash mid-run loses nothing (at worst one duplicate, which
 * the writers' insertIds absorb).
 */
export async function replayDeadLetters(
  pubsub: PubSub,
  settings: ReplaySettings,
  deps: ReplayDeps,
): Promise<ReplaySummary> {
  const { log } = deps;
  const runId = deps.runId ?? randomUUID();
  const subscription = pubsub.subscription(settings.subscription).name;
  const topic = pubsub.topic(settings.targetTopic, { batching: { maxMessages: 1 } });
  const summary = emptySummary(runId, subscription, topic.name, settings);
  log.info({ ...summary, qps: settings.qps, maxMessages: settings.maxMessages }, 'replay starting');
  if (!settings.replayEnabled) {
    log.warn('REPLAY_ENABLED=false: nothing pulled, nothing replayed');
    return summary;
  }
  const subscriber = await unarySubscriber(pubsub);
  const run: ReplayRun = {
    settings,
    log,
    runId,
    subscription,
    sourceId: subscription.split('/').pop() ?? subscription,
    topic,
    subscriber,
    throttle: rateLimiter(settings.qps, deps.sleep ?? sleepFor),
    shouldStop: () => deps.shouldStop?.() ?? false,
    select: deps.select,
    summary,
    held: [],
  };
  try {
    await replayBatches(run);
  } finally {
    await releaseHeld(run);
    await subscriber.close();
  }
  log[exitCodeOf(summary) === 0 ? 'info' : 'error'](summary, 'replay finished');
  return summary;
}

/** The run's exit status: non-zero when any message failed or a pull broke down. */
export function exitCodeOf(summary: ReplaySummary): number {
  return summary.failed > 0 || summary.errors.length > 0 ? 1 : 0;
}

function emptySummary(
  runId: string,
  subscription: string,
  targetTopic: string,
  settings: ReplaySettings,
): ReplaySummary {
  return {
    runId,
    subscription,
    targetTopic,
    dryRun: settings.dryRun,
    replayEnabled: settings.replayEnabled,
    pulled: 0,
    republished: 0,
    acked: 0,
    skipped: 0,
    passedOver: 0,
    failed: 0,
    errors: [],
  };
}

/**
 * The v1 client for unary Pull. The client config carries the emulator endpoint and insecure
 * credentials when PUBSUB_EMULATOR_HOST is set, exactly as the high-level client uses them.
 */
async function unarySubscriber(pubsub: PubSub): Promise<v1.SubscriberClient> {
  const config = (await pubsub.getClientConfig()) as ConstructorParameters<
    typeof v1.SubscriberClient
  >[0];
  return new v1.SubscriberClient(config);
}

function sleepFor(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

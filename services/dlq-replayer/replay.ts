import { randomUUID } from 'node:crypto';
import { v1, type PubSub } from '@google-cloud/pubsub';
import type { Logger } from '../../runtime/logger.js';

/** Pub/Sub's ceiling for one ModifyAckDeadline. */
export const MAX_ACK_DEADLINE_SECONDS = 600;
/** Slack on top of the batch's expected processing time. */
export const ACK_DEADLINE_MARGIN_SECONDS = 60;

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

/** Attributes the replay must not carry back: dead-letter bookkeeping and the drill switch. */
export function replayAttributes(
  original: Record<string, string>,
  runId: string,
  source: string,
): Record<string, string> {
  const kept = Object.entries(original).filter(
    ([key]) => !key.startsWith('CloudPubSubDeadLetter') && key !== 'dlq_test',
  );
  return { ...Object.fromEntries(kept), replay: 'true', replay_id: runId, replay_source: source };
}

/** A message that already went round once is not sent round again (loop guard). */
export function alreadyReplayed(attributes: Record<string, string>): boolean {
  return (attributes.replay ?? '').trim().toLowerCase() === 'true';
}

/**
 * How long the last message of a batch may wait behind the rate limit, plus a margin, within
 * Pub/Sub's 10–600 s range; and the largest batch whose wait still fits.
 */
export function ackDeadlineFor(batch: number, qps: number): number {
  const wait = qps > 0 ? Math.max(0, batch - 1) / qps : 0;
  return Math.min(
    MAX_ACK_DEADLINE_SECONDS,
    Math.max(10, Math.ceil(wait + ACK_DEADLINE_MARGIN_SECONDS)),
  );
}

export function largestBatchThatFits(qps: number): number {
  if (qps <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(
    1,
    Math.floor((MAX_ACK_DEADLINE_SECONDS - ACK_DEADLINE_MARGIN_SECONDS) * qps) + 1,
  );
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
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const subscription = pubsub.subscription(settings.subscription).name;
  const topic = pubsub.topic(settings.targetTopic, { batching: { maxMessages: 1 } });
  const sourceId = subscription.split('/').pop() ?? subscription;
  const summary: ReplaySummary = {
    runId,
    subscription,
    targetTopic: topic.name,
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
  log.info({ ...summary, qps: settings.qps, maxMessages: settings.maxMessages }, 'replay starting');
  if (!settings.replayEnabled) {
    log.warn('REPLAY_ENABLED=false: nothing pulled, nothing replayed');
    return summary;
  }

  // The client config carries the emulator endpoint and insecure credentials when
  // PUBSUB_EMULATOR_HOST is set, exactly as the high-level client uses them.
  const config = (await pubsub.getClientConfig()) as ConstructorParameters<
    typeof v1.SubscriberClient
  >[0];
  const subscriber = new v1.SubscriberClient(config);
  const interval = settings.qps > 0 ? 1000 / settings.qps : 0;
  let nextSlot = 0;
  const throttle = async () => {
    if (interval === 0) return;
    const wait = nextSlot - performance.now();
    if (wait > 0) await sleep(wait);
    nextSlot = Math.max(nextSlot, performance.now()) + interval;
  };
  // Messages we looked at but must not ack (dry run, or skipped without ACK_SKIPPED): held for the
  // whole run so they are not pulled again, then handed back at the end.
  const held: string[] = [];
  const ack = async (ackIds: string[]) => {
    await subscriber.acknowledge({ subscription, ackIds });
    summary.acked += ackIds.length;
  };

  try {
    while (summary.pulled < settings.maxMessages && !deps.shouldStop?.()) {
      const remaining = settings.maxMessages - summary.pulled;
      const batch = Math.max(
        1,
        Math.min(settings.batchSize, remaining, largestBatchThatFits(settings.qps)),
      );
      let received;
      try {
        const [response] = await subscriber.pull(
          { subscription, maxMessages: batch },
          { timeout: settings.pullTimeoutMs ?? 10_000 },
        );
        received = response.receivedMessages;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === 4) break; // DEADLINE_EXCEEDED: nothing to pull right now
        summary.errors.push(`pull failed: ${(error as Error).message}`);
        log.error({ err: error }, 'pull failed; stopping');
        break;
      }
      if (!received || received.length === 0) break;
      const ackIds = received.map((m) => m.ackId!).filter(Boolean);
      const deadline = ackDeadlineFor(ackIds.length, settings.qps);
      try {
        await subscriber.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: deadline });
      } catch (error) {
        // Not fatal: the batch may still get through, duplicates become more likely.
        log.warn({ err: error, deadline }, 'could not extend the ack deadline');
      }

      for (const delivery of received) {
        summary.pulled += 1;
        const ackId = delivery.ackId!;
        const message = delivery.message ?? {};
        const messageId = message.messageId ?? '';
        const attributes = { ...(message.attributes ?? {}) } as Record<string, string>;
        if (deps.select && !deps.select(attributes)) {
          summary.passedOver += 1;
          held.push(ackId);
          continue;
        }
        if (alreadyReplayed(attributes)) {
          summary.skipped += 1;
          log.info({ messageId, replayId: attributes.replay_id }, 'skipped: already replayed');
          if (settings.ackSkipped && !settings.dryRun) {
            try {
              await ack([ackId]);
            } catch (error) {
              summary.failed += 1;
              log.error({ err: error, messageId }, 'could not ack a skipped message');
            }
          } else {
            held.push(ackId);
          }
          continue;
        }
        if (deps.shouldStop?.()) {
          held.push(ackId);
          continue;
        }
        const clean = replayAttributes(attributes, runId, sourceId);
        if (settings.dryRun) {
          summary.republished += 1;
          held.push(ackId);
          log.info({ messageId, attributes: clean }, 'dry run: would republish');
          continue;
        }
        await throttle();
        let newId: string;
        try {
          newId = await withTimeout(
            topic.publishMessage({
              data: Buffer.from(message.data ?? new Uint8Array()),
              attributes: clean,
            }),
            settings.publishTimeoutMs ?? 30_000,
            'publish',
          );
        } catch (error) {
          summary.failed += 1;
          log.error({ err: error, messageId }, 'republish failed; left in the hold subscription');
          continue;
        }
        summary.republished += 1;
        try {
          await ack([ackId]);
          log.info({ messageId, newMessageId: newId }, 'replayed');
        } catch (error) {
          // Published but not acked: it will be replayed again later (a duplicate, not a loss).
          summary.failed += 1;
          log.error({ err: error, messageId, newMessageId: newId }, 'replayed but ack failed');
        }
      }
    }
  } finally {
    if (held.length > 0) {
      await subscriber
        .modifyAckDeadline({ subscription, ackIds: held, ackDeadlineSeconds: 0 })
        .catch((error: unknown) => log.warn({ err: error }, 'could not release held messages'));
    }
    await subscriber.close();
  }
  const level = summary.failed > 0 || summary.errors.length > 0 ? 'error' : 'info';
  log[level](summary, 'replay finished');
  return summary;
}

/** The run's exit status: non-zero when any message failed or a pull broke down. */
export function exitCodeOf(summary: ReplaySummary): number {
  return summary.failed > 0 || summary.errors.length > 0 ? 1 : 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

import type { protos, Topic, v1 } from '@google-cloud/pubsub';
import type { Logger } from '../../runtime/logger.js';
import type { ReplaySettings, ReplaySummary } from './replay.js';
import {
  ackDeadlineFor,
  alreadyReplayed,
  largestBatchThatFits,
  replayAttributes,
} from './replay-policy.js';

type Delivery = protos.google.pubsub.v1.IReceivedMessage;
type HeldMessage = protos.google.pubsub.v1.IPubsubMessage;

/** One run's clients, settings and tally, handed to each step of `replayDeadLetters`. */
export interface ReplayRun {
  readonly settings: ReplaySettings;
  readonly log: Logger;
  readonly runId: string;
  /** The hold subscription's full name. */
  readonly subscription: string;
  /** Its id, written as `replay_source`. */
  readonly sourceId: string;
  readonly topic: Topic;
  readonly subscriber: v1.SubscriberClient;
  readonly throttle: () => Promise<void>;
  readonly shouldStop: () => boolean;
  readonly select?: (attributes: Readonly<Record<string, string>>) => boolean;
  readonly summary: ReplaySummary;
  /**
   * Messages we looked at but must not ack (dry run, or skipped without ACK_SKIPPED): held for the
   * whole run so they are not pulled again, then handed back at the end.
   */
  readonly held: string[];
}

/** Pulls batch after batch until `maxMessages`, an empty or failed pull, or a stop request. */
export async function replayBatches(run: ReplayRun): Promise<void> {
  while (run.summary.pulled < run.settings.maxMessages && !run.shouldStop()) {
    const received = await pullBatch(run);
    if (!received || received.length === 0) return;
    await extendAckDeadline(run, received);
    for (const delivery of received) await replayDelivery(run, delivery);
  }
}

/** Hands the held messages back to the subscription at once (deadline 0). */
export async function releaseHeld(run: ReplayRun): Promise<void> {
  if (run.held.length === 0) return;
  await run.subscriber
    .modifyAckDeadline({ subscription: run.subscription, ackIds: run.held, ackDeadlineSeconds: 0 })
    .catch((error: unknown) => run.log.warn({ err: error }, 'could not release held messages'));
}

/** The next batch; undefined when the run should stop (nothing to pull now, or a failed pull). */
async function pullBatch(run: ReplayRun): Promise<Delivery[] | null | undefined> {
  const { settings, summary } = run;
  const remaining = settings.maxMessages - summary.pulled;
  const batch = Math.max(
    1,
    Math.min(settings.batchSize, remaining, largestBatchThatFits(settings.qps)),
  );
  try {
    const [response] = await run.subscriber.pull(
      { subscription: run.subscription, maxMessages: batch },
      { timeout: settings.pullTimeoutMs ?? 10_000 },
    );
    return response.receivedMessages;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === 4) return undefined; // DEADLINE_EXCEEDED: nothing to pull right now
    summary.errors.push(`pull failed: ${(error as Error).message}`);
    run.log.error({ err: error }, 'pull failed; stopping');
    return undefined;
  }
}

/** Covers the rate-limited wait of the batch's last message, so none expires while queued. */
async function extendAckDeadline(run: ReplayRun, received: Delivery[]): Promise<void> {
  const ackIds = received.map((m) => m.ackId!).filter(Boolean);
  const deadline = ackDeadlineFor(ackIds.length, run.settings.qps);
  try {
    await run.subscriber.modifyAckDeadline({
      subscription: run.subscription,
      ackIds,
      ackDeadlineSeconds: deadline,
    });
  } catch (error) {
    // Not fatal: the batch may still get through, duplicates become more likely.
    run.log.warn({ err: error, deadline }, 'could not extend the ack deadline');
  }
}

/** One message: passed over, skipped, held back on a stop, reported (dry run) or republished. */
async function replayDelivery(run: ReplayRun, delivery: Delivery): Promise<void> {
  const { settings, summary } = run;
  summary.pulled += 1;
  const ackId = delivery.ackId!;
  const message = delivery.message ?? {};
  const messageId = message.messageId ?? '';
  const attributes = { ...(message.attributes ?? {}) } as Record<string, string>;
  if (run.select && !run.select(attributes)) {
    summary.passedOver += 1;
    run.held.push(ackId);
    return;
  }
  if (alreadyReplayed(attributes)) return skipReplayed(run, ackId, messageId, attributes);
  if (run.shouldStop()) {
    run.held.push(ackId);
    return;
  }
  const clean = replayAttributes(attributes, run.runId, run.sourceId);
  if (settings.dryRun) {
    summary.republished += 1;
    run.held.push(ackId);
    run.log.info({ messageId, attributes: clean }, 'dry run: would republish');
    return;
  }
  await republish(run, ackId, message, clean);
}

/** A message that already went round once: acked only with ACK_SKIPPED (and not in a dry run). */
async function skipReplayed(
  run: ReplayRun,
  ackId: string,
  messageId: string,
  attributes: Record<string, string>,
): Promise<void> {
  run.summary.skipped += 1;
  run.log.info({ messageId, replayId: attributes.replay_id }, 'skipped: already replayed');
  if (!run.settings.ackSkipped || run.settings.dryRun) {
    run.held.push(ackId);
    return;
  }
  try {
    await ack(run, ackId);
  } catch (error) {
    run.summary.failed += 1;
    run.log.error({ err: error, messageId }, 'could not ack a skipped message');
  }
}

/** Publishes the cleaned copy and acks the original only once the publish has a message id. */
async function republish(
  run: ReplayRun,
  ackId: string,
  message: HeldMessage,
  attributes: Record<string, string>,
): Promise<void> {
  const messageId = message.messageId ?? '';
  await run.throttle();
  let newMessageId: string;
  try {
    newMessageId = await withTimeout(
      run.topic.publishMessage({ data: Buffer.from(message.data ?? new Uint8Array()), attributes }),
      run.settings.publishTimeoutMs ?? 30_000,
      'publish',
    );
  } catch (error) {
    run.summary.failed += 1;
    run.log.error({ err: error, messageId }, 'republish failed; left in the hold subscription');
    return;
  }
  run.summary.republished += 1;
  try {
    await ack(run, ackId);
    run.log.info({ messageId, newMessageId }, 'replayed');
  } catch (error) {
    // Published but not acked: it will be replayed again later (a duplicate, not a loss).
    run.summary.failed += 1;
    run.log.error({ err: error, messageId, newMessageId }, 'replayed but ack failed');
  }
}

async function ack(run: ReplayRun, ackId: string): Promise<void> {
  await run.subscriber.acknowledge({ subscription: run.subscription, ackIds: [ackId] });
  run.summary.acked += 1;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

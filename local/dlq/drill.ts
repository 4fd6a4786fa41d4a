import { randomUUID } from 'node:crypto';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { replayDeadLetters, type ReplaySettings } from '../../services/dlq-replayer/replay.js';
import type { Logger } from '../../runtime/logger.js';
import { DRILL_ATTRIBUTE } from '../../services/station-info-writer/drill.js';
import {
  awaitStep,
  StepFailed,
  type DrillStep,
  type DrillStepName,
  type StepLog,
} from './drill-steps.js';
import type { DlqClients } from './inventory.js';
import { DLQ_NAMES } from './names.js';
import { peekSubscription } from './peek-hold.js';

export { DRILL_STEPS, type DrillStep, type DrillStepName } from './drill-steps.js';

export interface DrillReport {
  readonly drillId: string;
  readonly ok: boolean;
  readonly steps: readonly DrillStep[];
  /** The step that did not happen within its timeout (or failed outright). */
  readonly failedStep?: DrillStepName;
}

export interface DrillOptions {
  /** Five refused deliveries with the subscription's backoff (10 s doubling locally: ~150 s). @default 300_000 */
  readonly deadLetterTimeoutMs?: number;
  /** Every other step. @default 60_000 */
  readonly stepTimeoutMs?: number;
  readonly pollMs?: number;
  readonly log: Logger;
  /** Called as each step ends, so a person sees progress. */
  readonly onStep?: (step: DrillStep) => void;
  readonly drillId?: string;
}

/** One drill as it runs: its id, clients, timeouts, the steps so far and its watch subscriptions. */
interface DrillRun extends StepLog {
  readonly drillId: string;
  readonly clients: DlqClients;
  readonly log: Logger;
  readonly stepTimeoutMs: number;
  readonly deadLetterTimeoutMs: number;
  readonly watchers: Subscription[];
}

/** The replayer's settings for the drill: unthrottled, one pull's worth, nothing skipped acknowledged. */
const DRILL_REPLAY: ReplaySettings = {
  subscription: DLQ_NAMES.holdSubscription,
  targetTopic: DLQ_NAMES.sourceTopic,
  qps: 0,
  maxMessages: 1000,
  batchSize: 50,
  dryRun: false,
  replayEnabled: true,
  ackSkipped: false,
  pullTimeoutMs: 5_000,
};

/**
 * The dead-letter drill (the original's scripts/test_dlq.py): publishes a message marked
 * `pmp_drill=<uuid>` to the station-info topic, which the writer refuses until it is replayed;
 * watches it reach the dead-letter topic (a temporary subscription of the drill's own), the hold
 * subscription (peeked, not consumed) and the BigQuery DLQ table; replays it through the
 * replayer's logic, selecting only this message; and waits for the replay on the source topic.
 */
export async function runDrill(clients: DlqClients, options: DrillOptions): Promise<DrillReport> {
  const run = newDrillRun(clients, options);
  try {
    await runSteps(run);
    return { drillId: run.drillId, ok: true, steps: run.steps };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return {
      drillId: run.drillId,
      ok: false,
      steps: run.steps,
      failedStep: error.message as DrillStepName,
    };
  } finally {
    await removeWatchers(run);
  }
}

function newDrillRun(clients: DlqClients, options: DrillOptions): DrillRun {
  return {
    drillId: options.drillId ?? randomUUID(),
    clients,
    log: options.log,
    stepTimeoutMs: options.stepTimeoutMs ?? 60_000,
    deadLetterTimeoutMs: options.deadLetterTimeoutMs ?? 300_000,
    pollMs: options.pollMs ?? 500,
    onStep: options.onStep,
    steps: [],
    publishedAt: performance.now(),
    watchers: [],
  };
}

/** Each step in order; the first that fails or times out throws `StepFailed`. */
async function runSteps(run: DrillRun): Promise<void> {
  const onDeadLetterTopic = await watchTopic(run, DLQ_NAMES.deadLetterTopic, 'dlq');
  const onSourceTopic = await watchTopic(run, DLQ_NAMES.sourceTopic, 'source');
  const timeout = run.stepTimeoutMs;
  run.publishedAt = performance.now();
  await awaitStep(run, 'publish', timeout, () => publishDrillMessage(run));
  await awaitStep(run, 'dead-letter topic', run.deadLetterTimeoutMs, () =>
    describeDeadLetter(onDeadLetterTopic[0]),
  );
  const deadLetterId = onDeadLetterTopic[0]!.id;
  await awaitStep(run, 'hold subscription', timeout, () => findHeld(run));
  await awaitStep(run, 'BigQuery DLQ table', timeout, () => findDlqRow(run, deadLetterId));
  await awaitStep(run, 'replay', timeout, () => replayDrillMessage(run));
  await awaitStep(run, 'back on the source topic', timeout, () => findReplayed(onSourceTopic));
}

/** A temporary subscription to `topic` that sees only this drill's messages; returns what it saw. */
async function watchTopic(run: DrillRun, topic: string, suffix: string): Promise<Message[]> {
  const [subscription] = await run.clients.pubsub.topic(topic).createSubscription(
    `pmp-dlq-drill-${run.drillId.slice(0, 8)}-${suffix}`,
    // Expires by itself a day after the drill if removeWatchers never runs.
    {
      filter: `attributes.${DRILL_ATTRIBUTE} = "${run.drillId}"`,
      expirationPolicy: { ttl: { seconds: 86_400 } },
      ackDeadlineSeconds: 60,
    },
  );
  run.watchers.push(subscription);
  const seen: Message[] = [];
  subscription.on('message', (message: Message) => {
    seen.push(message);
    message.ack();
  });
  subscription.on('error', (error) => run.log.warn({ err: error }, 'drill watcher error'));
  return seen;
}

async function removeWatchers(run: DrillRun): Promise<void> {
  for (const subscription of run.watchers) {
    await subscription.close().catch(() => undefined);
    await subscription.delete().catch((error: unknown) => {
      run.log.warn({ err: error, subscription: subscription.name }, 'could not delete');
    });
  }
}

async function publishDrillMessage(run: DrillRun): Promise<string> {
  const id = await run.clients.pubsub.topic(DLQ_NAMES.sourceTopic).publishMessage({
    data: Buffer.from(JSON.stringify(drillEnvelope(new Date()))),
    attributes: { [DRILL_ATTRIBUTE]: run.drillId },
  });
  return `message ${id} to ${DLQ_NAMES.sourceTopic}, ${DRILL_ATTRIBUTE}=${run.drillId}`;
}

function describeDeadLetter(message: Message | undefined): string | undefined {
  if (!message) return undefined;
  const a = message.attributes;
  return `message ${message.id} after ${a.CloudPubSubDeadLetterSourceDeliveryCount ?? '?'} deliveries on ${a.CloudPubSubDeadLetterSourceSubscription ?? '?'}`;
}

async function findHeld(run: DrillRun): Promise<string | undefined> {
  const held = await peekSubscription(run.clients.pubsub, DLQ_NAMES.holdSubscription, {
    limit: 1000,
    pullTimeoutMs: 5_000,
  });
  const found = held.find((m) => m.attributes[DRILL_ATTRIBUTE] === run.drillId);
  return found
    ? `held in ${DLQ_NAMES.holdSubscription} (peeked, ${held.length} held in all)`
    : undefined;
}

async function findDlqRow(run: DrillRun, deadLetterId: string): Promise<string | undefined> {
  const [rows] = await run.clients.bigquery.query({
    query: `SELECT message_id FROM ${DLQ_NAMES.pushDlqTable} WHERE message_id = @id`,
    params: { id: deadLetterId },
  });
  return rows.length > 0 ? `row push:${deadLetterId} in ${DLQ_NAMES.pushDlqTable}` : undefined;
}

/** Replays this drill's message alone: every other held message stays held. */
async function replayDrillMessage(run: DrillRun): Promise<string | undefined> {
  const summary = await replayDeadLetters(run.clients.pubsub, DRILL_REPLAY, {
    log: run.log,
    runId: `drill-${run.drillId}`,
    select: (attributes) => attributes[DRILL_ATTRIBUTE] === run.drillId,
  });
  if (summary.errors.length > 0 || summary.failed > 0) {
    throw new Error(`replayer: ${summary.failed} failed; ${summary.errors.join('; ')}`);
  }
  if (summary.republished === 0) return undefined;
  return `republished ${summary.republished} (run ${summary.runId}; ${summary.passedOver} other held messages left alone)`;
}

function findReplayed(onSourceTopic: readonly Message[]): string | undefined {
  const replayed = onSourceTopic.find((m) => m.attributes.replay === 'true');
  return replayed
    ? `message ${replayed.id} on ${DLQ_NAMES.sourceTopic} with replay=true, replay_id=${replayed.attributes.replay_id}`
    : undefined;
}

/**
 * A station_information envelope with no stations: valid, so the replayed copy is accepted, and
 * empty, so it writes no row.
 */
export function drillEnvelope(now: Date): Record<string, unknown> {
  const ts = now.toISOString();
  return {
    ingest_ts: ts,
    event_ts: ts,
    source: 'velib',
    event_type: 'station_information_snapshot',
    key: 'velib:station_information_snapshot',
    payload: { data: { stations: [] } },
  };
}

import { randomUUID } from 'node:crypto';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { replayDeadLetters } from '../../services/dlq-replayer/replay.js';
import type { Logger } from '../../runtime/logger.js';
import { DRILL_ATTRIBUTE } from '../../services/station-info-writer/drill.js';
import type { DlqClients } from './inventory.js';
import { DLQ_NAMES } from './names.js';
import { peekSubscription } from './peek-hold.js';

export const DRILL_STEPS = [
  'publish',
  'dead-letter topic',
  'hold subscription',
  'BigQuery DLQ table',
  'replay',
  'back on the source topic',
] as const;
export type DrillStepName = (typeof DRILL_STEPS)[number];

export interface DrillStep {
  readonly step: DrillStepName;
  readonly ok: boolean;
  /** Since the drill message was published (0 for the publish itself). */
  readonly atMs: number;
  /** How long this step waited. */
  readonly tookMs: number;
  readonly detail: string;
}

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

class StepFailed extends Error {}

/**
 * The dead-letter drill (the original's scripts/test_dlq.py): publishes a message marked
 * `pmp_drill=<uuid>` to the station-info topic, which the writer refuses until it is replayed;
 * watches it reach the dead-letter topic (a temporary subscription of the drill's own), the hold
 * subscription (peeked, not consumed) and the BigQuery DLQ table; replays it through the
 * replayer's logic, selecting only this message; and waits for the replay on the source topic.
 */
export async function runDrill(clients: DlqClients, options: DrillOptions): Promise<DrillReport> {
  const drillId = options.drillId ?? randomUUID();
  const stepTimeout = options.stepTimeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 500;
  const steps: DrillStep[] = [];
  let publishedAt = performance.now();
  const record = (step: DrillStepName, ok: boolean, startedAt: number, detail: string) => {
    const now = performance.now();
    const entry = {
      step,
      ok,
      atMs: Math.round(now - publishedAt),
      tookMs: Math.round(now - startedAt),
      detail,
    };
    steps.push(entry);
    options.onStep?.(entry);
  };
  const step = async (
    name: DrillStepName,
    timeoutMs: number,
    check: () => Promise<string | undefined>,
  ) => {
    const startedAt = performance.now();
    for (;;) {
      let detail: string | undefined;
      try {
        detail = await check();
      } catch (error) {
        record(name, false, startedAt, `failed: ${(error as Error).message}`);
        throw new StepFailed(name);
      }
      if (detail !== undefined) return record(name, true, startedAt, detail);
      if (performance.now() - startedAt > timeoutMs) {
        record(name, false, startedAt, `did not happen within ${Math.round(timeoutMs / 1000)} s`);
        throw new StepFailed(name);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  const { pubsub, bigquery } = clients;
  const filter = `attributes.${DRILL_ATTRIBUTE} = "${drillId}"`;
  const watchers: Subscription[] = [];
  const watch = async (topic: string, suffix: string) => {
    const [subscription] = await pubsub.topic(topic).createSubscription(
      `pmp-dlq-drill-${drillId.slice(0, 8)}-${suffix}`,
      // Expires by itself a day after the drill if the cleanup below never runs.
      { filter, expirationPolicy: { ttl: { seconds: 86_400 } }, ackDeadlineSeconds: 60 },
    );
    watchers.push(subscription);
    const seen: Message[] = [];
    subscription.on('message', (message: Message) => {
      seen.push(message);
      message.ack();
    });
    subscription.on('error', (error) => options.log.warn({ err: error }, 'drill watcher error'));
    return seen;
  };

  try {
    const onDeadLetterTopic = await watch(DLQ_NAMES.deadLetterTopic, 'dlq');
    const onSourceTopic = await watch(DLQ_NAMES.sourceTopic, 'source');
    publishedAt = performance.now();
    await step('publish', stepTimeout, async () => {
      const id = await pubsub.topic(DLQ_NAMES.sourceTopic).publishMessage({
        data: Buffer.from(JSON.stringify(drillEnvelope(new Date()))),
        attributes: { [DRILL_ATTRIBUTE]: drillId },
      });
      return `message ${id} to ${DLQ_NAMES.sourceTopic}, ${DRILL_ATTRIBUTE}=${drillId}`;
    });
    await step('dead-letter topic', options.deadLetterTimeoutMs ?? 300_000, async () => {
      const message = onDeadLetterTopic[0];
      if (!message) return undefined;
      const a = message.attributes;
      return `message ${message.id} after ${a.CloudPubSubDeadLetterSourceDeliveryCount ?? '?'} deliveries on ${a.CloudPubSubDeadLetterSourceSubscription ?? '?'}`;
    });
    const deadLetterId = onDeadLetterTopic[0]!.id;
    await step('hold subscription', stepTimeout, async () => {
      const held = await peekSubscription(pubsub, DLQ_NAMES.holdSubscription, {
        limit: 1000,
        pullTimeoutMs: 5_000,
      });
      const found = held.find((m) => m.attributes[DRILL_ATTRIBUTE] === drillId);
      return found
        ? `held in ${DLQ_NAMES.holdSubscription} (peeked, ${held.length} held in all)`
        : undefined;
    });
    await step('BigQuery DLQ table', stepTimeout, async () => {
      const [rows] = await bigquery.query(
        `SELECT message_id FROM ${DLQ_NAMES.pushDlqTable} WHERE message_id = '${deadLetterId.replace(/[^\w-]/g, '')}'`,
      );
      return rows.length > 0 ? `row push:${deadLetterId} in ${DLQ_NAMES.pushDlqTable}` : undefined;
    });
    await step('replay', stepTimeout, async () => {
      const summary = await replayDeadLetters(
        pubsub,
        {
          subscription: DLQ_NAMES.holdSubscription,
          targetTopic: DLQ_NAMES.sourceTopic,
          qps: 0,
          maxMessages: 1000,
          batchSize: 50,
          dryRun: false,
          replayEnabled: true,
          ackSkipped: false,
          pullTimeoutMs: 5_000,
        },
        {
          log: options.log,
          runId: `drill-${drillId}`,
          select: (attributes) => attributes[DRILL_ATTRIBUTE] === drillId,
        },
      );
      if (summary.errors.length > 0 || summary.failed > 0) {
        throw new Error(`replayer: ${summary.failed} failed; ${summary.errors.join('; ')}`);
      }
      if (summary.republished === 0) return undefined;
      return `republished ${summary.republished} (run ${summary.runId}; ${summary.passedOver} other held messages left alone)`;
    });
    await step('back on the source topic', stepTimeout, async () => {
      const replayed = onSourceTopic.find((m) => m.attributes.replay === 'true');
      return replayed
        ? `message ${replayed.id} on ${DLQ_NAMES.sourceTopic} with replay=true, replay_id=${replayed.attributes.replay_id}`
        : undefined;
    });
    return { drillId, ok: true, steps };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return { drillId, ok: false, steps, failedStep: error.message as DrillStepName };
  } finally {
    for (const subscription of watchers) {
      await subscription.close().catch(() => undefined);
      await subscription.delete().catch((error: unknown) => {
        options.log.warn({ err: error, subscription: subscription.name }, 'could not delete');
      });
    }
  }
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

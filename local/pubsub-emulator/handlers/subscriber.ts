import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { parseName, parseProject } from '../names.js';
import type { Broker } from '../storage/broker.js';
import {
  msToTimestamp,
  timestampMs,
  type SubscriptionConfig,
  type Timestamp,
} from '../storage/types.js';
import { invalidAckIdsError } from './ack-errors.js';
import { encodeReceived } from './encode-received.js';
import type { Delivery } from '../storage/types.js';
import { streamingPull } from './streaming-pull.js';
import { applySubscriptionUpdate, normalizeSubscription } from './subscription-config.js';
import { paginate, unary } from './unary.js';

/** google.pubsub.v1.Subscriber: decode and validate each request, then call the broker. */
export function subscriberHandlers(broker: Broker): UntypedServiceImplementation {
  const log = broker.log;
  const subName = (value: unknown) => {
    parseName('subscriptions', value, 'subscription');
    return value as string;
  };
  const snapshotOut = (name: string) => {
    const s = broker.snapshots.get(name);
    if (!s) throw errors.notFound(name);
    return { name: s.name, topic: s.topic, expireTime: msToTimestamp(s.expireMs) };
  };

  return {
    CreateSubscription: unary(log, 'CreateSubscription', (req: SubscriptionConfig) =>
      broker.createSubscription(normalizeSubscription(req)),
    ),

    GetSubscription: unary(
      log,
      'GetSubscription',
      (req: { subscription?: string }) => broker.getSubscription(subName(req.subscription)).config,
    ),

    UpdateSubscription: unary(
      log,
      'UpdateSubscription',
      (req: { subscription?: SubscriptionConfig; updateMask?: { paths?: string[] } }) => {
        if (!req.subscription) throw errors.invalid('The subscription field is required.');
        const current = broker.getSubscription(subName(req.subscription.name)).config;
        const next = applySubscriptionUpdate(
          current,
          req.subscription,
          req.updateMask?.paths ?? [],
        );
        return broker.updateSubscription(next);
      },
    ),

    ListSubscriptions: unary(
      log,
      'ListSubscriptions',
      (req: { project?: string; pageSize?: number; pageToken?: string }) => {
        const project = parseProject(req.project);
        const all = [...broker.subs.values()]
          .map((s) => s.config)
          .filter((s) => s.name.startsWith(`projects/${project}/`))
          .sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextPageToken } = paginate(all, req.pageSize, req.pageToken);
        return { subscriptions: page, nextPageToken };
      },
    ),

    DeleteSubscription: unary(log, 'DeleteSubscription', (req: { subscription?: string }) => {
      broker.deleteSubscription(subName(req.subscription));
      return {};
    }),

    ModifyPushConfig: unary(
      log,
      'ModifyPushConfig',
      (req: { subscription?: string; pushConfig?: SubscriptionConfig['pushConfig'] }) => {
        const current = broker.getSubscription(subName(req.subscription)).config;
        const next = normalizeSubscription({ ...current, pushConfig: req.pushConfig ?? {} });
        broker.updateSubscription(next);
        return {};
      },
    ),

    Acknowledge: unary(
      log,
      'Acknowledge',
      async (req: { subscription?: string; ackIds?: string[] }) => {
        const name = subName(req.subscription);
        const sub = broker.getSubscription(name);
        const ackIds = req.ackIds ?? [];
        if (ackIds.length === 0) throw errors.invalid('No ack ids were specified.');
        const invalid = broker.acknowledge(name, ackIds);
        // Durable first even when some ids are invalid: the client counts the others as confirmed.
        await broker.durable();
        if (sub.exactlyOnce && invalid.length > 0) throw invalidAckIdsError(invalid);
        return {};
      },
    ),

    ModifyAckDeadline: unary(
      log,
      'ModifyAckDeadline',
      (req: { subscription?: string; ackIds?: string[]; ackDeadlineSeconds?: number }) => {
        const name = subName(req.subscription);
        const sub = broker.getSubscription(name);
        const seconds = req.ackDeadlineSeconds ?? 0;
        if (seconds < 0 || seconds > LIMITS.maxAckDeadlineSeconds)
          throw errors.ackDeadline(seconds);
        const ackIds = req.ackIds ?? [];
        if (ackIds.length === 0) throw errors.invalid('No ack ids were specified.');
        const invalid = broker.modifyAckDeadline(name, ackIds, seconds);
        if (sub.exactlyOnce && invalid.length > 0) throw invalidAckIdsError(invalid);
        return {};
      },
    ),

    Pull: unary(
      log,
      'Pull',
      (req: { subscription?: string; maxMessages?: number; returnImmediately?: boolean }) => {
        const sub = broker.getSubscription(subName(req.subscription));
        const max = req.maxMessages ?? 0;
        if (max <= 0) throw errors.invalid('max_messages must be greater than 0.');
        if (sub.config.pushConfig?.pushEndpoint || sub.config.bigqueryConfig?.table) {
          throw errors.failedPrecondition(
            'Pull is not supported for push or BigQuery subscriptions.',
          );
        }
        return new Promise((resolve) => {
          let timer: NodeJS.Timeout | undefined;
          let answered = false;
          const consumer = {
            capacity: () =>
              answered
                ? { messages: 0, bytes: 0 }
                : {
                    messages: Math.min(max, LIMITS.maxMessagesPerResponse),
                    bytes: LIMITS.maxBytesPerResponse,
                  },
            ackDeadlineSeconds: () =>
              sub.config.ackDeadlineSeconds ?? LIMITS.defaultAckDeadlineSeconds,
            deliver: (batch: Delivery[]) => {
              answered = true;
              broker.detach(sub, consumer);
              if (timer) clearTimeout(timer);
              resolve(encodeReceived(sub, batch, false));
            },
          };
          broker.attach(sub, consumer);
          broker.dispatch(sub);
          if (answered) return;
          const giveUp = () => {
            if (answered) return;
            answered = true;
            broker.detach(sub, consumer);
            resolve({ receivedMessages: [] });
          };
          if (req.returnImmediately) giveUp();
          else timer = setTimeout(giveUp, LIMITS.pullWaitMs);
        });
      },
    ),

    StreamingPull: streamingPull(broker),

    Seek: unary(
      log,
      'Seek',
      (req: { subscription?: string; time?: Timestamp; snapshot?: string; target?: string }) => {
        const name = subName(req.subscription);
        if (req.snapshot) {
          parseName('snapshots', req.snapshot, 'snapshot');
          broker.seekToSnapshot(name, req.snapshot);
        } else if (req.time) {
          broker.seekToTime(name, timestampMs(req.time)!);
        } else {
          throw errors.invalid('Seek requires either time or snapshot.');
        }
        return {};
      },
    ),

    CreateSnapshot: unary(
      log,
      'CreateSnapshot',
      (req: { name?: string; subscription?: string }) => {
        parseName('snapshots', req.name);
        broker.createSnapshot(req.name!, subName(req.subscription));
        return snapshotOut(req.name!);
      },
    ),

    GetSnapshot: unary(log, 'GetSnapshot', (req: { snapshot?: string }) => {
      parseName('snapshots', req.snapshot, 'snapshot');
      return snapshotOut(req.snapshot!);
    }),

    UpdateSnapshot: unary(log, 'UpdateSnapshot', (req: { snapshot?: { name?: string } }) => {
      parseName('snapshots', req.snapshot?.name);
      return snapshotOut(req.snapshot!.name!);
    }),

    ListSnapshots: unary(
      log,
      'ListSnapshots',
      (req: { project?: string; pageSize?: number; pageToken?: string }) => {
        const project = parseProject(req.project);
        const names = [...broker.snapshots.keys()]
          .filter((n) => n.startsWith(`projects/${project}/`))
          .sort();
        const { page, nextPageToken } = paginate(names, req.pageSize, req.pageToken);
        return { snapshots: page.map(snapshotOut), nextPageToken };
      },
    ),

    DeleteSnapshot: unary(log, 'DeleteSnapshot', (req: { snapshot?: string }) => {
      parseName('snapshots', req.snapshot, 'snapshot');
      if (!broker.snapshots.delete(req.snapshot!)) throw errors.notFound(req.snapshot!);
      return {};
    }),
  };
}

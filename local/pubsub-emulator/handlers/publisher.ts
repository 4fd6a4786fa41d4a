import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { parseName, parseProject } from '../names.js';
import type { Broker, NewMessage } from '../storage/broker.js';
import { durationMs, type Duration, type TopicConfig } from '../storage/types.js';
import { encodePublishResponse, type PublishRequest } from './publish-codec.js';
import { paginate, unary } from './unary.js';

function checkRetention(d: Duration | undefined): void {
  const ms = durationMs(d);
  if (ms === undefined) return;
  if (ms < LIMITS.minRetentionMs || ms > LIMITS.maxRetentionMs) {
    throw errors.invalid(
      'Invalid message_retention_duration: it must be between 10 minutes and 31 days.',
    );
  }
}

function topicOut(config: TopicConfig): TopicConfig {
  return { ...config, state: 'ACTIVE' };
}

const EMPTY_DATA = Buffer.alloc(0);
/** Shared by every message published without attributes (nothing writes to a message's). */
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Validates one message against the real service's limits and turns it into a NewMessage. */
export function validateMessage(m: NonNullable<PublishRequest['messages']>[number]): NewMessage {
  const data = m.data ?? EMPTY_DATA;
  if (!m.attributes) {
    if (data.length === 0) throw errors.emptyMessage();
    return { data, attributes: NO_ATTRIBUTES, orderingKey: checkOrderingKey(m.orderingKey) };
  }
  const attributes = m.attributes;
  const keys = Object.keys(attributes);
  if (data.length === 0 && keys.length === 0) throw errors.emptyMessage();
  if (keys.length > LIMITS.maxAttributes)
    throw errors.tooManyAttributes(keys.length, LIMITS.maxAttributes);
  for (const key of keys) {
    const keyBytes = Buffer.byteLength(key);
    if (keyBytes > LIMITS.maxAttributeKeyBytes) {
      throw errors.attributeKeyTooLong('', keyBytes, LIMITS.maxAttributeKeyBytes);
    }
    const valueBytes = Buffer.byteLength(attributes[key]!);
    if (valueBytes > LIMITS.maxAttributeValueBytes) {
      throw errors.attributeValueTooLong(key, valueBytes, LIMITS.maxAttributeValueBytes);
    }
  }
  // `data` is a view into the request buffer: kept as is, no per-message copy.
  return { data, attributes: { ...attributes }, orderingKey: checkOrderingKey(m.orderingKey) };
}

function checkOrderingKey(key: string | undefined): string {
  if (!key) return '';
  if (Buffer.byteLength(key) > LIMITS.maxOrderingKeyBytes) {
    throw errors.invalid(
      `The ordering key in the request is too long. The maximum allowed is ${LIMITS.maxOrderingKeyBytes} bytes.`,
    );
  }
  return key;
}

/** google.pubsub.v1.Publisher: decode and validate each request, then call the broker. */
export function publisherHandlers(broker: Broker): UntypedServiceImplementation {
  const log = broker.log;
  return {
    CreateTopic: unary(log, 'CreateTopic', (req: TopicConfig) => {
      parseName('topics', req.name);
      checkRetention(req.messageRetentionDuration);
      const config: TopicConfig = { name: req.name };
      if (req.labels) config.labels = req.labels;
      if (req.messageRetentionDuration)
        config.messageRetentionDuration = req.messageRetentionDuration;
      if (req.messageStoragePolicy) config.messageStoragePolicy = req.messageStoragePolicy;
      return topicOut(broker.createTopic(config));
    }),

    GetTopic: unary(log, 'GetTopic', (req: { topic?: string }) => {
      parseName('topics', req.topic, 'topic');
      return topicOut(broker.getTopic(req.topic!));
    }),

    UpdateTopic: unary(
      log,
      'UpdateTopic',
      (req: { topic?: TopicConfig; updateMask?: { paths?: string[] } }) => {
        if (!req.topic) throw errors.invalid('The topic field is required.');
        parseName('topics', req.topic.name);
        const paths = req.updateMask?.paths ?? [];
        if (paths.length === 0)
          throw errors.invalid('The update_mask in the UpdateTopicRequest must be set.');
        const current = { ...broker.getTopic(req.topic.name) };
        for (const path of paths) {
          if (path === 'labels') current.labels = req.topic.labels ?? {};
          else if (path === 'message_retention_duration') {
            checkRetention(req.topic.messageRetentionDuration);
            current.messageRetentionDuration = req.topic.messageRetentionDuration;
          } else if (path === 'message_storage_policy') {
            current.messageStoragePolicy = req.topic.messageStoragePolicy;
          } else
            throw errors.invalid(
              `Invalid update_mask provided in the UpdateTopicRequest: the '${path}' field cannot be updated.`,
            );
        }
        return topicOut(broker.updateTopic(current));
      },
    ),

    Publish: unary(log, 'Publish', async (req: PublishRequest) => {
      parseName('topics', req.topic, 'topic');
      if ((req.__wireBytes ?? 0) > LIMITS.maxPublishRequestBytes) {
        throw errors.requestTooLarge(LIMITS.maxPublishRequestBytes);
      }
      const messages = req.messages ?? [];
      if (messages.length === 0) throw errors.invalid('The request contains no messages.');
      if (messages.length > LIMITS.maxMessagesPerPublish) {
        throw errors.invalid(
          `The value for message_count is too large. You passed ${messages.length} in the request, but the maximum value is ${LIMITS.maxMessagesPerPublish}.`,
        );
      }
      const valid = messages.map(validateMessage);
      return encodePublishResponse(await broker.publish(req.topic!, valid));
    }),

    ListTopics: unary(
      log,
      'ListTopics',
      (req: { project?: string; pageSize?: number; pageToken?: string }) => {
        const project = parseProject(req.project);
        const all = [...broker.topics.values()]
          .map((t) => t.config)
          .filter((t) => t.name.startsWith(`projects/${project}/`))
          .sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextPageToken } = paginate(all, req.pageSize, req.pageToken);
        return { topics: page.map(topicOut), nextPageToken };
      },
    ),

    ListTopicSubscriptions: unary(
      log,
      'ListTopicSubscriptions',
      (req: { topic?: string; pageSize?: number; pageToken?: string }) => {
        parseName('topics', req.topic, 'topic');
        const { page, nextPageToken } = paginate(
          broker.topicSubscriptions(req.topic!),
          req.pageSize,
          req.pageToken,
        );
        return { subscriptions: page, nextPageToken };
      },
    ),

    ListTopicSnapshots: unary(
      log,
      'ListTopicSnapshots',
      (req: { topic?: string; pageSize?: number; pageToken?: string }) => {
        parseName('topics', req.topic, 'topic');
        broker.getTopic(req.topic!);
        const names = [...broker.snapshots.values()]
          .filter((s) => s.topic === req.topic)
          .map((s) => s.name)
          .sort();
        const { page, nextPageToken } = paginate(names, req.pageSize, req.pageToken);
        return { snapshots: page, nextPageToken };
      },
    ),

    DeleteTopic: unary(log, 'DeleteTopic', (req: { topic?: string }) => {
      parseName('topics', req.topic, 'topic');
      broker.deleteTopic(req.topic!);
      return {};
    }),

    DetachSubscription: unary(log, 'DetachSubscription', (req: { subscription?: string }) => {
      parseName('subscriptions', req.subscription, 'subscription');
      const sub = broker.getSubscription(req.subscription!);
      broker.updateSubscription({ ...sub.config, detached: true });
      sub.clear();
      return {};
    }),
  };
}

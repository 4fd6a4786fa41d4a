import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { checkedName, parseName, subscriptionName } from '../names.js';
import type { Broker, NewMessage } from '../storage/broker.js';
import type { Duration, TopicConfig } from '../storage/types.js';
import { checkedRetentionMs } from './limit-checks.js';
import { encodePublishResponse, type PublishRequest } from './publish-codec.js';
import { namePage, projectPage, unaryOver, type ProjectListRequest } from './unary.js';

/** A topic's message_retention_duration, whose ceiling is higher than a subscription's. */
function checkRetention(d: Duration | undefined): void {
  checkedRetentionMs(d, LIMITS.maxRetentionMs);
}

function topicOut(config: TopicConfig): TopicConfig {
  return { ...config, state: 'ACTIVE' };
}

const EMPTY_DATA = Buffer.alloc(0);
/** Shared by every message published without attributes (nothing writes to a message's). */
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Validates one message against the real service's limits and turns it into a NewMessage. */
function validateMessage(m: NonNullable<PublishRequest['messages']>[number]): NewMessage {
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
  const rpc = unaryOver(broker);
  return {
    CreateTopic: rpc('CreateTopic', createTopic),
    GetTopic: rpc('GetTopic', getTopic),
    UpdateTopic: rpc('UpdateTopic', updateTopic),
    Publish: rpc('Publish', publish),
    ListTopics: rpc('ListTopics', listTopics),
    ListTopicSubscriptions: rpc('ListTopicSubscriptions', listTopicSubscriptions),
    ListTopicSnapshots: rpc('ListTopicSnapshots', listTopicSnapshots),
    DeleteTopic: rpc('DeleteTopic', deleteTopic),
    DetachSubscription: rpc('DetachSubscription', detachSubscription),
  };
}

/** A request's `topic` field, checked. */
function topicName(value: unknown): string {
  return checkedName('topics', value, 'topic');
}

function createTopic(broker: Broker, req: TopicConfig): TopicConfig {
  parseName('topics', req.name);
  checkRetention(req.messageRetentionDuration);
  const config: TopicConfig = { name: req.name };
  if (req.labels) config.labels = req.labels;
  if (req.messageRetentionDuration) config.messageRetentionDuration = req.messageRetentionDuration;
  if (req.messageStoragePolicy) config.messageStoragePolicy = req.messageStoragePolicy;
  return topicOut(broker.createTopic(config));
}

function getTopic(broker: Broker, req: { topic?: string }): TopicConfig {
  return topicOut(broker.getTopic(topicName(req.topic)));
}

function updateTopic(
  broker: Broker,
  req: { topic?: TopicConfig; updateMask?: { paths?: string[] } },
): TopicConfig {
  if (!req.topic) throw errors.invalid('The topic field is required.');
  parseName('topics', req.topic.name);
  const paths = req.updateMask?.paths ?? [];
  if (paths.length === 0)
    throw errors.invalid('The update_mask in the UpdateTopicRequest must be set.');
  const next = { ...broker.getTopic(req.topic.name) };
  for (const path of paths) updateTopicField(next, req.topic, path);
  return topicOut(broker.updateTopic(next));
}

/** Copies the field an update_mask path names from `update` into `next`. */
function updateTopicField(next: TopicConfig, update: TopicConfig, path: string): void {
  if (path === 'labels') next.labels = update.labels ?? {};
  else if (path === 'message_retention_duration') {
    checkRetention(update.messageRetentionDuration);
    next.messageRetentionDuration = update.messageRetentionDuration;
  } else if (path === 'message_storage_policy') {
    next.messageStoragePolicy = update.messageStoragePolicy;
  } else
    throw errors.invalid(
      `Invalid update_mask provided in the UpdateTopicRequest: the '${path}' field cannot be updated.`,
    );
}

async function publish(broker: Broker, req: PublishRequest): Promise<Buffer> {
  const topic = topicName(req.topic);
  const valid = checkedBatch(req).map(validateMessage);
  return encodePublishResponse(await broker.publish(topic, valid));
}

/** The request's messages, within the service's request size and message count limits. */
function checkedBatch(req: PublishRequest): NonNullable<PublishRequest['messages']> {
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
  return messages;
}

function listTopics(broker: Broker, req: ProjectListRequest) {
  const configs = Array.from(broker.topics.values(), (t) => t.config);
  const { page, nextPageToken } = projectPage(configs, req);
  return { topics: page.map(topicOut), nextPageToken };
}

interface TopicListRequest {
  topic?: string;
  pageSize?: number;
  pageToken?: string;
}

function listTopicSubscriptions(
  broker: Broker,
  req: TopicListRequest,
): { subscriptions: string[]; nextPageToken: string } {
  const names = broker.topicSubscriptions(topicName(req.topic));
  const { page, nextPageToken } = namePage(names, req);
  return { subscriptions: page, nextPageToken };
}

function listTopicSnapshots(
  broker: Broker,
  req: TopicListRequest,
): { snapshots: string[]; nextPageToken: string } {
  const topic = topicName(req.topic);
  broker.getTopic(topic);
  const names = [...broker.snapshots.values()].filter((s) => s.topic === topic).map((s) => s.name);
  const { page, nextPageToken } = namePage(names, req);
  return { snapshots: page, nextPageToken };
}

function deleteTopic(broker: Broker, req: { topic?: string }): object {
  broker.deleteTopic(topicName(req.topic));
  return {};
}

function detachSubscription(broker: Broker, req: { subscription?: string }): object {
  const sub = broker.getSubscription(subscriptionName(req.subscription));
  broker.updateSubscription({ ...sub.config, detached: true });
  sub.clear();
  return {};
}

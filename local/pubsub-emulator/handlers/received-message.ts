import type { SubscriptionState } from '../storage/subscription-state.js';
import { msToTimestamp, type Delivery, type StoredMessage } from '../storage/types.js';

/** The PubsubMessage of a stored message, built once and shared by every delivery of it. */
const built = new WeakMap<StoredMessage, object>();

export function pubsubMessage(m: StoredMessage): object {
  let message = built.get(m);
  if (!message) {
    message = {
      data: m.data,
      attributes: m.attributes,
      messageId: m.id,
      publishTime: msToTimestamp(m.publishMs),
      orderingKey: m.orderingKey,
    };
    built.set(m, message);
  }
  return message;
}

/** ReceivedMessage; `deliveryAttempt` is reported only when a dead-letter policy is set. */
export function receivedMessages(sub: SubscriptionState, batch: readonly Delivery[]): object[] {
  const counted = Boolean(sub.config.deadLetterPolicy?.deadLetterTopic);
  return batch.map((d) => ({
    ackId: d.ackId,
    message: pubsubMessage(d.message),
    deliveryAttempt: counted ? d.deliveryAttempt : 0,
  }));
}

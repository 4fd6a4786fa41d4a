import protobuf from 'protobufjs';
import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Delivery, StoredMessage } from '../storage/types.js';

/**
 * Hand-written wire encoding of Pull/StreamingPull responses. Delivery is the emulator's hot path:
 * each PubsubMessage is encoded once and its bytes reused for every delivery, instead of
 * proto-loader's fromObject + encode per message (which also copied every payload). Field numbers
 * are those of google/pubsub/v1/pubsub.proto; `encode-received.test.ts` checks the bytes decode with
 * the generic codec to the same values.
 */
const encoded = new WeakMap<StoredMessage, Uint8Array>();

// tag = field number << 3 | wire type (0 varint, 2 length-delimited)
const TAG = {
  pubsubData: (1 << 3) | 2,
  pubsubAttributes: (2 << 3) | 2,
  pubsubMessageId: (3 << 3) | 2,
  pubsubPublishTime: (4 << 3) | 2,
  pubsubOrderingKey: (5 << 3) | 2,
  mapKey: (1 << 3) | 2,
  mapValue: (2 << 3) | 2,
  timestampSeconds: (1 << 3) | 0,
  timestampNanos: (2 << 3) | 0,
  receivedAckId: (1 << 3) | 2,
  receivedMessage: (2 << 3) | 2,
  receivedDeliveryAttempt: (3 << 3) | 0,
  responseReceived: (1 << 3) | 2,
  responseProperties: (4 << 3) | 2,
  propertiesExactlyOnce: (1 << 3) | 0,
  propertiesOrdering: (2 << 3) | 0,
} as const;

export function encodePubsubMessage(m: StoredMessage): Uint8Array {
  let bytes = encoded.get(m);
  if (bytes) return bytes;
  const w = protobuf.Writer.create();
  if (m.data.length > 0) w.uint32(TAG.pubsubData).bytes(m.data);
  for (const [key, value] of Object.entries(m.attributes)) {
    w.uint32(TAG.pubsubAttributes)
      .fork()
      .uint32(TAG.mapKey)
      .string(key)
      .uint32(TAG.mapValue)
      .string(value)
      .ldelim();
  }
  w.uint32(TAG.pubsubMessageId).string(m.id);
  const seconds = Math.floor(m.publishMs / 1000);
  const nanos = (m.publishMs % 1000) * 1e6;
  w.uint32(TAG.pubsubPublishTime).fork().uint32(TAG.timestampSeconds).int64(seconds);
  if (nanos > 0) w.uint32(TAG.timestampNanos).int32(nanos);
  w.ldelim();
  if (m.orderingKey) w.uint32(TAG.pubsubOrderingKey).string(m.orderingKey);
  bytes = w.finish();
  encoded.set(m, bytes);
  return bytes;
}

/**
 * A StreamingPullResponse (or PullResponse: same field 1) carrying `batch`; `deliveryAttempt` only
 * with a dead-letter policy; subscription properties only for StreamingPull.
 */
export function encodeReceived(
  sub: SubscriptionState,
  batch: readonly Delivery[],
  withProperties: boolean,
): Buffer {
  const counted = Boolean(sub.config.deadLetterPolicy?.deadLetterTopic);
  const w = protobuf.Writer.create();
  for (const d of batch) {
    w.uint32(TAG.responseReceived).fork();
    w.uint32(TAG.receivedAckId).string(d.ackId);
    w.uint32(TAG.receivedMessage).bytes(encodePubsubMessage(d.message));
    if (counted) w.uint32(TAG.receivedDeliveryAttempt).int32(d.deliveryAttempt);
    w.ldelim();
  }
  if (withProperties) {
    w.uint32(TAG.responseProperties).fork();
    if (sub.exactlyOnce) w.uint32(TAG.propertiesExactlyOnce).bool(true);
    if (sub.ordered) w.uint32(TAG.propertiesOrdering).bool(true);
    w.ldelim();
  }
  const out = w.finish();
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.length);
}

import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Delivery, StoredMessage } from '../storage/types.js';
import {
  decimalSize,
  isAscii,
  lengthDelimitedSize,
  varintSize,
  writeAscii,
  writeDecimal,
  writeVarint,
} from './wire-write.js';

/**
 * Hand-written wire encoding of Pull/StreamingPull responses, the emulator's hot path. One pass
 * sizes the response exactly, a second writes it into one buffer: each payload is copied once (the
 * request bytes it arrived in → the response), with no intermediate per-message buffer, writer
 * object or cache entry. A message's PubsubMessage sizes are computed once and kept on the message
 * (`StoredMessage.wire`) for redeliveries and fan-out. Field numbers are those of google/pubsub/v1/pubsub.proto;
 * `encode-received.test.ts` checks the bytes decode with the generic codec to the same values.
 */

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

/** Sizes of the parts of a PubsubMessage, computed once per stored message. */
interface MessageLayout {
  readonly total: number;
  readonly timestamp: number;
  readonly seconds: number;
  readonly nanos: number;
  /** Byte lengths of each attribute key and value, and of each map entry, in iteration order. */
  readonly attributes: readonly number[];
  readonly orderingKeyBytes: number;
  /** Decimal digits of the publish sequence, the middle part of every ack id of the message. */
  readonly seqDigits: number;
}

const NO_SIZES: readonly number[] = [];

function layoutOf(m: StoredMessage): MessageLayout {
  let layout = m.wire as MessageLayout | undefined;
  if (layout) return layout;
  let total = 0;
  if (m.data.length > 0) total += lengthDelimitedSize(m.data.length);
  let attributes: number[] | undefined;
  for (const key in m.attributes) {
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(m.attributes[key]!);
    const entry = lengthDelimitedSize(keyBytes) + lengthDelimitedSize(valueBytes);
    (attributes ??= []).push(keyBytes, valueBytes, entry);
    total += lengthDelimitedSize(entry);
  }
  total += lengthDelimitedSize(m.id.length);
  const seconds = Math.floor(m.publishMs / 1000);
  const nanos = (m.publishMs % 1000) * 1e6;
  const timestamp = 1 + varintSize(seconds) + (nanos > 0 ? 1 + varintSize(nanos) : 0);
  total += lengthDelimitedSize(timestamp);
  const orderingKeyBytes = m.orderingKey ? Buffer.byteLength(m.orderingKey) : 0;
  if (m.orderingKey) total += lengthDelimitedSize(orderingKeyBytes);
  layout = {
    total,
    timestamp,
    seconds,
    nanos,
    attributes: attributes ?? NO_SIZES,
    orderingKeyBytes,
    seqDigits: decimalSize(m.seq),
  };
  m.wire = layout; // kept on the message itself: redeliveries and other subscriptions reuse it
  return layout;
}

function writeString(buf: Buffer, pos: number, s: string, bytes: number): number {
  pos = writeVarint(buf, pos, bytes);
  return bytes === s.length && isAscii(s) ? writeAscii(buf, pos, s) : pos + buf.write(s, pos);
}

function writePubsubMessage(buf: Buffer, pos: number, m: StoredMessage, l: MessageLayout): number {
  if (m.data.length > 0) {
    buf[pos++] = TAG.pubsubData;
    pos = writeVarint(buf, pos, m.data.length);
    buf.set(m.data, pos); // TypedArray#set: Buffer#copy allocates a view per call
    pos += m.data.length;
  }
  let i = 0;
  for (const key in m.attributes) {
    const keyBytes = l.attributes[i]!;
    const valueBytes = l.attributes[i + 1]!;
    buf[pos++] = TAG.pubsubAttributes;
    pos = writeVarint(buf, pos, l.attributes[i + 2]!);
    buf[pos++] = TAG.mapKey;
    pos = writeString(buf, pos, key, keyBytes);
    buf[pos++] = TAG.mapValue;
    pos = writeString(buf, pos, m.attributes[key]!, valueBytes);
    i += 3;
  }
  buf[pos++] = TAG.pubsubMessageId;
  pos = writeVarint(buf, pos, m.id.length);
  pos = writeAscii(buf, pos, m.id);
  buf[pos++] = TAG.pubsubPublishTime;
  pos = writeVarint(buf, pos, l.timestamp);
  buf[pos++] = TAG.timestampSeconds;
  pos = writeVarint(buf, pos, l.seconds);
  if (l.nanos > 0) {
    buf[pos++] = TAG.timestampNanos;
    pos = writeVarint(buf, pos, l.nanos);
  }
  if (m.orderingKey) {
    buf[pos++] = TAG.pubsubOrderingKey;
    pos = writeString(buf, pos, m.orderingKey, l.orderingKeyBytes);
  }
  return pos;
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
  // Ack ids are `${uid}-${seq}-${attempt}` (Delivery.ackId), written here from those parts so
  // that no ack id string is built for a stream or a pull.
  const uid = sub.uid;
  // Pass 1: sizes, kept for pass 2 (the sequence's digits on the message's layout).
  const layouts = new Array<MessageLayout>(batch.length);
  const attemptDigits = new Array<number>(batch.length);
  const received = new Array<number>(batch.length);
  let total = 0;
  for (let i = 0; i < batch.length; i += 1) {
    const d = batch[i]!;
    const layout = (layouts[i] = layoutOf(d.message));
    const digits = (attemptDigits[i] = decimalSize(d.deliveryAttempt));
    const ackIdSize = uid.length + 2 + layout.seqDigits + digits;
    let size = lengthDelimitedSize(ackIdSize) + lengthDelimitedSize(layout.total);
    if (counted) size += 1 + varintSize(d.deliveryAttempt);
    received[i] = size;
    total += lengthDelimitedSize(size);
  }
  const properties = (sub.exactlyOnce ? 2 : 0) + (sub.ordered ? 2 : 0);
  if (withProperties) total += 2 + properties;
  // Pass 2: bytes.
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < batch.length; i += 1) {
    const d = batch[i]!;
    const layout = layouts[i]!;
    const digits = attemptDigits[i]!;
    buf[pos++] = TAG.responseReceived;
    pos = writeVarint(buf, pos, received[i]!);
    buf[pos++] = TAG.receivedAckId;
    pos = writeVarint(buf, pos, uid.length + 2 + layout.seqDigits + digits);
    pos = writeAscii(buf, pos, uid);
    buf[pos++] = 45; // -
    pos = writeDecimal(buf, pos, d.message.seq, layout.seqDigits);
    buf[pos++] = 45;
    pos = writeDecimal(buf, pos, d.deliveryAttempt, digits);
    buf[pos++] = TAG.receivedMessage;
    pos = writeVarint(buf, pos, layout.total);
    pos = writePubsubMessage(buf, pos, d.message, layout);
    if (counted) {
      buf[pos++] = TAG.receivedDeliveryAttempt;
      pos = writeVarint(buf, pos, d.deliveryAttempt);
    }
  }
  if (withProperties) {
    buf[pos++] = TAG.responseProperties;
    buf[pos++] = properties;
    if (sub.exactlyOnce) {
      buf[pos++] = TAG.propertiesExactlyOnce;
      buf[pos++] = 1;
    }
    if (sub.ordered) {
      buf[pos++] = TAG.propertiesOrdering;
      buf[pos++] = 1;
    }
  }
  if (pos !== total) throw new Error(`encodeReceived wrote ${pos} bytes of ${total}`);
  return buf;
}

/** Shapes of the `google.pubsub.v1` resources as proto-loader decodes them (camelCase, longs as numbers). */
export interface Duration {
  seconds?: number | string;
  nanos?: number;
}
export interface Timestamp {
  seconds?: number | string;
  nanos?: number;
}

export interface TopicConfig {
  name: string;
  labels?: Record<string, string>;
  messageRetentionDuration?: Duration;
  [field: string]: unknown;
}

export interface PushConfig {
  pushEndpoint?: string;
  attributes?: Record<string, string>;
  oidcToken?: { serviceAccountEmail?: string; audience?: string };
  noWrapper?: { writeMetadata?: boolean };
  pubsubWrapper?: Record<string, never>;
}

export interface BigQueryConfig {
  table?: string;
  writeMetadata?: boolean;
  useTopicSchema?: boolean;
  useTableSchema?: boolean;
  dropUnknownFields?: boolean;
  state?: string;
}

export interface SubscriptionConfig {
  name: string;
  topic: string;
  pushConfig?: PushConfig;
  bigqueryConfig?: BigQueryConfig;
  ackDeadlineSeconds?: number;
  retainAckedMessages?: boolean;
  messageRetentionDuration?: Duration;
  labels?: Record<string, string>;
  enableMessageOrdering?: boolean;
  filter?: string;
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number };
  retryPolicy?: { minimumBackoff?: Duration; maximumBackoff?: Duration };
  enableExactlyOnceDelivery?: boolean;
  detached?: boolean;
  state?: string;
  [field: string]: unknown;
}

/** One published message, shared by every subscription it was fanned out to. */
export interface StoredMessage {
  /** Global publish sequence; the message id is its decimal string. */
  readonly seq: number;
  readonly id: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey: string;
  readonly publishMs: number;
  /** Data + attribute bytes, for flow control. */
  readonly size: number;
  /** The response encoder's sizes of this PubsubMessage (handlers/encode-received), not state. */
  wire?: object;
}

/** A message handed to a consumer under a lease. */
export interface Delivery {
  /** `${subscription uid}-${message seq}-${deliveryAttempt}`; see `SubscriptionState.lookup`. */
  readonly ackId: string;
  readonly message: StoredMessage;
  /** Counted attempts; reported to clients only when a dead-letter policy is set. */
  readonly deliveryAttempt: number;
}

/** Something that receives leased messages: a StreamingPull stream, an unary Pull, a push worker. */
export interface Consumer {
  /** How many more messages and bytes this consumer takes right now. */
  capacity(): { messages: number; bytes: number };
  /** Lease length for messages handed to this consumer, in ack-deadline seconds. */
  ackDeadlineSeconds(): number;
  deliver(batch: Delivery[]): void;
  /** A message leased to this consumer was acked, nacked or expired (once per lease). */
  settled?(size: number): void;
}

export function durationMs(d: Duration | undefined): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function msToDuration(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export function msToTimestamp(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export function timestampMs(t: Timestamp | undefined): number | undefined {
  if (!t) return undefined;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

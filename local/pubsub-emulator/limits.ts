/** Every limit and default of the real service that the emulator enforces, in one place. */
export const LIMITS = {
  /** Publish request size (the gRPC payload), bytes. */
  maxPublishRequestBytes: 10 * 1024 * 1024,
  /**
   * REST request bodies, bytes: base64 and JSON make a 10 MB publish about 14 MB of text, so the cap
   * sits where gRPC's receive limit does and the service's own 10 MB check still speaks first.
   */
  maxRestBodyBytes: 2 * 10 * 1024 * 1024,
  maxMessagesPerPublish: 1000,
  maxAttributes: 100,
  maxAttributeKeyBytes: 256,
  maxAttributeValueBytes: 1024,
  maxOrderingKeyBytes: 1024,
  minAckDeadlineSeconds: 10,
  maxAckDeadlineSeconds: 600,
  /** ModifyAckDeadline may also set 0: a nack. */
  minModifyAckDeadlineSeconds: 0,
  defaultAckDeadlineSeconds: 10,
  minDeliveryAttempts: 5,
  maxDeliveryAttempts: 100,
  defaultMaxDeliveryAttempts: 5,
  /** RetryPolicy defaults when a policy is set without values. */
  defaultMinimumBackoffMs: 10_000,
  defaultMaximumBackoffMs: 600_000,
  minBackoffMs: 0,
  maxBackoffMs: 600_000,
  /** Push without a retry policy: the service backs off on its own, from 100 ms up to 60 s. */
  pushBackoffStartMs: 100,
  pushBackoffMaxMs: 60_000,
  defaultRetentionMs: 7 * 24 * 3600 * 1000,
  minRetentionMs: 10 * 60 * 1000,
  maxRetentionMs: 31 * 24 * 3600 * 1000,
  /** A subscription keeps messages for 7 days at most (a topic for 31). */
  maxSubscriptionRetentionMs: 7 * 24 * 3600 * 1000,
  maxFilterBytes: 256,
  /** Most messages one StreamingPull response or Pull carries. */
  maxMessagesPerResponse: 1000,
  maxBytesPerResponse: 10 * 1024 * 1024,
  /** How long an unary Pull waits for a message before returning empty. */
  pullWaitMs: 2000,
  /** Concurrent push requests per push subscription. */
  pushConcurrency: 16,
} as const;

/** Whether `value` falls outside the inclusive range [min, max] that each pair of limits gives. */
export function outsideLimits(value: number, min: number, max: number): boolean {
  return value < min || value > max;
}

import { errors } from '../errors.js';
import { FilterSyntaxError, parseFilter } from '../filter/parse-filter.js';
import { LIMITS, outsideLimits } from '../limits.js';
import { parseName } from '../names.js';
import {
  durationMs,
  msToDuration,
  type Duration,
  type SubscriptionConfig,
} from '../storage/types.js';
import { checkedRetentionMs } from './limit-checks.js';

/** `project:dataset.table` or `project.dataset.table`, as BigQuery subscriptions accept. */
export function parseBigQueryTable(
  table: string,
): { projectId: string; datasetId: string; tableId: string } | undefined {
  const match = /^([^:.]+)[:.]([A-Za-z0-9_]+)\.([A-Za-z0-9_$-]+)$/.exec(table);
  if (!match) return undefined;
  return { projectId: match[1]!, datasetId: match[2]!, tableId: match[3]! };
}

function checkAckDeadline(seconds: number | undefined): void {
  if (seconds === undefined || seconds === 0) return;
  if (outsideLimits(seconds, LIMITS.minAckDeadlineSeconds, LIMITS.maxAckDeadlineSeconds)) {
    throw errors.invalid(
      `Invalid ack deadline given (ack_deadline_seconds=${seconds}). The ack deadline must be between ${LIMITS.minAckDeadlineSeconds} and ${LIMITS.maxAckDeadlineSeconds} seconds.`,
    );
  }
}

/** Validates a Subscription as CreateSubscription receives it and fills the service's defaults. */
export function normalizeSubscription(input: SubscriptionConfig): SubscriptionConfig {
  parseName('subscriptions', input.name);
  parseName('topics', input.topic, 'topic');
  checkAckDeadline(input.ackDeadlineSeconds);
  const config: SubscriptionConfig = { ...input };
  config.ackDeadlineSeconds = input.ackDeadlineSeconds || LIMITS.defaultAckDeadlineSeconds;
  config.messageRetentionDuration = retentionOf(input.messageRetentionDuration);
  if (input.filter) checkFilter(input.filter);
  const deadLetterPolicy = deadLetterPolicyOf(input.deadLetterPolicy);
  if (deadLetterPolicy) config.deadLetterPolicy = deadLetterPolicy;
  else delete config.deadLetterPolicy;
  if (input.retryPolicy) config.retryPolicy = retryPolicyOf(input.retryPolicy);
  const endpoint = input.pushConfig?.pushEndpoint;
  if (endpoint) checkPushEndpoint(endpoint, input);
  const table = input.bigqueryConfig?.table;
  if (table !== undefined && table !== '') {
    checkBigQueryTable(table, endpoint);
    config.bigqueryConfig = { ...input.bigqueryConfig, state: 'ACTIVE' };
  } else if (input.bigqueryConfig) {
    delete config.bigqueryConfig;
  }
  config.state = 'ACTIVE';
  return config;
}

function retentionOf(duration: Duration | undefined): Duration {
  const retention = checkedRetentionMs(duration, LIMITS.maxSubscriptionRetentionMs);
  return msToDuration(retention ?? LIMITS.defaultRetentionMs);
}

function checkFilter(filter: string): void {
  if (Buffer.byteLength(filter) > LIMITS.maxFilterBytes) {
    throw errors.invalid(
      `Invalid filter: the filter must be at most ${LIMITS.maxFilterBytes} bytes.`,
    );
  }
  try {
    parseFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError)
      throw errors.invalid(`Invalid filter expression: ${error.message}.`);
    throw error;
  }
}

/** The policy with its defaults, or undefined when neither a topic nor attempts are set. */
function deadLetterPolicyOf(
  policy: SubscriptionConfig['deadLetterPolicy'],
): SubscriptionConfig['deadLetterPolicy'] {
  if (!policy || (!policy.deadLetterTopic && !policy.maxDeliveryAttempts)) return undefined;
  parseName('topics', policy.deadLetterTopic, 'dead_letter_topic');
  const attempts = policy.maxDeliveryAttempts || LIMITS.defaultMaxDeliveryAttempts;
  if (outsideLimits(attempts, LIMITS.minDeliveryAttempts, LIMITS.maxDeliveryAttempts)) {
    throw errors.invalid(
      `Invalid max_delivery_attempts (${attempts}): it must be between ${LIMITS.minDeliveryAttempts} and ${LIMITS.maxDeliveryAttempts}.`,
    );
  }
  return { deadLetterTopic: policy.deadLetterTopic!, maxDeliveryAttempts: attempts };
}

function retryPolicyOf(
  policy: NonNullable<SubscriptionConfig['retryPolicy']>,
): SubscriptionConfig['retryPolicy'] {
  const min = durationMs(policy.minimumBackoff) ?? LIMITS.defaultMinimumBackoffMs;
  const max = durationMs(policy.maximumBackoff) ?? LIMITS.defaultMaximumBackoffMs;
  const { minBackoffMs, maxBackoffMs } = LIMITS;
  if (
    outsideLimits(min, minBackoffMs, maxBackoffMs) ||
    outsideLimits(max, minBackoffMs, maxBackoffMs) ||
    min > max
  ) {
    throw errors.invalid(
      `Invalid retry_policy: minimum_backoff and maximum_backoff must be between ${minBackoffMs / 1000} and ${maxBackoffMs / 1000} seconds, minimum not above maximum.`,
    );
  }
  return { minimumBackoff: msToDuration(min), maximumBackoff: msToDuration(max) };
}

function checkPushEndpoint(endpoint: string, input: SubscriptionConfig): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw errors.invalid(`Invalid push_endpoint given (endpoint=${endpoint}).`);
  }
  if (input.enableExactlyOnceDelivery) {
    throw errors.invalid('Exactly once delivery is not supported for push subscriptions.');
  }
}

function checkBigQueryTable(table: string, pushEndpoint: string | undefined): void {
  if (!parseBigQueryTable(table)) {
    throw errors.invalid(
      `Invalid BigQuery table given (table=${table}). Use project:dataset.table.`,
    );
  }
  if (pushEndpoint) throw errors.invalid('A subscription cannot be both push and BigQuery.');
}

const UPDATABLE: Record<string, keyof SubscriptionConfig> = {
  ack_deadline_seconds: 'ackDeadlineSeconds',
  push_config: 'pushConfig',
  bigquery_config: 'bigqueryConfig',
  retain_acked_messages: 'retainAckedMessages',
  message_retention_duration: 'messageRetentionDuration',
  labels: 'labels',
  expiration_policy: 'expirationPolicy',
  dead_letter_policy: 'deadLetterPolicy',
  retry_policy: 'retryPolicy',
  enable_exactly_once_delivery: 'enableExactlyOnceDelivery',
  detached: 'detached',
};

/** Applies an UpdateSubscription field mask; immutable fields are INVALID_ARGUMENT as on the service. */
export function applySubscriptionUpdate(
  current: SubscriptionConfig,
  update: SubscriptionConfig,
  paths: readonly string[],
): SubscriptionConfig {
  if (paths.length === 0) {
    throw errors.invalid('The update_mask in the UpdateSubscriptionRequest must be set.');
  }
  const next: SubscriptionConfig = { ...current };
  for (const path of paths) {
    const field = UPDATABLE[path];
    if (!field) {
      throw errors.invalid(
        `Invalid update_mask provided in the UpdateSubscriptionRequest: the '${path}' field cannot be updated.`,
      );
    }
    if (update[field] === undefined) delete next[field];
    else (next as Record<string, unknown>)[field] = update[field];
  }
  return normalizeSubscription(next);
}

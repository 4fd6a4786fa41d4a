// Range checks of the service's limits that more than one handler makes, in the service's wording.
import { errors } from '../errors.js';
import { LIMITS, outsideLimits } from '../limits.js';
import { durationMs, type Duration } from '../storage/types.js';

const MS_PER_MINUTE = 60 * 1000;
const MS_PER_DAY = 24 * 60 * MS_PER_MINUTE;

/**
 * A message_retention_duration in ms (undefined when unset), refused outside the service's minimum
 * and `maxMs`: a topic keeps messages longer than a subscription may.
 */
export function checkedRetentionMs(
  duration: Duration | undefined,
  maxMs: number,
): number | undefined {
  const ms = durationMs(duration);
  if (ms !== undefined && outsideLimits(ms, LIMITS.minRetentionMs, maxMs)) {
    throw errors.invalid(
      `Invalid message_retention_duration: it must be between ${LIMITS.minRetentionMs / MS_PER_MINUTE} minutes and ${maxMs / MS_PER_DAY} days.`,
    );
  }
  return ms;
}

/** A ModifyAckDeadline's seconds, unary or on a stream: 0 (nack) up to the maximum deadline. */
export function checkModifyAckDeadline(seconds: number): void {
  if (outsideLimits(seconds, LIMITS.minModifyAckDeadlineSeconds, LIMITS.maxAckDeadlineSeconds)) {
    throw errors.ackDeadline(seconds);
  }
}

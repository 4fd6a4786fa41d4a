/** Pub/Sub's ceiling for one ModifyAckDeadline. */
export const MAX_ACK_DEADLINE_SECONDS = 600;
/** Slack on top of the batch's expected processing time. */
export const ACK_DEADLINE_MARGIN_SECONDS = 60;

/** Attributes the replay must not carry back: dead-letter bookkeeping and the drill switch. */
export function replayAttributes(
  original: Record<string, string>,
  runId: string,
  source: string,
): Record<string, string> {
  const kept = Object.entries(original).filter(
    ([key]) => !key.startsWith('CloudPubSubDeadLetter') && key !== 'dlq_test',
  );
  return { ...Object.fromEntries(kept), replay: 'true', replay_id: runId, replay_source: source };
}

/** A message that already went round once is not sent round again (loop guard). */
export function alreadyReplayed(attributes: Record<string, string>): boolean {
  return (attributes.replay ?? '').trim().toLowerCase() === 'true';
}

/**
 * How long the last message of a batch may wait behind the rate limit, plus a margin, within
 * Pub/Sub's 10–600 s range; and the largest batch whose wait still fits.
 */
export function ackDeadlineFor(batch: number, qps: number): number {
  const wait = qps > 0 ? Math.max(0, batch - 1) / qps : 0;
  return Math.min(
    MAX_ACK_DEADLINE_SECONDS,
    Math.max(10, Math.ceil(wait + ACK_DEADLINE_MARGIN_SECONDS)),
  );
}

export function largestBatchThatFits(qps: number): number {
  if (qps <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(
    1,
    Math.floor((MAX_ACK_DEADLINE_SECONDS - ACK_DEADLINE_MARGIN_SECONDS) * qps) + 1,
  );
}

/** Starts at most `qps` publishes per second (0: no limit), each waiting for its slot. */
export function rateLimiter(
  qps: number,
  sleep: (ms: number) => Promise<void>,
): () => Promise<void> {
  const interval = qps > 0 ? 1000 / qps : 0;
  let nextSlot = 0;
  return async () => {
    if (interval === 0) return;
    const wait = nextSlot - performance.now();
    if (wait > 0) await sleep(wait);
    nextSlot = Math.max(nextSlot, performance.now()) + interval;
  };
}

// Unary Pull, Acknowledge and ModifyAckDeadline: leasing and settling messages without a stream.
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { subscriptionName } from '../names.js';
import type { Broker } from '../storage/broker.js';
import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Consumer, Delivery } from '../storage/types.js';
import { invalidAckIdsError } from './ack-errors.js';
import { encodeReceived } from './encode-received.js';
import { checkModifyAckDeadline } from './limit-checks.js';

export async function acknowledge(
  broker: Broker,
  req: { subscription?: string; ackIds?: string[] },
): Promise<object> {
  const name = subscriptionName(req.subscription);
  const sub = broker.getSubscription(name);
  const ackIds = requiredAckIds(req.ackIds);
  const invalid = broker.acknowledge(name, ackIds);
  // Durable first even when some ids are invalid: the client counts the others as confirmed.
  await broker.durable();
  rejectInvalidIfExactlyOnce(sub, invalid);
  return {};
}

export function modifyAckDeadline(
  broker: Broker,
  req: { subscription?: string; ackIds?: string[]; ackDeadlineSeconds?: number },
): object {
  const name = subscriptionName(req.subscription);
  const sub = broker.getSubscription(name);
  const seconds = req.ackDeadlineSeconds ?? 0;
  checkModifyAckDeadline(seconds);
  const ackIds = requiredAckIds(req.ackIds);
  rejectInvalidIfExactlyOnce(sub, broker.modifyAckDeadline(name, ackIds, seconds));
  return {};
}

function requiredAckIds(ackIds: string[] | undefined): string[] {
  if (!ackIds || ackIds.length === 0) throw errors.invalid('No ack ids were specified.');
  return ackIds;
}

/** Only exactly-once subscriptions tell the client which ack ids named no live lease. */
function rejectInvalidIfExactlyOnce(sub: SubscriptionState, invalid: readonly string[]): void {
  if (sub.exactlyOnce && invalid.length > 0) throw invalidAckIdsError(invalid);
}

export function pull(
  broker: Broker,
  req: { subscription?: string; maxMessages?: number; returnImmediately?: boolean },
): Promise<Buffer | { receivedMessages: [] }> {
  const sub = broker.getSubscription(subscriptionName(req.subscription));
  const max = req.maxMessages ?? 0;
  if (max <= 0) throw errors.invalid('max_messages must be greater than 0.');
  if (sub.config.pushConfig?.pushEndpoint || sub.config.bigqueryConfig?.table) {
    throw errors.failedPrecondition('Pull is not supported for push or BigQuery subscriptions.');
  }
  return waitForMessages(broker, sub, max, Boolean(req.returnImmediately));
}

/**
 * One Pull as a broker consumer that takes a single batch: what the broker has now, else the first
 * batch within `LIMITS.pullWaitMs`, else (or at once with `returnImmediately`) nothing.
 */
function waitForMessages(
  broker: Broker,
  sub: SubscriptionState,
  max: number,
  returnImmediately: boolean,
): Promise<Buffer | { receivedMessages: [] }> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    const consumer: Consumer = {
      capacity: () =>
        answered
          ? { messages: 0, bytes: 0 }
          : {
              messages: Math.min(max, LIMITS.maxMessagesPerResponse),
              bytes: LIMITS.maxBytesPerResponse,
            },
      ackDeadlineSeconds: () => sub.config.ackDeadlineSeconds ?? LIMITS.defaultAckDeadlineSeconds,
      deliver: (batch: Delivery[]) => {
        answered = true;
        broker.detach(sub, consumer);
        if (timer) clearTimeout(timer);
        resolve(encodeReceived(sub, batch, false));
      },
    };
    broker.attach(sub, consumer);
    broker.dispatch(sub);
    if (answered) return;
    const giveUp = () => {
      if (answered) return;
      answered = true;
      broker.detach(sub, consumer);
      resolve({ receivedMessages: [] });
    };
    if (returnImmediately) giveUp();
    else timer = setTimeout(giveUp, LIMITS.pullWaitMs);
  });
}

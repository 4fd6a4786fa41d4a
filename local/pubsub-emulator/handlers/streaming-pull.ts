import type { ServerDuplexStream } from '@grpc/grpc-js';
import { errors, toServiceError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { parseName } from '../names.js';
import type { Broker } from '../storage/broker.js';
import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Consumer } from '../storage/types.js';
import { encodeReceived } from './encode-received.js';

interface StreamingPullRequest {
  subscription?: string;
  ackIds?: string[];
  modifyDeadlineSeconds?: number[];
  modifyDeadlineAckIds?: string[];
  streamAckDeadlineSeconds?: number;
  clientId?: string;
  maxOutstandingMessages?: number;
  maxOutstandingBytes?: number;
}

/**
 * One StreamingPull stream: the first request names the subscription and the flow-control limits
 * (outstanding messages/bytes); later requests carry acks, modacks and keep-alives. The stream is a
 * broker consumer whose capacity is what the client still allows, and which stops taking messages
 * while gRPC's write buffer is full.
 */
export function streamingPull(broker: Broker) {
  return (call: ServerDuplexStream<StreamingPullRequest, object>): void => {
    let sub: SubscriptionState | undefined;
    let deadlineSeconds: number = LIMITS.defaultAckDeadlineSeconds;
    let maxMessages = Number.MAX_SAFE_INTEGER;
    let maxBytes = Number.MAX_SAFE_INTEGER;
    // What this stream holds under lease, against the client's flow-control limits. The broker
    // calls `settled` once per lease that ends (ack, nack, expiry), so counting is enough.
    let messagesOut = 0;
    let bytesOut = 0;
    let writable = true;
    let done = false;

    const consumer: Consumer = {
      capacity: () =>
        writable && !done
          ? { messages: maxMessages - messagesOut, bytes: maxBytes - bytesOut }
          : { messages: 0, bytes: 0 },
      ackDeadlineSeconds: () => deadlineSeconds,
      deliver: (batch) => {
        messagesOut += batch.length;
        for (const d of batch) bytesOut += d.message.size;
        const ok = call.write(encodeReceived(sub!, batch, true));
        if (!ok) {
          writable = false;
          call.once('drain', () => {
            writable = true;
            if (sub) broker.scheduleDispatch(sub);
          });
        }
      },
      settled: (size) => {
        messagesOut -= 1;
        bytesOut -= size;
      },
    };

    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      if (sub) broker.detach(sub, consumer);
      const { code, details } = toServiceError(error);
      call.emit('error', { code, details });
    };

    const finish = () => {
      if (done) return;
      done = true;
      if (sub) broker.detach(sub, consumer);
    };

    const handle = (req: StreamingPullRequest) => {
      if (!sub) {
        parseName('subscriptions', req.subscription, 'subscription');
        const seconds = req.streamAckDeadlineSeconds ?? 0;
        if (seconds < LIMITS.minAckDeadlineSeconds || seconds > LIMITS.maxAckDeadlineSeconds) {
          throw errors.invalid(
            `Invalid stream_ack_deadline_seconds given (stream_ack_deadline_seconds=${seconds}). It must be between 10 and 600 seconds.`,
          );
        }
        sub = broker.getSubscription(req.subscription!);
        deadlineSeconds = seconds;
        if (req.maxOutstandingMessages && req.maxOutstandingMessages > 0)
          maxMessages = req.maxOutstandingMessages;
        if (req.maxOutstandingBytes && req.maxOutstandingBytes > 0)
          maxBytes = req.maxOutstandingBytes;
        broker.attach(sub, consumer);
      } else if (req.streamAckDeadlineSeconds) {
        deadlineSeconds = Math.min(
          LIMITS.maxAckDeadlineSeconds,
          Math.max(LIMITS.minAckDeadlineSeconds, req.streamAckDeadlineSeconds),
        );
      }
      const name = sub.config.name;
      if (req.ackIds && req.ackIds.length > 0) {
        const invalid = broker.acknowledge(name, req.ackIds);
        if (sub.exactlyOnce) {
          const bad = new Set(invalid);
          const confirmation = {
            acknowledgeConfirmation: {
              ackIds: req.ackIds.filter((id) => !bad.has(id)),
              invalidAckIds: invalid,
            },
          };
          // A confirmed ack must survive kill -9: confirm only once the journal holds it (with
          // --data-dir; at once otherwise). Every ack of the same moment shares one flush.
          broker.durable().then(() => {
            if (!done) call.write(confirmation);
          }, fail);
        }
      }
      const modIds = req.modifyDeadlineAckIds ?? [];
      if (modIds.length > 0) {
        const seconds = req.modifyDeadlineSeconds ?? [];
        if (seconds.length !== modIds.length) {
          throw errors.invalid(
            'modify_deadline_seconds and modify_deadline_ack_ids must have the same length.',
          );
        }
        const invalid: string[] = [];
        modIds.forEach((ackId, i) => {
          const s = seconds[i]!;
          if (s < 0 || s > LIMITS.maxAckDeadlineSeconds) throw errors.ackDeadline(s);
          invalid.push(...broker.modifyAckDeadline(name, [ackId], s));
        });
        if (sub.exactlyOnce) {
          const bad = new Set(invalid);
          call.write({
            modifyAckDeadlineConfirmation: {
              ackIds: modIds.filter((id) => !bad.has(id)),
              invalidAckIds: invalid,
            },
          });
        }
      }
    };

    call.on('data', (req: StreamingPullRequest) => {
      if (done) return;
      try {
        handle(req ?? {});
      } catch (error) {
        fail(error);
      }
    });
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('cancelled', finish);
    call.on('close', finish);
    call.on('error', finish);
  };
}

import type { ServerDuplexStream } from '@grpc/grpc-js';
import { errors, toServiceError } from '../errors.js';
import { LIMITS, outsideLimits } from '../limits.js';
import { subscriptionName } from '../names.js';
import type { Broker } from '../storage/broker.js';
import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Consumer, Delivery } from '../storage/types.js';
import { encodeReceived } from './encode-received.js';
import { checkModifyAckDeadline } from './limit-checks.js';

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

type StreamingPullCall = ServerDuplexStream<StreamingPullRequest, object>;

/**
 * One StreamingPull stream: the first request names the subscription and the flow-control limits
 * (outstanding messages/bytes); later requests carry acks, modacks and keep-alives. The stream is a
 * broker consumer whose capacity is what the client still allows, and which stops taking messages
 * while gRPC's write buffer is full.
 */
export function streamingPull(broker: Broker) {
  return (call: StreamingPullCall): void => {
    const stream = new PullStream(broker, call);
    call.on('data', (req: StreamingPullRequest) => stream.receive(req ?? {}));
    call.on('end', () => {
      stream.finish();
      call.end();
    });
    call.on('cancelled', () => stream.finish());
    call.on('close', () => stream.finish());
    call.on('error', () => stream.finish());
  };
}

class PullStream implements Consumer {
  private sub: SubscriptionState | undefined;
  private deadlineSeconds: number = LIMITS.defaultAckDeadlineSeconds;
  private maxMessages = Number.MAX_SAFE_INTEGER;
  private maxBytes = Number.MAX_SAFE_INTEGER;
  // What this stream holds under lease, against the client's flow-control limits. The broker
  // calls `settled` once per lease that ends (ack, nack, expiry), so counting is enough.
  private messagesOut = 0;
  private bytesOut = 0;
  private writable = true;
  private done = false;

  constructor(
    private readonly broker: Broker,
    private readonly call: StreamingPullCall,
  ) {}

  capacity(): { messages: number; bytes: number } {
    if (!this.writable || this.done) return { messages: 0, bytes: 0 };
    return { messages: this.maxMessages - this.messagesOut, bytes: this.maxBytes - this.bytesOut };
  }

  ackDeadlineSeconds(): number {
    return this.deadlineSeconds;
  }

  deliver(batch: Delivery[]): void {
    this.messagesOut += batch.length;
    for (const d of batch) this.bytesOut += d.message.size;
    if (!this.call.write(encodeReceived(this.sub!, batch, true))) this.pauseUntilDrained();
  }

  settled(size: number): void {
    this.messagesOut -= 1;
    this.bytesOut -= size;
  }

  /** One request from the client; whatever it throws ends the stream with that status. */
  receive(req: StreamingPullRequest): void {
    if (this.done) return;
    try {
      this.handle(req);
    } catch (error) {
      this.fail(error);
    }
  }

  finish(): void {
    this.stop();
  }

  private fail(error: unknown): void {
    if (!this.stop()) return;
    const { code, details } = toServiceError(error);
    this.call.emit('error', { code, details });
  }

  /** Ends the stream once; false when it had already ended. */
  private stop(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.sub) this.broker.detach(this.sub, this);
    return true;
  }

  private pauseUntilDrained(): void {
    this.writable = false;
    this.call.once('drain', () => {
      this.writable = true;
      if (this.sub) this.broker.scheduleDispatch(this.sub);
    });
  }

  private handle(req: StreamingPullRequest): void {
    let sub = this.sub;
    if (!sub) sub = this.open(req);
    else if (req.streamAckDeadlineSeconds) {
      this.deadlineSeconds = clampedAckDeadline(req.streamAckDeadlineSeconds);
    }
    if (req.ackIds && req.ackIds.length > 0) this.acknowledge(sub, req.ackIds);
    const modIds = req.modifyDeadlineAckIds ?? [];
    if (modIds.length > 0) this.modifyDeadlines(sub, modIds, req.modifyDeadlineSeconds ?? []);
  }

  /** The first request: which subscription, the stream's ack deadline and the client's limits. */
  private open(req: StreamingPullRequest): SubscriptionState {
    const name = subscriptionName(req.subscription);
    const seconds = checkedStreamAckDeadline(req.streamAckDeadlineSeconds ?? 0);
    const sub = this.broker.getSubscription(name);
    this.sub = sub;
    this.deadlineSeconds = seconds;
    this.maxMessages = flowControlLimit(req.maxOutstandingMessages);
    this.maxBytes = flowControlLimit(req.maxOutstandingBytes);
    this.broker.attach(sub, this);
    return sub;
  }

  private acknowledge(sub: SubscriptionState, ackIds: string[]): void {
    const invalid = this.broker.acknowledge(sub.config.name, ackIds);
    if (!sub.exactlyOnce) return;
    const confirmation = { acknowledgeConfirmation: confirmed(ackIds, invalid) };
    // A confirmed ack must survive kill -9: confirm only once the journal holds it (with
    // --data-dir; at once otherwise). Every ack of the same moment shares one flush.
    this.broker.durable().then(
      () => {
        if (!this.done) this.call.write(confirmation);
      },
      (error: unknown) => this.fail(error),
    );
  }

  private modifyDeadlines(sub: SubscriptionState, ackIds: string[], seconds: number[]): void {
    if (seconds.length !== ackIds.length) {
      throw errors.invalid(
        'modify_deadline_seconds and modify_deadline_ack_ids must have the same length.',
      );
    }
    const invalid: string[] = [];
    ackIds.forEach((ackId, i) => {
      const s = seconds[i]!;
      checkModifyAckDeadline(s);
      invalid.push(...this.broker.modifyAckDeadline(sub.config.name, [ackId], s));
    });
    if (sub.exactlyOnce) {
      this.call.write({ modifyAckDeadlineConfirmation: confirmed(ackIds, invalid) });
    }
  }
}

function checkedStreamAckDeadline(seconds: number): number {
  if (outsideLimits(seconds, LIMITS.minAckDeadlineSeconds, LIMITS.maxAckDeadlineSeconds)) {
    throw errors.invalid(
      `Invalid stream_ack_deadline_seconds given (stream_ack_deadline_seconds=${seconds}). It must be between ${LIMITS.minAckDeadlineSeconds} and ${LIMITS.maxAckDeadlineSeconds} seconds.`,
    );
  }
  return seconds;
}

/** Later requests may change the stream's deadline; out-of-range values are clamped, not refused. */
function clampedAckDeadline(seconds: number): number {
  return Math.min(LIMITS.maxAckDeadlineSeconds, Math.max(LIMITS.minAckDeadlineSeconds, seconds));
}

/** Zero or unset means no limit. */
function flowControlLimit(value: number | undefined): number {
  return value && value > 0 ? value : Number.MAX_SAFE_INTEGER;
}

/** An exactly-once confirmation: which ack ids took effect and which named no live lease. */
function confirmed(
  ackIds: readonly string[],
  invalid: string[],
): { ackIds: string[]; invalidAckIds: string[] } {
  const bad = new Set(invalid);
  return { ackIds: ackIds.filter((id) => !bad.has(id)), invalidAckIds: invalid };
}

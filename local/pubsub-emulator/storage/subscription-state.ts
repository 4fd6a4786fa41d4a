import type { Filter } from '../filter/parse-filter.js';
import type { Consumer, Delivery, StoredMessage, SubscriptionConfig } from './types.js';

/** A message as one subscription sees it. */
export interface SubMessage {
  readonly message: StoredMessage;
  attempts: number;
  acked: boolean;
  where: 'ready' | 'delayed' | 'outstanding' | 'gone';
  deadline: number;
  availableAt: number;
  consumer: Consumer | undefined;
}

/**
 * One lease as handed to a consumer. The ack id string is built only if someone asks for it (push
 * and BigQuery workers): the response encoder writes it from its parts, and acks are parsed back
 * into them, so the hot path never builds or hashes ack id strings.
 */
class Lease implements Delivery {
  constructor(
    private readonly uid: string,
    readonly message: StoredMessage,
    readonly deliveryAttempt: number,
  ) {}
  get ackId(): string {
    return `${this.uid}-${this.message.seq}-${this.deliveryAttempt}`;
  }
}

/** Digits of a decimal number below 2^53 in `s` from `start` to `end`; NaN if anything else. */
function parseDecimal(s: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return NaN;
  let n = 0;
  for (let i = start; i < end; i += 1) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

interface KeyQueue {
  ready: SubMessage[];
  outstanding: number;
}

/**
 * Delivery state of one subscription: which messages are ready, leased (outstanding) or waiting out
 * a retry backoff, plus per-ordering-key queues. With ordering on, a key is handed out only while
 * none of its messages is outstanding, so a key's messages arrive in publish order even across
 * redeliveries.
 */
export class SubscriptionState {
  readonly all = new Map<number, SubMessage>();
  private readonly ready = new Map<number, SubMessage>();
  private readonly keyed = new Map<string, KeyQueue>();
  private readonly readyKeys = new Set<string>();
  /** Leased messages by publish sequence. */
  readonly outstanding = new Map<number, SubMessage>();
  private delayed: SubMessage[] = [];
  /**
   * Lower bounds on the earliest lease deadline and backoff end, so the broker's 100 ms sweep
   * scans the leases only when one may be due instead of walking all of them every time.
   */
  private nextDeadline = Infinity;
  private nextAvailable = Infinity;
  readonly consumers = new Set<Consumer>();
  deadLettered = 0;
  dispatchScheduled = false;

  constructor(
    public config: SubscriptionConfig,
    public filter: Filter,
    /** Distinguishes this subscription's ack ids from a deleted namesake's. */
    readonly uid: string,
  ) {}

  get ordered(): boolean {
    return this.config.enableMessageOrdering === true;
  }
  get exactlyOnce(): boolean {
    return this.config.enableExactlyOnceDelivery === true;
  }

  hasReady(): boolean {
    return this.ready.size > 0 || this.readyKeys.size > 0;
  }

  backlog(): number {
    let n = 0;
    for (const m of this.all.values()) if (!m.acked) n += 1;
    return n;
  }

  oldestUnackedMs(): number | undefined {
    for (const m of this.all.values()) if (!m.acked) return m.message.publishMs;
    return undefined;
  }

  enqueue(message: StoredMessage, attempts = 0): SubMessage {
    const sm: SubMessage = {
      message,
      attempts,
      acked: false,
      where: 'gone',
      deadline: 0,
      availableAt: 0,
      consumer: undefined,
    };
    this.all.set(message.seq, sm);
    this.makeReady(sm);
    return sm;
  }

  private keyOf(sm: SubMessage): string | undefined {
    return this.ordered && sm.message.orderingKey !== '' ? sm.message.orderingKey : undefined;
  }

  makeReady(sm: SubMessage): void {
    sm.where = 'ready';
    const key = this.keyOf(sm);
    if (key === undefined) {
      this.ready.set(sm.message.seq, sm);
      return;
    }
    let queue = this.keyed.get(key);
    if (!queue) {
      queue = { ready: [], outstanding: 0 };
      this.keyed.set(key, queue);
    }
    // Keep the key's queue in publish order: redeliveries go back in front of later messages.
    let i = queue.ready.length;
    while (i > 0 && queue.ready[i - 1]!.message.seq > sm.message.seq) i -= 1;
    queue.ready.splice(i, 0, sm);
    if (queue.outstanding === 0) this.readyKeys.add(key);
  }

  private unready(sm: SubMessage): void {
    const key = this.keyOf(sm);
    if (key === undefined) {
      this.ready.delete(sm.message.seq);
      return;
    }
    const queue = this.keyed.get(key);
    if (!queue) return;
    const i = queue.ready.indexOf(sm);
    if (i >= 0) queue.ready.splice(i, 1);
    if (queue.ready.length === 0) this.readyKeys.delete(key);
  }

  delay(sm: SubMessage, until: number): void {
    sm.where = 'delayed';
    sm.availableAt = until;
    if (until < this.nextAvailable) this.nextAvailable = until;
    this.delayed.push(sm);
  }

  /** Takes up to `max` messages / `maxBytes` bytes (at least one message) and leases them. */
  take(
    max: number,
    maxBytes: number,
    consumer: Consumer,
    deadlineMs: number,
    now: number,
  ): Delivery[] {
    const batch: Delivery[] = [];
    let bytes = 0;
    const full = (size: number) =>
      batch.length >= max || (batch.length > 0 && bytes + size > maxBytes);
    for (const sm of this.ready.values()) {
      if (full(sm.message.size)) break;
      this.ready.delete(sm.message.seq);
      bytes += sm.message.size;
      batch.push(this.lease(sm, consumer, deadlineMs, now));
    }
    for (const key of this.readyKeys) {
      const queue = this.keyed.get(key)!;
      if (queue.ready.length === 0 || full(queue.ready[0]!.message.size)) break;
      this.readyKeys.delete(key);
      // A key's ready messages go out together, in order, in one batch.
      while (queue.ready.length > 0 && !full(queue.ready[0]!.message.size)) {
        const sm = queue.ready.shift()!;
        bytes += sm.message.size;
        queue.outstanding += 1;
        batch.push(this.lease(sm, consumer, deadlineMs, now));
      }
      if (queue.ready.length > 0 && queue.outstanding === 0) this.readyKeys.add(key);
    }
    return batch;
  }

  private lease(sm: SubMessage, consumer: Consumer, deadlineMs: number, now: number): Delivery {
    sm.attempts += 1;
    sm.where = 'outstanding';
    sm.deadline = now + deadlineMs;
    if (sm.deadline < this.nextDeadline) this.nextDeadline = sm.deadline;
    sm.consumer = consumer;
    this.outstanding.set(sm.message.seq, sm);
    return new Lease(this.uid, sm.message, sm.attempts);
  }

  /** Moves a lease's deadline (ModifyAckDeadline). */
  setDeadline(sm: SubMessage, deadline: number): void {
    sm.deadline = deadline;
    if (deadline < this.nextDeadline) this.nextDeadline = deadline;
  }

  /**
   * The message an ack id of this subscription names, parsing the id once (`uid-seq-attempt`):
   * with `currentLease`, only while the id is that message's live lease, else any delivery of it.
   */
  private resolveAckId(ackId: string, currentLease: boolean): SubMessage | undefined {
    const uid = this.uid;
    if (ackId.length <= uid.length + 3 || !ackId.startsWith(uid)) return undefined;
    if (ackId.charCodeAt(uid.length) !== 45 /* - */) return undefined;
    const dash = ackId.indexOf('-', uid.length + 1);
    if (dash < 0) return undefined;
    const attempt = parseDecimal(ackId, dash + 1, ackId.length);
    if (Number.isNaN(attempt)) return undefined;
    const sm = this.all.get(parseDecimal(ackId, uid.length + 1, dash));
    if (!sm || (currentLease && (sm.where !== 'outstanding' || sm.attempts !== attempt)))
      return undefined;
    return sm;
  }

  /**
   * The message leased under exactly this ack id (its current lease), if any: what a modack and
   * an exactly-once ack accept, where an older delivery's id is invalid.
   */
  leasedUnder(ackId: string): SubMessage | undefined {
    return this.resolveAckId(ackId, true);
  }

  /** Finds the message an ack id names (any delivery of it), if it still exists. */
  lookup(ackId: string): SubMessage | undefined {
    return this.resolveAckId(ackId, false);
  }

  /** Ends a lease without acking (nack, expiry) and returns the message to the caller to place. */
  endLease(sm: SubMessage): void {
    if (sm.where !== 'outstanding') return;
    this.outstanding.delete(sm.message.seq);
    sm.where = 'gone';
    const consumer = sm.consumer;
    sm.consumer = undefined;
    const key = this.keyOf(sm);
    if (key !== undefined) {
      const queue = this.keyed.get(key);
      if (queue) {
        queue.outstanding -= 1;
        if (queue.outstanding === 0 && queue.ready.length > 0) this.readyKeys.add(key);
        if (queue.outstanding === 0 && queue.ready.length === 0) this.keyed.delete(key);
      }
    }
    consumer?.settled?.(sm.message.size);
  }

  /** Acknowledges a message wherever it is; keeps it (acked) when retain-acked is on. */
  acknowledge(sm: SubMessage, retain: boolean): void {
    if (sm.where === 'outstanding') this.endLease(sm);
    else if (sm.where === 'ready') this.unready(sm);
    else if (sm.where === 'delayed') this.delayed = this.delayed.filter((d) => d !== sm);
    sm.where = 'gone';
    sm.acked = true;
    if (!retain) this.all.delete(sm.message.seq);
  }

  /** Marks an acked (retained) message unacked again, for Seek. */
  unacknowledge(sm: SubMessage): void {
    if (!sm.acked) return;
    sm.acked = false;
    this.makeReady(sm);
  }

  /** Leases past their deadline, and backoffs that are over. */
  due(now: number): { expired: SubMessage[]; available: SubMessage[] } {
    const expired: SubMessage[] = [];
    if (now >= this.nextDeadline) {
      let next = Infinity;
      for (const sm of this.outstanding.values()) {
        if (sm.deadline <= now) expired.push(sm);
        else if (sm.deadline < next) next = sm.deadline;
      }
      this.nextDeadline = next;
    }
    let available: SubMessage[] = [];
    if (now >= this.nextAvailable) {
      available = this.delayed.filter((sm) => sm.availableAt <= now);
      this.delayed = this.delayed.filter((sm) => sm.availableAt > now);
      let next = Infinity;
      for (const sm of this.delayed) if (sm.availableAt < next) next = sm.availableAt;
      this.nextAvailable = next;
    }
    return { expired, available };
  }

  /** Drops every message (subscription deleted): ends leases so consumers free their capacity. */
  clear(): void {
    for (const sm of [...this.outstanding.values()]) this.endLease(sm);
    this.all.clear();
    this.ready.clear();
    this.keyed.clear();
    this.readyKeys.clear();
    this.delayed = [];
    this.nextDeadline = Infinity;
    this.nextAvailable = Infinity;
  }
}

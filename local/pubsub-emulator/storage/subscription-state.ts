import type { Filter } from '../filter/parse-filter.js';
import type { Consumer, Delivery, StoredMessage, SubscriptionConfig } from './types.js';

/** A message as one subscription sees it. */
export interface SubMessage {
  readonly message: StoredMessage;
  attempts: number;
  acked: boolean;
  where: 'ready' | 'delayed' | 'outstanding' | 'gone';
  ackId: string;
  deadline: number;
  availableAt: number;
  consumer: Consumer | undefined;
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
  readonly outstanding = new Map<string, SubMessage>();
  private delayed: SubMessage[] = [];
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
      ackId: '',
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
    sm.ackId = `${this.uid}-${sm.message.seq}-${sm.attempts}`;
    sm.deadline = now + deadlineMs;
    sm.consumer = consumer;
    this.outstanding.set(sm.ackId, sm);
    return { ackId: sm.ackId, message: sm.message, deliveryAttempt: sm.attempts };
  }

  /** Finds the message an ack id names (any delivery of it), if it still exists. */
  lookup(ackId: string): SubMessage | undefined {
    const leased = this.outstanding.get(ackId);
    if (leased) return leased;
    const parts = ackId.split('-');
    if (parts.length !== 3 || parts[0] !== this.uid) return undefined;
    return this.all.get(Number(parts[1]));
  }

  /** Ends a lease without acking (nack, expiry) and returns the message to the caller to place. */
  endLease(sm: SubMessage): void {
    if (sm.where !== 'outstanding') return;
    this.outstanding.delete(sm.ackId);
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
    consumer?.settled?.(sm.ackId, sm.message.size);
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
    for (const sm of this.outstanding.values()) if (sm.deadline <= now) expired.push(sm);
    let available: SubMessage[] = [];
    if (this.delayed.length > 0) {
      available = this.delayed.filter((sm) => sm.availableAt <= now);
      if (available.length > 0) this.delayed = this.delayed.filter((sm) => sm.availableAt > now);
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
  }
}

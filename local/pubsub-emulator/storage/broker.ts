import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { parseFilter } from '../filter/parse-filter.js';
import type { Journal, JournalState } from './journal.js';
import { SubscriptionState, type SubMessage } from './subscription-state.js';
import {
  durationMs,
  type Consumer,
  type StoredMessage,
  type SubscriptionConfig,
  type TopicConfig,
} from './types.js';

export const DELETED_TOPIC = '_deleted-topic_';

export interface NewMessage {
  data: Buffer;
  attributes: Readonly<Record<string, string>>;
  orderingKey: string;
}

export interface SnapshotState {
  name: string;
  topic: string;
  expireMs: number;
  /** Messages unacked in the subscription when the snapshot was taken. */
  unacked: Set<number>;
  /** Everything published after this sequence is unacked in the snapshot too. */
  afterSeq: number;
}

/** Runs beside a push or BigQuery subscription, pulling its messages as a consumer. */
export interface Worker extends Consumer {
  close(): void;
}

export interface BrokerOptions {
  readonly log: Logger;
  /** Milliseconds one ack-deadline second lasts. 1000 unless a test shortens leases. */
  readonly ackDeadlineUnitMs?: number;
  /** Starts the delivery worker of a push or BigQuery subscription. */
  readonly startWorker?: (broker: Broker, sub: SubscriptionState) => Worker | undefined;
  readonly journal?: Journal;
}

/**
 * All Pub/Sub state and semantics: topics, subscriptions, fan-out, leases, redelivery, dead-lettering,
 * seek. Handlers validate requests and call in; consumers (streams, pulls, push workers) are fed by
 * `dispatch`. Every mutation is appended to the journal when one is configured.
 */
export class Broker {
  readonly topics = new Map<string, { config: TopicConfig; subs: Set<string> }>();
  readonly subs = new Map<string, SubscriptionState>();
  readonly snapshots = new Map<string, SnapshotState>();
  private readonly workers = new Map<string, Worker>();
  private seq = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unitMs: number;
  private closed = false;

  constructor(private readonly options: BrokerOptions) {
    this.unitMs = options.ackDeadlineUnitMs ?? 1000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(100, this.unitMs));
    this.sweeper.unref();
    options.journal?.setSnapshotSource(() => this.exportState());
  }

  get log(): Logger {
    return this.options.log;
  }

  // ---- restore -------------------------------------------------------------------------------

  /** Loads what the journal replayed; called once before serving. */
  restore(state: JournalState): void {
    this.seq = state.lastSeq;
    for (const topic of state.topics.values())
      this.topics.set(topic.name, { config: topic, subs: new Set() });
    for (const [name, { config, unacked }] of state.subscriptions) {
      const sub = this.addSubscription(config);
      for (const seq of unacked) {
        const message = state.messages.get(seq);
        if (message) sub.enqueue(message);
      }
      void name;
    }
  }

  /** The durable part of the state, for the journal's rewrite. */
  exportState(): JournalState {
    const messages = new Map<number, StoredMessage>();
    const subscriptions: JournalState['subscriptions'] = new Map();
    for (const sub of this.subs.values()) {
      const unacked = new Set<number>();
      for (const sm of sub.all.values()) {
        if (sm.acked) continue;
        unacked.add(sm.message.seq);
        messages.set(sm.message.seq, sm.message);
      }
      subscriptions.set(sub.config.name, { config: sub.config, unacked });
    }
    const topics = new Map([...this.topics].map(([name, t]) => [name, t.config]));
    return { lastSeq: this.seq, topics, subscriptions, messages };
  }

  // ---- topics --------------------------------------------------------------------------------

  createTopic(config: TopicConfig): TopicConfig {
    if (this.topics.has(config.name)) throw errors.alreadyExists(config.name);
    this.topics.set(config.name, { config, subs: new Set() });
    this.options.journal?.append({ t: 'topic', topic: config });
    return config;
  }

  getTopic(name: string): TopicConfig {
    const topic = this.topics.get(name);
    if (!topic) throw errors.notFound(name);
    return topic.config;
  }

  updateTopic(config: TopicConfig): TopicConfig {
    const topic = this.topics.get(config.name);
    if (!topic) throw errors.notFound(config.name);
    topic.config = config;
    this.options.journal?.append({ t: 'topic', topic: config });
    return config;
  }

  deleteTopic(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) throw errors.notFound(name);
    this.topics.delete(name);
    // Subscriptions outlive their topic, pointing at `_deleted-topic_`, as on the real service.
    for (const subName of topic.subs) {
      const sub = this.subs.get(subName);
      if (sub) {
        sub.config = { ...sub.config, topic: DELETED_TOPIC };
        this.options.journal?.append({ t: 'sub', sub: sub.config });
      }
    }
    this.options.journal?.append({ t: 'deltopic', name });
  }

  /** The topic's subscription names, unordered: the List call sorts them. */
  topicSubscriptions(name: string): string[] {
    const topic = this.topics.get(name);
    if (!topic) throw errors.notFound(name);
    return [...topic.subs];
  }

  // ---- publish -------------------------------------------------------------------------------

  /**
   * Resolves once every mutation so far is on disk (at once without a journal). Handlers await it
   * before answering an acknowledgement, so an ack the client saw succeed survives kill -9.
   */
  durable(): Promise<void> {
    return this.options.journal?.flush() ?? Promise.resolve();
  }

  /** Stores and fans out; resolves once durable when a journal is configured. */
  async publish(topicName: string, messages: NewMessage[]): Promise<string[]> {
    const topic = this.topics.get(topicName);
    if (!topic) throw errors.notFound(topicName);
    const now = Date.now();
    const stored = messages.map((m) => this.store(m, now));
    const targets: string[] = [];
    for (const subName of topic.subs) {
      const sub = this.subs.get(subName);
      if (!sub || sub.config.detached) continue;
      let matched = false;
      for (const message of stored) {
        // Messages a filter rejects are acknowledged at once: they never count as backlog.
        if (sub.filter(message.attributes)) {
          sub.enqueue(message);
          matched = true;
        }
      }
      if (matched) {
        targets.push(subName);
        this.scheduleDispatch(sub);
      }
    }
    const journal = this.options.journal;
    if (journal) {
      journal.append({ t: 'pub', messages: stored, subs: targets });
      await journal.flush();
    }
    return stored.map((m) => m.id);
  }

  private store(m: NewMessage, now: number): StoredMessage {
    this.seq += 1;
    let size = m.data.length + (m.orderingKey ? Buffer.byteLength(m.orderingKey) : 0);
    for (const k in m.attributes)
      size += Buffer.byteLength(k) + Buffer.byteLength(m.attributes[k]!);
    return {
      seq: this.seq,
      id: String(this.seq),
      data: m.data,
      attributes: m.attributes,
      orderingKey: m.orderingKey,
      publishMs: now,
      size,
      wire: undefined,
    };
  }

  // ---- subscriptions -------------------------------------------------------------------------

  createSubscription(config: SubscriptionConfig): SubscriptionConfig {
    if (this.subs.has(config.name)) throw errors.alreadyExists(config.name);
    if (!this.topics.has(config.topic)) throw errors.notFound(config.topic);
    const dlt = config.deadLetterPolicy?.deadLetterTopic;
    if (dlt && !this.topics.has(dlt)) throw errors.notFound(dlt);
    this.addSubscription(config);
    this.options.journal?.append({ t: 'sub', sub: config });
    return config;
  }

  private addSubscription(config: SubscriptionConfig): SubscriptionState {
    const sub = new SubscriptionState(
      config,
      parseFilter(config.filter ?? ''),
      randomBytes(4).toString('hex'),
    );
    this.subs.set(config.name, sub);
    this.topics.get(config.topic)?.subs.add(config.name);
    this.restartWorker(sub);
    return sub;
  }

  getSubscription(name: string): SubscriptionState {
    const sub = this.subs.get(name);
    if (!sub) throw errors.notFound(name);
    return sub;
  }

  updateSubscription(config: SubscriptionConfig): SubscriptionConfig {
    const sub = this.getSubscription(config.name);
    const dlt = config.deadLetterPolicy?.deadLetterTopic;
    if (dlt && !this.topics.has(dlt)) throw errors.notFound(dlt);
    sub.config = config;
    sub.filter = parseFilter(config.filter ?? '');
    this.restartWorker(sub);
    this.options.journal?.append({ t: 'sub', sub: config });
    this.scheduleDispatch(sub);
    return config;
  }

  deleteSubscription(name: string): void {
    const sub = this.getSubscription(name);
    this.subs.delete(name);
    this.topics.get(sub.config.topic)?.subs.delete(name);
    this.workers.get(name)?.close();
    this.workers.delete(name);
    sub.clear();
    this.options.journal?.append({ t: 'delsub', name });
  }

  private restartWorker(sub: SubscriptionState): void {
    const previous = this.workers.get(sub.config.name);
    if (previous) {
      previous.close();
      sub.consumers.delete(previous);
      this.workers.delete(sub.config.name);
    }
    const worker = this.options.startWorker?.(this, sub);
    if (worker) {
      this.workers.set(sub.config.name, worker);
      sub.consumers.add(worker);
      this.scheduleDispatch(sub);
    }
  }

  // ---- delivery ------------------------------------------------------------------------------

  attach(sub: SubscriptionState, consumer: Consumer): void {
    sub.consumers.add(consumer);
    this.scheduleDispatch(sub);
  }

  detach(sub: SubscriptionState, consumer: Consumer): void {
    sub.consumers.delete(consumer);
  }

  ackDeadlineMs(seconds: number): number {
    return seconds * this.unitMs;
  }

  scheduleDispatch(sub: SubscriptionState): void {
    if (sub.dispatchScheduled || this.closed) return;
    sub.dispatchScheduled = true;
    setImmediate(() => {
      sub.dispatchScheduled = false;
      this.dispatch(sub);
    });
  }

  /**
   * Hands ready messages to consumers with spare capacity, round robin. A consumer that was served
   * moves to the back of the queue, so the turn carries over from one dispatch to the next:
   * messages that arrive one at a time spread over every stream, as Pub/Sub balances a
   * subscription's streams, instead of all going to the first stream with room.
   */
  dispatch(sub: SubscriptionState): void {
    if (this.subs.get(sub.config.name) !== sub) return;
    const now = Date.now();
    let progress = true;
    while (progress && sub.hasReady()) {
      progress = false;
      for (const consumer of [...sub.consumers]) {
        if (!sub.hasReady()) break;
        if (!sub.consumers.has(consumer)) continue;
        const room = consumer.capacity();
        if (room.messages <= 0 || room.bytes <= 0) continue;
        const batch = sub.take(
          Math.min(room.messages, LIMITS.maxMessagesPerResponse),
          Math.min(room.bytes, LIMITS.maxBytesPerResponse),
          consumer,
          this.ackDeadlineMs(consumer.ackDeadlineSeconds()),
          now,
        );
        if (batch.length > 0) {
          progress = true;
          sub.consumers.delete(consumer);
          sub.consumers.add(consumer);
          consumer.deliver(batch);
        }
      }
    }
  }

  /** Acks; returns the ack ids that named no live lease (the exactly-once "invalid" ones). */
  acknowledge(subName: string, ackIds: readonly string[]): string[] {
    const sub = this.getSubscription(subName);
    const invalid: string[] = [];
    const acked: number[] = [];
    const exactlyOnce = sub.exactlyOnce;
    const retain = sub.config.retainAckedMessages === true;
    const journal = this.options.journal;
    for (const ackId of ackIds) {
      // Exactly-once accepts only the live lease's id; otherwise any delivery's id acks.
      const sm = exactlyOnce ? sub.leasedUnder(ackId) : sub.lookup(ackId);
      if (!sm || sm.acked) {
        invalid.push(ackId);
        continue;
      }
      sub.acknowledge(sm, retain);
      if (journal) acked.push(sm.message.seq);
    }
    if (invalid.length < ackIds.length) {
      journal?.append({ t: 'ack', sub: subName, seqs: acked });
      this.scheduleDispatch(sub);
    }
    return invalid;
  }

  /** Extends or (0 s) ends leases; returns ack ids naming no live lease. */
  modifyAckDeadline(subName: string, ackIds: readonly string[], seconds: number): string[] {
    const sub = this.getSubscription(subName);
    const invalid: string[] = [];
    const now = Date.now();
    for (const ackId of ackIds) {
      const sm = sub.leasedUnder(ackId);
      if (!sm) {
        invalid.push(ackId);
        continue;
      }
      if (seconds === 0) this.release(sub, sm, now);
      else sub.setDeadline(sm, now + this.ackDeadlineMs(seconds));
    }
    this.scheduleDispatch(sub);
    return invalid;
  }

  /** A lease ended without an ack: dead-letter, back off, or make ready again. */
  private release(sub: SubscriptionState, sm: SubMessage, now: number): void {
    sub.endLease(sm);
    const policy = sub.config.deadLetterPolicy;
    if (policy?.deadLetterTopic) {
      const max = policy.maxDeliveryAttempts || LIMITS.defaultMaxDeliveryAttempts;
      if (sm.attempts >= max && this.deadLetter(sub, sm, policy.deadLetterTopic)) return;
    }
    const backoff = this.backoffMs(sub, sm.attempts);
    if (backoff > 0) sub.delay(sm, now + backoff);
    else sub.makeReady(sm);
  }

  private backoffMs(sub: SubscriptionState, attempts: number): number {
    const policy = sub.config.retryPolicy;
    const isPush =
      Boolean(sub.config.pushConfig?.pushEndpoint) || Boolean(sub.config.bigqueryConfig?.table);
    if (!policy) {
      if (!isPush) return 0;
      return Math.min(
        LIMITS.pushBackoffMaxMs,
        LIMITS.pushBackoffStartMs * 2 ** Math.max(0, attempts - 1),
      );
    }
    const min = durationMs(policy.minimumBackoff) ?? LIMITS.defaultMinimumBackoffMs;
    const max = durationMs(policy.maximumBackoff) ?? LIMITS.defaultMaximumBackoffMs;
    return Math.min(max, min * 2 ** Math.max(0, attempts - 1));
  }

  /** Forwards to the dead-letter topic with the attributes the real service adds; false if it can't. */
  private deadLetter(sub: SubscriptionState, sm: SubMessage, topicName: string): boolean {
    if (!this.topics.has(topicName)) {
      this.log.warn(
        { subscription: sub.config.name, topic: topicName },
        'dead-letter topic missing; keeping the message',
      );
      return false;
    }
    const [, project, , subId] = sub.config.name.split('/');
    const attributes = {
      ...sm.message.attributes,
      CloudPubSubDeadLetterSourceDeliveryCount: String(sm.attempts),
      CloudPubSubDeadLetterSourceSubscription: subId ?? sub.config.name,
      CloudPubSubDeadLetterSourceSubscriptionProject: project ?? '',
      CloudPubSubDeadLetterSourceTopicPublishTime: new Date(sm.message.publishMs).toISOString(),
    };
    sub.acknowledge(sm, sub.config.retainAckedMessages === true);
    sub.deadLettered += 1;
    this.options.journal?.append({ t: 'ack', sub: sub.config.name, seqs: [sm.message.seq] });
    this.publish(topicName, [
      { data: sm.message.data, attributes, orderingKey: sm.message.orderingKey },
    ]).catch((error: unknown) =>
      this.log.error({ err: error, topic: topicName }, 'dead-letter publish failed'),
    );
    return true;
  }

  /** Seek to a time: published before → acked, at or after → unacked (if still retained). */
  seekToTime(subName: string, timeMs: number): void {
    const sub = this.getSubscription(subName);
    this.seek(sub, (sm) => sm.message.publishMs >= timeMs);
  }

  seekToSnapshot(subName: string, snapshotName: string): void {
    const sub = this.getSubscription(subName);
    const snapshot = this.snapshots.get(snapshotName);
    if (!snapshot) throw errors.notFound(snapshotName);
    if (snapshot.topic !== sub.config.topic) {
      throw errors.failedPrecondition(
        `The subscription's topic (${sub.config.topic}) differs from the snapshot's topic (${snapshot.topic}).`,
      );
    }
    this.seek(
      sub,
      (sm) => sm.message.seq > snapshot.afterSeq || snapshot.unacked.has(sm.message.seq),
    );
  }

  private seek(sub: SubscriptionState, unacked: (sm: SubMessage) => boolean): void {
    const retain = sub.config.retainAckedMessages === true;
    for (const sm of [...sub.all.values()]) {
      if (unacked(sm)) sub.unacknowledge(sm);
      else if (!sm.acked) sub.acknowledge(sm, retain);
    }
    this.options.journal?.append({
      t: 'unacked',
      sub: sub.config.name,
      seqs: [...sub.all.values()].filter((sm) => !sm.acked).map((sm) => sm.message.seq),
    });
    this.scheduleDispatch(sub);
  }

  createSnapshot(name: string, subName: string): SnapshotState {
    if (this.snapshots.has(name)) throw errors.alreadyExists(name);
    const sub = this.getSubscription(subName);
    const unacked = new Set<number>();
    let oldest = Date.now();
    for (const sm of sub.all.values()) {
      if (!sm.acked) {
        unacked.add(sm.message.seq);
        oldest = Math.min(oldest, sm.message.publishMs);
      }
    }
    const snapshot: SnapshotState = {
      name,
      topic: sub.config.topic,
      // Like the real service: expires 7 days after the oldest unacked message it holds.
      expireMs: oldest + LIMITS.defaultRetentionMs,
      unacked,
      afterSeq: this.seq,
    };
    this.snapshots.set(name, snapshot);
    return snapshot;
  }

  // ---- time ----------------------------------------------------------------------------------

  private sweep(): void {
    const now = Date.now();
    for (const sub of this.subs.values()) {
      const { expired, available } = sub.due(now);
      for (const sm of expired) this.release(sub, sm, now);
      for (const sm of available) sub.makeReady(sm);
      this.expireRetention(sub, now);
      if (expired.length > 0 || available.length > 0) this.scheduleDispatch(sub);
    }
  }

  /** Drops messages older than the subscription's retention (7 days by default). */
  private expireRetention(sub: SubscriptionState, now: number): void {
    const retention = durationMs(sub.config.messageRetentionDuration) ?? LIMITS.defaultRetentionMs;
    for (const sm of sub.all.values()) {
      if (sm.message.publishMs > now - retention) break;
      if (sm.where !== 'outstanding') sub.acknowledge(sm, false);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const worker of this.workers.values()) worker.close();
    this.workers.clear();
  }
}

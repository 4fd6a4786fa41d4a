import type { PubSub } from '@google-cloud/pubsub';
import {
  MANAGED_LABEL,
  type DesiredState,
  type DesiredSubscription,
  type SubscriptionFields,
} from './desired.js';
import type { Change } from './plan.js';

/** What the emulator reports for one subscription, in the same shape as the manifests' side. */
export interface ObservedSubscription {
  readonly name: string;
  readonly fields: SubscriptionFields;
}

export interface ObservedPubSub {
  readonly topics: ReadonlyMap<string, { labels: Record<string, string> }>;
  readonly subscriptions: ReadonlyMap<string, ObservedSubscription>;
}

/** Fields the API cannot change on an existing subscription: a change means delete and create. */
const IMMUTABLE: ReadonlySet<keyof SubscriptionFields> = new Set([
  'topic',
  'filter',
  'enableMessageOrdering',
]);

/** Our field → the UpdateSubscription mask path that changes it. */
const MASK: Record<keyof SubscriptionFields, string> = {
  topic: 'topic',
  ackDeadlineSeconds: 'ack_deadline_seconds',
  messageRetentionSeconds: 'message_retention_duration',
  retainAckedMessages: 'retain_acked_messages',
  expirationTtlSeconds: 'expiration_policy',
  filter: 'filter',
  enableMessageOrdering: 'enable_message_ordering',
  enableExactlyOnceDelivery: 'enable_exactly_once_delivery',
  deadLetterTopic: 'dead_letter_policy',
  maxDeliveryAttempts: 'dead_letter_policy',
  retryMinimumBackoffSeconds: 'retry_policy',
  retryMaximumBackoffSeconds: 'retry_policy',
  pushEndpoint: 'push_config',
  oidcAudience: 'push_config',
  oidcServiceAccountEmail: 'push_config',
  bigqueryTable: 'bigquery_config',
  bigqueryWriteMetadata: 'bigquery_config',
  bigqueryUseTopicSchema: 'bigquery_config',
  bigqueryDropUnknownFields: 'bigquery_config',
  labels: 'labels',
};

type Proto = Record<string, unknown> | null | undefined;

const seconds = (d: Proto): number | null => {
  if (!d) return null;
  const s = Number(d.seconds ?? 0) + Number(d.nanos ?? 0) / 1e9;
  return Number.isFinite(s) ? s : null;
};
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const short = (name: string): string => name.split('/').pop() ?? name;

/** The canonical fields of a subscription as `getSubscriptions` returns it (proto defaults filled). */
export function subscriptionFieldsOf(meta: Record<string, unknown>): SubscriptionFields {
  const push = (meta.pushConfig ?? null) as Proto;
  const oidc = (push?.oidcToken ?? null) as Proto;
  const dlp = (meta.deadLetterPolicy ?? null) as Proto;
  const retry = (meta.retryPolicy ?? null) as Proto;
  const bq = (meta.bigqueryConfig ?? null) as Proto;
  const endpoint = text(push?.pushEndpoint);
  const table = text(bq?.table);
  const ttl = (meta.expirationPolicy ?? null) as Proto;
  return {
    topic: String(meta.topic ?? ''),
    ackDeadlineSeconds: Number(meta.ackDeadlineSeconds ?? 0) || 10,
    messageRetentionSeconds: seconds(meta.messageRetentionDuration as Proto) ?? 604_800,
    retainAckedMessages: meta.retainAckedMessages === true,
    expirationTtlSeconds: seconds(ttl?.ttl as Proto),
    filter: String(meta.filter ?? ''),
    enableMessageOrdering: meta.enableMessageOrdering === true,
    enableExactlyOnceDelivery: meta.enableExactlyOnceDelivery === true,
    deadLetterTopic: text(dlp?.deadLetterTopic),
    maxDeliveryAttempts: text(dlp?.deadLetterTopic) ? Number(dlp?.maxDeliveryAttempts ?? 5) : null,
    retryMinimumBackoffSeconds: retry ? (seconds(retry.minimumBackoff as Proto) ?? 10) : null,
    retryMaximumBackoffSeconds: retry ? (seconds(retry.maximumBackoff as Proto) ?? 600) : null,
    pushEndpoint: endpoint,
    oidcAudience: endpoint ? text(oidc?.audience) : null,
    oidcServiceAccountEmail: endpoint ? text(oidc?.serviceAccountEmail) : null,
    bigqueryTable: table,
    bigqueryWriteMetadata: table !== null && bq?.writeMetadata === true,
    bigqueryUseTopicSchema: table !== null && bq?.useTopicSchema === true,
    bigqueryDropUnknownFields: table !== null && bq?.dropUnknownFields === true,
    labels: { ...((meta.labels as Record<string, string> | null) ?? {}) },
  };
}

/** The proto fields for CreateSubscription / UpdateSubscription from canonical fields. */
export function subscriptionProto(f: SubscriptionFields): Record<string, unknown> {
  const duration = (s: number) => ({ seconds: Math.floor(s), nanos: Math.round((s % 1) * 1e9) });
  return {
    ackDeadlineSeconds: f.ackDeadlineSeconds,
    messageRetentionDuration: duration(f.messageRetentionSeconds),
    retainAckedMessages: f.retainAckedMessages,
    expirationPolicy:
      f.expirationTtlSeconds === null ? {} : { ttl: duration(f.expirationTtlSeconds) },
    filter: f.filter,
    enableMessageOrdering: f.enableMessageOrdering,
    enableExactlyOnceDelivery: f.enableExactlyOnceDelivery,
    deadLetterPolicy: f.deadLetterTopic
      ? { deadLetterTopic: f.deadLetterTopic, maxDeliveryAttempts: f.maxDeliveryAttempts ?? 5 }
      : null,
    retryPolicy:
      f.retryMinimumBackoffSeconds === null
        ? null
        : {
            minimumBackoff: duration(f.retryMinimumBackoffSeconds),
            maximumBackoff: duration(f.retryMaximumBackoffSeconds ?? 600),
          },
    pushConfig: f.pushEndpoint
      ? {
          pushEndpoint: f.pushEndpoint,
          ...(f.oidcAudience || f.oidcServiceAccountEmail
            ? {
                oidcToken: {
                  audience: f.oidcAudience ?? '',
                  serviceAccountEmail: f.oidcServiceAccountEmail ?? '',
                },
              }
            : {}),
        }
      : {},
    bigqueryConfig: f.bigqueryTable
      ? {
          table: f.bigqueryTable,
          writeMetadata: f.bigqueryWriteMetadata,
          useTopicSchema: f.bigqueryUseTopicSchema,
          dropUnknownFields: f.bigqueryDropUnknownFields,
        }
      : null,
    labels: { ...f.labels },
  };
}

/** Field names whose values differ. */
export function diffSubscription(
  desired: SubscriptionFields,
  observed: SubscriptionFields,
): (keyof SubscriptionFields)[] {
  return (Object.keys(desired) as (keyof SubscriptionFields)[]).filter(
    (key) => JSON.stringify(sortKeys(desired[key])) !== JSON.stringify(sortKeys(observed[key])),
  );
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function observePubSub(pubsub: PubSub): Promise<ObservedPubSub> {
  const [topicList] = await pubsub.getTopics();
  const topics = new Map(
    topicList.map((t) => [
      short(t.name),
      { labels: { ...((t.metadata?.labels as Record<string, string> | null) ?? {}) } },
    ]),
  );
  const [subList] = await pubsub.getSubscriptions();
  const subscriptions = new Map<string, ObservedSubscription>();
  for (const sub of subList) {
    const meta = (sub.metadata ?? (await sub.getMetadata())[0]) as unknown as Record<
      string,
      unknown
    >;
    subscriptions.set(short(sub.name), {
      name: short(sub.name),
      fields: subscriptionFieldsOf(meta),
    });
  }
  return { topics, subscriptions };
}

const managed = (labels: Record<string, string>) => labels[MANAGED_LABEL] === 'true';

export interface PubSubPlan {
  readonly topics: Change[];
  readonly subscriptions: Change[];
  readonly deletions: Change[];
}

/** Compares desired and observed; no I/O. */
export function planPubSub(desired: DesiredState, observed: ObservedPubSub): PubSubPlan {
  const topics: Change[] = desired.topics.map((t) => {
    const current = observed.topics.get(t.name);
    if (!current) return { action: 'create', kind: 'topic', name: t.name };
    if (JSON.stringify(sortKeys(current.labels)) !== JSON.stringify(sortKeys(t.labels))) {
      return { action: 'update', kind: 'topic', name: t.name, fields: ['labels'] };
    }
    return { action: 'unchanged', kind: 'topic', name: t.name };
  });
  const subscriptions: Change[] = desired.subscriptions.map((s) => {
    const current = observed.subscriptions.get(s.name);
    if (!current) return { action: 'create', kind: 'subscription', name: s.name };
    const fields = diffSubscription(s.fields, current.fields);
    if (fields.length === 0) return { action: 'unchanged', kind: 'subscription', name: s.name };
    const immutable = fields.filter((f) => IMMUTABLE.has(f));
    if (immutable.length > 0) {
      return {
        action: 'recreate',
        kind: 'subscription',
        name: s.name,
        fields,
        reason: `${immutable.join(', ')} cannot be changed in place; unacked messages are lost`,
      };
    }
    return { action: 'update', kind: 'subscription', name: s.name, fields };
  });
  const wantedSubs = new Set(desired.subscriptions.map((s) => s.name));
  const wantedTopics = new Set(desired.topics.map((t) => t.name));
  const deletions: Change[] = [
    ...[...observed.subscriptions.values()]
      .filter((s) => !wantedSubs.has(s.name) && managed(s.fields.labels))
      .map((s): Change => ({ action: 'delete', kind: 'subscription', name: s.name })),
    ...[...observed.topics.entries()]
      .filter(([name, t]) => !wantedTopics.has(name) && managed(t.labels))
      .map(([name]): Change => ({ action: 'delete', kind: 'topic', name })),
  ];
  return { topics, subscriptions, deletions };
}

function subscriptionOf(desired: DesiredState, name: string): DesiredSubscription {
  const found = desired.subscriptions.find((s) => s.name === name);
  if (!found) throw new Error(`internal: no desired subscription ${name}`);
  return found;
}

async function createSubscription(pubsub: PubSub, s: DesiredSubscription): Promise<void> {
  const proto = subscriptionProto(s.fields);
  // The client only sends what is set; a null policy means "none".
  for (const key of Object.keys(proto)) if (proto[key] === null) delete proto[key];
  await pubsub.createSubscription(s.fields.topic, s.name, proto);
}

export async function applyTopics(
  pubsub: PubSub,
  desired: DesiredState,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    const topic = desired.topics.find((t) => t.name === change.name)!;
    if (change.action === 'create') {
      await pubsub.createTopic({ name: topic.name, labels: { ...topic.labels } });
    } else if (change.action === 'update') {
      await pubsub.topic(topic.name).setMetadata({ labels: { ...topic.labels } });
    }
  }
}

export async function applySubscriptions(
  pubsub: PubSub,
  desired: DesiredState,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    if (change.action === 'unchanged') continue;
    const s = subscriptionOf(desired, change.name);
    if (change.action === 'create') await createSubscription(pubsub, s);
    else if (change.action === 'recreate') {
      await pubsub.subscription(s.name).delete();
      await createSubscription(pubsub, s);
    } else if (change.action === 'update') {
      const proto = subscriptionProto(s.fields);
      const paths = new Set(
        (change.fields ?? []).map((f) => MASK[f as keyof SubscriptionFields]).filter(Boolean),
      );
      const update: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(proto)) {
        const path = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        // setMetadata turns the keys into the update mask; null (an absent message) clears a policy.
        if (paths.has(path)) update[key] = value;
      }
      await pubsub.subscription(s.name).setMetadata(update);
    }
  }
}

export async function applyPubSubDeletions(
  pubsub: PubSub,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    if (change.kind === 'subscription') await pubsub.subscription(change.name).delete();
  }
  for (const change of changes) {
    if (change.kind === 'topic') await pubsub.topic(change.name).delete();
  }
}

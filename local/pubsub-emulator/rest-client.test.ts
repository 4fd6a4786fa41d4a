import { PubSub, v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROJECT,
  restClientOptions,
  startHarness,
  uniqueId,
  type Harness,
} from './testing/harness.js';

// The official client over REST: google-gax's `fallback: 'rest'` transcodes each call to Pub/Sub's
// JSON API over HTTP/1.1, which is the surface Java's PubsubJsonClient uses too. One ack-deadline
// second lasts 100 ms here, so an expired lease shows within a test.
let h: Harness;
let rest: PubSub;
let subscriber: v1.SubscriberClient;
beforeAll(async () => {
  h = await startHarness({ ackDeadlineUnitMs: 100 });
  rest = new PubSub(restClientOptions(h.emulator));
  subscriber = new v1.SubscriberClient(restClientOptions(h.emulator));
});
afterAll(async () => {
  await subscriber.close();
  await rest.close();
  await h.close();
});

async function topicAndSub(options: Record<string, unknown> = {}) {
  const [topic] = await rest.createTopic(uniqueId('t'));
  const [sub] = await topic.createSubscription(uniqueId('s'), options);
  return { topic, sub };
}

async function pull(subscription: string) {
  const [res] = await subscriber.pull({ subscription, maxMessages: 10, returnImmediately: true });
  return res.receivedMessages ?? [];
}

describe('the official client over REST (fallback: rest)', () => {
  it('publishes and pulls data, attributes, ids and publish time', async () => {
    const { topic, sub } = await topicAndSub();
    const before = Date.now();
    const id = await topic.publishMessage({ data: Buffer.from('bonjour'), attributes: { k: 'v' } });
    const [received] = await pull(sub.name);
    expect(received?.message).toMatchObject({ messageId: id, attributes: { k: 'v' } });
    expect(Buffer.from(received!.message!.data as Uint8Array).toString()).toBe('bonjour');
    const publishMs = Number(received!.message!.publishTime!.seconds) * 1000;
    expect(publishMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(received!.ackId).toMatch(/-1$/);
  });

  it('acknowledges: an acked message is not delivered again', async () => {
    const { topic, sub } = await topicAndSub({ ackDeadlineSeconds: 10 });
    await topic.publishMessage({ data: Buffer.from('once') });
    const [first] = await pull(sub.name);
    await subscriber.acknowledge({ subscription: sub.name, ackIds: [first!.ackId!] });
    // Past the 1 s (scaled) deadline an unacked message would be back; an acked one is gone.
    await new Promise((r) => setTimeout(r, 1300));
    expect(await pull(sub.name)).toEqual([]);
    expect(h.emulator.status().subscriptions.find((s) => s.name === sub.name)?.backlog).toBe(0);
  });

  it('modifyAckDeadline 0 (nack) redelivers at once, with the next attempt in the ack id', async () => {
    const { topic, sub } = await topicAndSub();
    const id = await topic.publishMessage({ data: Buffer.from('again') });
    const [first] = await pull(sub.name);
    expect(await pull(sub.name)).toEqual([]);
    await subscriber.modifyAckDeadline({
      subscription: sub.name,
      ackIds: [first!.ackId!],
      ackDeadlineSeconds: 0,
    });
    const [second] = await pull(sub.name);
    expect(second?.message?.messageId).toBe(id);
    expect(second!.ackId).toMatch(/-2$/);
  });

  it('reports deliveryAttempt under a dead-letter policy', async () => {
    const [dlq] = await rest.createTopic(uniqueId('dlq'));
    const { topic, sub } = await topicAndSub({
      deadLetterPolicy: { deadLetterTopic: dlq.name, maxDeliveryAttempts: 5 },
    });
    await topic.publishMessage({ data: Buffer.from('counted') });
    const [first] = await pull(sub.name);
    expect(first?.deliveryAttempt).toBe(1);
  });

  it('gets topic and subscription metadata', async () => {
    const { topic, sub } = await topicAndSub({ ackDeadlineSeconds: 42, filter: 'attributes:k' });
    const [topicMeta] = await topic.getMetadata();
    expect(topicMeta.name).toBe(topic.name);
    const [subMeta] = await sub.getMetadata();
    expect(subMeta).toMatchObject({
      name: sub.name,
      topic: topic.name,
      ackDeadlineSeconds: 42,
      filter: 'attributes:k',
      messageRetentionDuration: { seconds: String(7 * 24 * 3600) },
    });
  });

  it('lists a topic’s subscriptions and the project’s', async () => {
    const { topic, sub } = await topicAndSub();
    const [ofTopic] = await topic.getSubscriptions();
    expect(ofTopic.map((s) => s.name)).toEqual([sub.name]);
    const [all] = await rest.getSubscriptions();
    expect(all.map((s) => s.name)).toContain(sub.name);
  });

  it('a missing subscription fails with Google’s REST error body', async () => {
    const failure = await subscriber
      .getSubscription({ subscription: `projects/${PROJECT}/subscriptions/missing-sub` })
      .then(
        () => undefined,
        (error: unknown) => error as Error & { code: unknown },
      );
    // google-gax 5's REST transport hands on gaxios's error: the HTTP status as `code` and the body
    // as the message (googleapis/google-cloud-node#9346 maps it to a gRPC code in later releases).
    expect(failure?.code).toBe(404);
    expect(JSON.parse(failure!.message)).toEqual({
      error: {
        code: 404,
        message: 'Resource not found (resource=missing-sub).',
        status: 'NOT_FOUND',
      },
    });
  });
});

import { v1, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, startHarness, uniqueId, until, type Harness } from './testing/harness.js';

// Leases are scaled with the emulator's test hook: one ack-deadline second lasts 100 ms, so the
// real 10 s minimum deadline expires after 1 s. Nothing else about the protocol changes.
let h: Harness;
let subscriber: v1.SubscriberClient;
beforeAll(async () => {
  h = await startHarness({ ackDeadlineUnitMs: 100 });
  const [host, port] = h.emulator.host.split(':');
  subscriber = new v1.SubscriberClient({
    servicePath: host,
    port: Number(port),
    sslCreds: (await import('@grpc/grpc-js')).credentials.createInsecure(),
  });
});
afterAll(async () => {
  await subscriber.close();
  await h.close();
});

async function topicAndSub(options: Record<string, unknown> = {}) {
  const [topic] = await h.pubsub.createTopic(uniqueId('t'));
  const [sub] = await topic.createSubscription(uniqueId('s'), options);
  return { topic, sub };
}

async function pullOnce(subscription: string, max = 10) {
  const [res] = await subscriber.pull({ subscription, maxMessages: max, returnImmediately: true });
  return res.receivedMessages ?? [];
}

describe('ack deadlines', () => {
  it('redelivers after the ack deadline expires', async () => {
    const { topic, sub } = await topicAndSub();
    const id = await topic.publishMessage({ data: Buffer.from('expire') });
    const first = await pullOnce(sub.name);
    expect(first.map((r) => r.message?.messageId)).toEqual([id]);
    expect(await pullOnce(sub.name)).toEqual([]);
    const leasedAt = Date.now();
    let again = await pullOnce(sub.name);
    while (again.length === 0 && Date.now() - leasedAt < 5000) again = await pullOnce(sub.name);
    expect(again.map((r) => r.message?.messageId)).toEqual([id]);
    expect(again[0]!.ackId).not.toBe(first[0]!.ackId);
    // The lease lasted the subscription's 10 s deadline (scaled to 1 s).
    expect(Date.now() - leasedAt).toBeGreaterThanOrEqual(900);
  });

  it('modifyAckDeadline extends the lease and 0 releases it', async () => {
    const { topic, sub } = await topicAndSub();
    await topic.publishMessage({ data: Buffer.from('extend') });
    const [leased] = await pullOnce(sub.name);
    await subscriber.modifyAckDeadline({
      subscription: sub.name,
      ackIds: [leased!.ackId!],
      ackDeadlineSeconds: 30,
    });
    const t0 = Date.now();
    // Past the original 1 s deadline, well before the extended 3 s one.
    while (Date.now() - t0 < 1500) expect(await pullOnce(sub.name)).toEqual([]);
    await subscriber.modifyAckDeadline({
      subscription: sub.name,
      ackIds: [leased!.ackId!],
      ackDeadlineSeconds: 0,
    });
    const again = await pullOnce(sub.name);
    expect(again).toHaveLength(1);
    expect(again[0]!.ackId).not.toBe(leased!.ackId);
  });

  it('acked messages are not redelivered', async () => {
    const { topic, sub } = await topicAndSub();
    await topic.publishMessage({ data: Buffer.from('done') });
    const [leased] = await pullOnce(sub.name);
    await subscriber.acknowledge({ subscription: sub.name, ackIds: [leased!.ackId!] });
    const t0 = Date.now();
    while (Date.now() - t0 < 1500) expect(await pullOnce(sub.name)).toEqual([]);
  });
});

describe('dead-lettering', () => {
  it('forwards after 5 failed attempts with the CloudPubSubDeadLetterSource* attributes', async () => {
    const [dlt] = await h.pubsub.createTopic(uniqueId('dlt'));
    const [dlqSub] = await dlt.createSubscription(uniqueId('dlq-sub'));
    const { topic, sub } = await topicAndSub({
      deadLetterPolicy: { deadLetterTopic: dlt.name, maxDeliveryAttempts: 5 },
    });
    const attempts: number[] = [];
    sub.on('message', (m: Message) => {
      attempts.push(m.deliveryAttempt);
      m.nack();
    });
    await topic.publishMessage({ data: Buffer.from('poison'), attributes: { k: 'v' } });
    const dead = await new Promise<Message>((resolve) => dlqSub.once('message', resolve));
    dead.ack();
    await sub.close();
    await dlqSub.close();
    expect(attempts.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(dead.data.toString()).toBe('poison');
    expect(dead.attributes.k).toBe('v');
    expect(dead.attributes.CloudPubSubDeadLetterSourceDeliveryCount).toBe('5');
    expect(dead.attributes.CloudPubSubDeadLetterSourceSubscription).toBe(sub.name.split('/')[3]);
    expect(dead.attributes.CloudPubSubDeadLetterSourceSubscriptionProject).toBe(PROJECT);
    expect(
      Number.isNaN(Date.parse(dead.attributes.CloudPubSubDeadLetterSourceTopicPublishTime!)),
    ).toBe(false);
    const status = h.emulator.status().subscriptions.find((s) => s.name === sub.name)!;
    expect(status.deadLettered).toBe(1);
    expect(status.backlog).toBe(0);
  });

  it('backs off between attempts per the retry policy', async () => {
    const { topic, sub } = await topicAndSub({
      retryPolicy: { minimumBackoff: { seconds: 0, nanos: 300e6 }, maximumBackoff: { seconds: 1 } },
    });
    await topic.publishMessage({ data: Buffer.from('slow') });
    const times: number[] = [];
    sub.on('message', (m: Message) => {
      times.push(Date.now());
      if (times.length < 3) m.nack();
      else m.ack();
    });
    await until(() => times.length >= 3, 10_000, 'three deliveries');
    await sub.close();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(250);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(550);
  });
});
